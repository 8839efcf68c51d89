"""Reserved concurrency under the regulated profile: each library function that reserves none gets an equal share
of what its account and region can reserve, computed at synth from every function the app declares there.

Lambda keeps at least 100 executions of the account's concurrency quota unreserved, and refuses a reservation that
would leave fewer (Lambda developer guide, "Configuring reserved concurrency"). What the app reserves in one account
and region is the sum over all its stacks there, so the share is of the app's functions, not the stack's: the
quota (context ``constructs_lib:concurrency-quota``, default 1,000, Lambda's default quota), less 100, less what
functions reserve by name, split among the sharing functions.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Optional

import jsii
from aws_cdk import IStableNumberProducer, Lazy, Stack, Token
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct, IValidation

QUOTA_CONTEXT = "constructs_lib:concurrency-quota"
DEFAULT_QUOTA = 1000
UNRESERVED_MINIMUM = 100
ANYWHERE = "?"  # the place of an environment-agnostic stack: it may deploy next to any other


@dataclass
class _Place:
    """The functions of one app in one account and region: those that share, and what the others reserve."""

    sharing: list[lambda_.CfnFunction] = field(default_factory=list[lambda_.CfnFunction])
    named: Optional[int] = None  # summed once the app is built


_PLACES: "weakref.WeakKeyDictionary[IConstruct, dict[str, _Place]]" = weakref.WeakKeyDictionary()


def share_concurrency(function: lambda_.Function) -> None:
    """Reserves for ``function`` its share of the account's and region's concurrency, at synth."""
    resource = function.node.default_child
    assert isinstance(resource, lambda_.CfnFunction)  # as lambda_.Function makes it
    _places_of(resource).setdefault(_place(resource), _Place()).sharing.append(resource)
    resource.reserved_concurrent_executions = Lazy.number(_Share(resource))
    function.node.add_validation(_EnoughToShare(resource))


def _place(resource: IConstruct) -> str:
    """The account and region a resource deploys to, or ANYWHERE for an environment-agnostic stack."""
    stack = Stack.of(resource)
    if Token.is_unresolved(stack.account) or Token.is_unresolved(stack.region):
        return ANYWHERE
    return f"{stack.account}/{stack.region}"


def _places_of(resource: IConstruct) -> dict[str, _Place]:
    return _PLACES.setdefault(resource.node.root, {})


def _share(resource: lambda_.CfnFunction) -> int:
    """What is left to reserve where the resource deploys, split among the functions that may deploy there: those
    of its place and of environment-agnostic stacks (all of them, for a function of such a stack)."""
    places = _places_of(resource)
    if any(place.named is None for place in places.values()):  # at synth: the app is complete
        _sum_named(resource, places)
    near = _near(resource, places)
    quota = int(resource.node.try_get_context(QUOTA_CONTEXT) or DEFAULT_QUOTA)
    named = sum(place.named or 0 for place in near)
    return int((quota - UNRESERVED_MINIMUM - named) // sum(len(place.sharing) for place in near))


def _near(resource: IConstruct, places: dict[str, _Place]) -> list[_Place]:
    own = _place(resource)
    return [place for name, place in places.items() if own == ANYWHERE or name in (own, ANYWHERE)]


def _sum_named(resource: IConstruct, places: dict[str, _Place]) -> None:
    """What the app's other functions reserve, by place."""
    sharing = {id(function) for place in places.values() for function in place.sharing}
    for place in places.values():
        place.named = 0
    for node in resource.node.root.node.find_all():
        if isinstance(node, lambda_.CfnFunction) and id(node) not in sharing:
            reserved = node.reserved_concurrent_executions
            if isinstance(reserved, (int, float)) and not Token.is_unresolved(reserved):
                place = places.setdefault(_place(node), _Place(named=0))
                place.named = (place.named or 0) + int(reserved)


@jsii.implements(IStableNumberProducer)
class _Share:
    def __init__(self, resource: lambda_.CfnFunction) -> None:
        self._resource = resource

    def produce(self) -> Optional[float]:
        return _share(self._resource)


@jsii.implements(IValidation)
class _EnoughToShare:
    def __init__(self, resource: lambda_.CfnFunction) -> None:
        self._resource = resource

    def validate(self) -> list[str]:
        share = _share(self._resource)
        if share >= 1:
            return []
        count = sum(len(place.sharing) for place in _near(self._resource, _places_of(self._resource)))
        return [f"'{self._resource.node.path}': reserved_concurrency is not given, and the regulated profile's share "
                f"of the account's concurrency for {count} functions is {share}: give each function its "
                f"reserved_concurrency, or the account's quota as context {QUOTA_CONTEXT} (Lambda keeps "
                f"{UNRESERVED_MINIMUM} unreserved)"]
