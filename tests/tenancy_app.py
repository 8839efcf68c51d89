"""A user's app with tenant-isolated functions (Lambda's tenant isolation mode), the example of the docs: a REST
API passes each request's tenant on to its function, and an orders function invokes another, tenant-isolated,
directly with the tenant's id. No demo stack is needed for it; the tests synthesize it like a user's app."""

from __future__ import annotations

from aws_cdk import App, Stack

from constructs_lib import ApiFunction, ServerlessFunction
from tests.helpers import PLAIN, make_app


def tenancy_app() -> App:
    app = make_app()
    stack = Stack(app, "Tenants")
    # Each tenant's requests run in environments of its own; the client names its tenant in x-tenant-id.
    ApiFunction(stack, "Reports", api="rest", entry=PLAIN, tenancy="per_tenant")
    # Invoked only by the code that knows the tenant: lambda_client.invoke(..., TenantId=tenant).
    renderer = ServerlessFunction(stack, "Renderer", entry=PLAIN, tenancy="per_tenant",
                                  no_failure_target="Invoked synchronously by Orders, which answers its caller")
    orders = ServerlessFunction(stack, "Orders", entry=PLAIN, environment={
        "RENDERER": renderer.function.function_name}, no_failure_target="Invoked synchronously by its clients")
    renderer.function.grant_invoke(orders.role)
    return app
