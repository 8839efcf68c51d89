"""Tenant isolation mode (Lambda developer guide, "Tenant isolation"): every invocation names a tenant, and Lambda
runs it only in execution environments kept for that tenant.

Lambda sets the mode when it creates a function and never changes it (API reference, "TenancyConfig");
CloudFormation replaces the function when it changes. Callers must pass a tenant id: a direct Invoke with
``--tenant-id`` (the X-Amz-Tenant-Id header), or a REST API that maps a client value onto that header. An HTTP
API cannot set it, and the services that invoke on their own (event source mappings, S3, SNS, EventBridge, load
balancers, ...) pass none."""

from __future__ import annotations

from typing import Literal, Optional, get_args

from aws_cdk import aws_lambda as lambda_

from ..core.validation import Checks

Tenancy = Literal["per_tenant"]
TENANCIES: tuple[Tenancy, ...] = get_args(Tenancy)
TENANT_ID_HEADER = "X-Amz-Tenant-Id"
INVOKE_GUIDE = "https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation-invoke.html"


def check_tenancy(
    checks: Checks, tenancy: Optional[str], snap_start: bool, provisioned_concurrency: Optional[int],
    function_url_auth: Optional[str],
) -> None:
    """A known mode, without what Lambda rules out with it: SnapStart, provisioned concurrency, function URLs."""
    if tenancy is None or not checks.one_of("tenancy", tenancy, TENANCIES):
        return
    rule = "cannot be used with tenancy='per_tenant'"
    checks.require(not snap_start, "snap_start", True, f"{rule}: Lambda offers no SnapStart to tenant-isolated functions")
    checks.require(
        not provisioned_concurrency, "provisioned_concurrency", provisioned_concurrency,
        f"{rule}: Lambda keeps no environments ready for tenants it has not seen",
    )
    checks.require(
        function_url_auth is None, "function_url_auth", function_url_auth,
        f"{rule}: a function URL cannot pass the tenant id ({TENANT_ID_HEADER}) Lambda needs on every invocation",
    )


def tenancy_config(tenancy: Optional[str]) -> Optional[lambda_.TenancyConfig]:
    return lambda_.TenancyConfig.PER_TENANT if tenancy == "per_tenant" else None


def refuse_without_tenant_id(checks: Checks, tenancy: object, invoker: str) -> None:
    """A pattern whose trigger invokes the function without a tenant id refuses tenancy with that reason."""
    checks.require(
        tenancy is None, "tenancy", tenancy,
        f"cannot be used here: {invoker} invokes the function without a tenant id, and Lambda refuses every "
        f"invocation of a tenant-isolated function that names no tenant ({INVOKE_GUIDE})",
    )
