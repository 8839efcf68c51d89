"""DR-LAMBDA-POLICY-SIZE's estimate: the statements Lambda writes for a template's permissions, with every value
left to deployment at its longest, and one policy per function, alias and version."""

from __future__ import annotations

from typing import Any, Optional

from constructs_lib.rules import lambda_policy_size as size
from constructs_lib.rules import model
from constructs_lib.rules.targets import lambda_target

ACCOUNT = "123456789012"
FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "my-function"}}
UNNAMED = {"Type": "AWS::Lambda::Function", "Properties": {}}


def permission(function: Any = None, **props: Any) -> dict:
    return {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction", "FunctionName": function or {"Fn::GetAtt": ["Fn", "Arn"]}, **props}}


def stack(region: Optional[str] = None, account: Optional[str] = None, **resources: dict) -> model.Stack:
    return model.Stack("Test.template.json", {"Resources": resources}, region, account)


def statement_of(template: model.Stack, logical_id: str = "Permission") -> dict:
    props = template.props(logical_id)
    target = lambda_target(template, props["FunctionName"])
    assert target is not None
    return size.statement(template, props, target)


def test_a_statement_is_written_as_add_permission_writes_it() -> None:
    """The Lambda developer guide's example ("Granting Lambda function access to AWS services"), with a topic as
    source; only the statement id, which CloudFormation generates, counts at its 100-character maximum."""
    template = stack("us-east-2", ACCOUNT, Fn=FUNCTION, Permission=permission(
        Principal="sns.amazonaws.com", SourceArn=f"arn:aws:sns:us-east-2:{ACCOUNT}:my-topic"))
    assert statement_of(template) == {
        "Sid": "x" * 100, "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": f"arn:aws:lambda:us-east-2:{ACCOUNT}:function:my-function",
        "Condition": {"ArnLike": {"AWS:SourceArn": f"arn:aws:sns:us-east-2:{ACCOUNT}:my-topic"}}}


def test_conditions_and_principals_as_lambda_writes_them() -> None:
    template = stack("us-east-1", ACCOUNT, Fn=FUNCTION, Permission=permission(
        Principal=ACCOUNT, SourceAccount=ACCOUNT, PrincipalOrgID="o-a1b2c3d4e5", FunctionUrlAuthType="AWS_IAM",
        InvokedViaFunctionUrl=True))
    written = statement_of(template)
    assert written["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert written["Condition"] == {
        "StringEquals": {"AWS:SourceAccount": ACCOUNT, "aws:PrincipalOrgID": "o-a1b2c3d4e5",
                         "lambda:FunctionUrlAuthType": "AWS_IAM"},
        "Bool": {"lambda:InvokedViaFunctionUrl": "true"}}


def test_what_deployment_fills_in_counts_at_its_longest() -> None:
    """An environment-agnostic stack: the longest region and partition AWS has, a 12-digit account, a generated
    function name of 64 characters, an API id of 10; a value the template does not bound (an import) counts at
    the longest the property allows (1,024 characters for SourceArn)."""
    api_arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":execute-api:", {"Ref": "AWS::Region"}, ":",
                                 {"Ref": "AWS::AccountId"}, ":", {"Ref": "Api"}, "/*/*/*"]]}
    template = stack(Fn=UNNAMED, Api={"Type": "AWS::ApiGateway::RestApi"},
                     Permission=permission(Principal="apigateway.amazonaws.com", SourceArn=api_arn),
                     Imported=permission(Principal={"Ref": "AWS::AccountId"},
                                         SourceArn={"Fn::ImportValue": "TopicArn"}))
    region, partition = len(size.REGION), len(size.PARTITION)
    assert (region, partition) == (len("us-isof-south-1"), len("aws-us-gov"))
    written = statement_of(template)
    assert len(written["Resource"]) == len("arn::lambda::000000000000:function:") + partition + region + 64
    assert len(written["Condition"]["ArnLike"]["AWS:SourceArn"]) == len(
        "arn::execute-api::000000000000:/*/*/*") + partition + region + 10
    imported = statement_of(template, "Imported")
    assert imported["Condition"]["ArnLike"]["AWS:SourceArn"] == "x" * 1024
    assert imported["Principal"] == {"AWS": "arn:" + "x" * partition + ":iam::000000000000:root"}


def test_each_qualifier_has_a_policy_of_its_own() -> None:
    """30 permissions on the function and 30 on its alias: two policies of 30 statements, neither over."""
    alias = {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "Name": "live"}}
    arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/things"
    resources = {f"On{i}": permission(Principal="apigateway.amazonaws.com", SourceArn=f"{arn}{i}") for i in range(30)}
    resources |= {f"Live{i}": permission({"Ref": "Live"}, Principal="apigateway.amazonaws.com",
                                         SourceArn=f"{arn}{i}") for i in range(30)}
    app = model.App([stack("us-east-1", ACCOUNT, Fn=FUNCTION, Live=alias, **resources)])
    found = {(holder, target.qualifier): len(statements) for _, holder, target, statements in size.policies(app)}
    assert found == {("Fn", None): 30, ("Live", "live"): 30}
    assert list(size.oversized_policies(app)) == []


def test_the_limit_is_on_the_bytes_of_the_policy() -> None:
    """Statements of one size: the last count whose policy fits passes, one more is reported."""
    template = stack("us-east-1", ACCOUNT, Fn=FUNCTION, Permission=permission(Principal="apigateway.amazonaws.com"))
    one = statement_of(template)
    fits = max(n for n in range(1, 200) if size.policy_bytes([one] * n) <= size.LIMIT)
    for count, reported in ((fits, False), (fits + 1, True)):
        resources = {f"P{i}": permission(Principal="apigateway.amazonaws.com") for i in range(count)}
        hits = list(size.oversized_policies(model.App([stack("us-east-1", ACCOUNT, Fn=FUNCTION, **resources)])))
        assert bool(hits) == reported
    hit, = hits
    assert hit.logical_id == "Fn"
    assert hit.detail.startswith(f"{fits + 1} permissions give Fn ($LATEST) a resource-based policy of up to ")
    assert "an upper estimate" in hit.detail


def test_a_function_the_template_does_not_hold_is_not_guessed_at() -> None:
    resources = {f"P{i}": permission("arn:aws:lambda:us-east-1:123456789012:function:elsewhere",
                                     Principal="apigateway.amazonaws.com") for i in range(100)}
    assert list(size.policies(model.App([stack(**resources)]))) == []
