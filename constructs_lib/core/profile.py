"""Which way library constructs build: the default profile, or the regulated one that meets the controls of
cdk-nag's HIPAA Security, NIST 800-53 rev 5 and PCI DSS 3.2.1 packs (customer managed keys, backups, ...).

A scope chooses with ``use_profile(scope, "regulated")``, or a whole app or stage with the context key
``constructs_lib:profile``; the nearest choice above a construct wins. The default profile is unchanged by
either: a user who runs those packs without the profile still sees their findings.
"""

from __future__ import annotations

import weakref
from typing import Literal, Optional, cast, get_args

from constructs import Construct, IConstruct

from .validation import Checks

Profile = Literal["default", "regulated"]
PROFILES: tuple[str, ...] = get_args(Profile)
CONTEXT_KEY = "constructs_lib:profile"

_CHOSEN: "weakref.WeakKeyDictionary[IConstruct, Profile]" = weakref.WeakKeyDictionary()
_OUT_OF_NETWORK: "weakref.WeakKeyDictionary[IConstruct, str]" = weakref.WeakKeyDictionary()
# Each construct's profile once asked (a construct asks several times while it builds); forgotten at each choice.
_FOUND: "weakref.WeakKeyDictionary[IConstruct, Profile]" = weakref.WeakKeyDictionary()


def use_profile(scope: Construct, profile: str) -> None:
    """Every library construct added under ``scope`` from now on builds the ``profile`` way ("default" or
    "regulated"); the context key ``constructs_lib:profile`` chooses for a whole app or stage."""
    _CHOSEN[scope] = _checked(scope, "profile", profile)
    _FOUND.clear()


def profile_of(construct: IConstruct) -> Profile:
    """The profile a construct builds with: the nearest ``use_profile`` above it, else the app's context."""
    found = _FOUND.get(construct)
    if found is None:
        found = _FOUND[construct] = _profile_of(construct)
    return found


def _profile_of(construct: IConstruct) -> Profile:
    for scope in reversed(construct.node.scopes):
        chosen = _CHOSEN.get(scope)
        if chosen is not None:
            return chosen
    value = construct.node.try_get_context(CONTEXT_KEY)
    return "default" if value is None else _checked(construct, f"context {CONTEXT_KEY}", value)


def inherit_profile(construct: IConstruct, scope: IConstruct) -> None:
    """Remembers that `construct`, made just now under `scope` (nothing has chosen for it yet), builds with `scope`'s
    profile: the constructs of a stack ask their stack once between them."""
    _FOUND[construct] = profile_of(scope)


def is_regulated(construct: IConstruct) -> bool:
    return profile_of(construct) == "regulated"


def keep_out_of_network(scope: Construct, reason: str) -> None:
    """Library functions added under ``scope`` from now on stay out of the regulated profile's network (a VPC with
    no route out, reaching AWS APIs through its endpoints), and cdk-nag's compliance packs' ``LambdaInsideVPC`` is
    answered on each with ``reason``. A function given ``vpc=`` uses that VPC either way.

    :param scope: an app, stage, stack or any construct above the functions.
    :param reason: why the control does not apply to these functions, or what meets its intent instead (e.g. "Calls
        a partner's HTTPS API; its egress is inspected by the account's firewall"): at least 20 characters.
    """
    checks = Checks(scope, "keep_out_of_network")
    checks.require(len(reason.strip()) >= 20, "reason", reason, "must say why the control does not apply")
    checks.raise_if_any()
    _OUT_OF_NETWORK[scope] = reason


def out_of_network_reason(construct: IConstruct) -> Optional[str]:
    """Why the nearest ``keep_out_of_network`` above `construct` keeps it out of the network, or None."""
    for scope in reversed(construct.node.scopes):
        reason = _OUT_OF_NETWORK.get(scope)
        if reason is not None:
            return reason
    return None


def _checked(scope: IConstruct, prop: str, value: object) -> Profile:
    assert isinstance(scope, Construct)  # as every node of an app
    checks = Checks(scope, "use_profile")
    checks.one_of(prop, value, PROFILES)
    checks.raise_if_any()
    return cast(Profile, value)
