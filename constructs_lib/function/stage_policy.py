"""A stage's deployment policy: the `Deployment` every library function inside a scope (a ServiceStage) gets
unless it sets ``deployment=`` itself, e.g. all at once in beta and a canary in production.

The policy is looked up while ServerlessFunction is built, because a deployment shapes what it builds (the
alias, the CodeDeploy group, the alarms): an Aspect, which visits once everything is built, would come too
late. It is kept on the Python side, beside the scope, since a Deployment may hold alarms and hook functions
that no CDK context value can carry. A CodeDeploy hook never gets one: it would need hooks of its own.
"""

from __future__ import annotations

import weakref
from typing import Optional

from constructs import IConstruct

from .deployment import Deployment
from .safe_deployment import SafeDeployment

# Scopes with a policy, and the Deployment they give (None: the functions under it keep their own).
_POLICIES: "weakref.WeakKeyDictionary[IConstruct, Optional[Deployment]]" = weakref.WeakKeyDictionary()


def set_stage_deployment(scope: IConstruct, deployment: Optional[Deployment]) -> None:
    """Gives every library function made under `scope` from now on `deployment`, unless it sets its own."""
    _POLICIES[scope] = deployment


def stage_deployment(scope: IConstruct) -> Optional[Deployment]:
    """The policy of the nearest scope above `scope` that sets one (None when none does)."""
    if not _POLICIES:
        return None
    for ancestor in reversed(scope.node.scopes[:-1]):
        if isinstance(ancestor, SafeDeployment):
            return None  # a hook of a deployment
        if ancestor in _POLICIES:
            return _POLICIES[ancestor]
    return None


def deployment_for(function: IConstruct, given: Optional[Deployment]) -> Optional[Deployment]:
    """`given` when the function sets one, else its stage's policy."""
    return given if given is not None else stage_deployment(function)
