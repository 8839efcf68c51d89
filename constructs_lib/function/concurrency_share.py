"""Reserved concurrency under the regulated profile: each library function that reserves none gets an equal share
of half of what its account and region can reserve, computed at synth from every function the app declares there.

Lambda keeps at least 100 executions of the account's concurrency quota unreserved, and refuses a reservation that
would leave fewer (Lambda developer guide, "Configuring reserved concurrency"). What the app reserves in one account
and region is the sum over all its stacks there, so the share is of the app's functions, not the stack's: the
quota (context ``constructs_lib:concurrency-quota``: the account's, which a new account may have much lower than
Lambda's default 1,000, so it must be given), less 100, less what functions reserve by name, halved, split among
the sharing functions. The other half is room: CloudFormation creates a new or replaced function before it lowers
or deletes the others, and other apps of the account reserve too.
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
UNRESERVED_MINIMUM = 100
SHARED_PART = 0.5  # of what the account can reserve; the rest is room for updates and other apps
ANYWHERE = "?"  # the place of an environment-agnostic stack: it may deploy next to any other


@dataclass
class _Place:
    """The functions of one app in one account and region: those that share, and what the others reserve."""

    sharing: list[lambda_.CfnFunction] = field(default_factory=list[lambda_.CfnFunction])
    named: Optional[int] = None  # summed once the app is built


@dataclass(frozen=True)
class _Need:
    """What a sharing function needs at least: its provisioned concurrency, or the most its scaling provisions."""

    resource: lambda_.CfnFunction
    least: int


_PLACES: "weakref.WeakKeyDictionary[IConstruct, dict[str, _Place]]" = weakref.WeakKeyDictionary()


def share_concurrency(function: lambda_.Function, *, least: int = 1) -> None:
    """Reserves for ``function`` its share of the account's and region's concurrency, at synth; ``least``: what
    it needs at least (Lambda refuses provisioned concurrency above the function's reservation)."""
    resource = function.node.default_child
    assert isinstance(resource, lambda_.CfnFunction)  # as lambda_.Function makes it
    _places_of(resource).setdefault(_place(resource), _Place()).sharing.append(resource)
    resource.reserved_concurrent_executions = Lazy.number(_Share(resource))
    function.node.add_validation(_EnoughToShare(_Need(resource, least)))


def need_at_least(function: lambda_.Function, least: int) -> None:
    """Refuses at synth a share of ``function``'s under ``least`` (e.g. the 2 an SQS mapping's MaximumConcurrency
    needs at least); nothing when the function does not share."""
    resource = function.node.default_child
    if not isinstance(resource, lambda_.CfnFunction):
        return
    sharing = {shared.node.path for place in _places_of(resource).values() for shared in place.sharing}
    if resource.node.path in sharing:  # by path: jsii may give another proxy of the same node
        function.node.add_validation(_EnoughToShare(_Need(resource, least)))


def _place(resource: IConstruct) -> str:
    """The account and region a resource deploys to, or ANYWHERE for an environment-agnostic stack."""
    stack = Stack.of(resource)
    if Token.is_unresolved(stack.account) or Token.is_unresolved(stack.region):
        return ANYWHERE
    return f"{stack.account}/{stack.region}"


def _places_of(resource: IConstruct) -> dict[str, _Place]:
    return _PLACES.setdefault(resource.node.root, {})


def _quota(resource: IConstruct) -> Optional[int]:
    value = resource.node.try_get_context(QUOTA_CONTEXT)
    return None if value is None else int(value)


def _share(resource: lambda_.CfnFunction) -> int:
    """Half of what is left to reserve where the resource deploys, split among the functions that may deploy there:
    those of its place and of environment-agnostic stacks (all of them, for a function of such a stack)."""
    places = _places_of(resource)
    if any(place.named is None for place in places.values()):  # at synth: the app is complete
        _sum_named(resource, places)
    near = _near(resource, places)
    named = sum(place.named or 0 for place in near)
    shared = (_quota(resource) or 0) - UNRESERVED_MINIMUM - named
    return int(shared * SHARED_PART // sum(len(place.sharing) for place in near))


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
    def __init__(self, need: _Need) -> None:
        self._need = need

    def validate(self) -> list[str]:
        resource, path = self._need.resource, self._need.resource.node.path
        if _quota(resource) is None:
            return [f"'{path}': reserved_concurrency is not given, and the regulated profile reserves a share of the "
                    f"account's concurrency quota: give the quota (Service Quotas, AWS Lambda, Concurrent executions) "
                    f"as context {QUOTA_CONTEXT}, or each function its reserved_concurrency"]
        share = _share(resource)
        if share >= self._need.least:
            return []
        count = sum(len(place.sharing) for place in _near(resource, _places_of(resource)))
        return [f"'{path}': reserved_concurrency is not given, and the regulated profile's share of the account's "
                f"concurrency for {count} functions is {share}, under the {self._need.least} it needs (its "
                f"provisioned concurrency, the most its scaling provisions, or its SQS mapping's least "
                f"MaximumConcurrency): give it its reserved_concurrency, or "
                f"the account's quota as context {QUOTA_CONTEXT} (Lambda keeps {UNRESERVED_MINIMUM} unreserved; the "
                "profile reserves half of the rest)"]
