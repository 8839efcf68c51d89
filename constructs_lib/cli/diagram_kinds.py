"""What a diagram does with each kind of resource: draws it as a node, draws another node for it, or leaves it
out as a detail of what is drawn. Kinds that make arrows have a wiring method in `diagrams.Builder`. Any other
kind is listed under its diagram as not drawn: a reviewer is told, never left to guess.

Covered: every kind the library's constructs create, and every kind the serverless patterns it packages
draw on (S3 -> Lambda -> RDS, CodePipeline events and DeliveryPipeline's builds, Step Functions, Kinesis Data Firehose, CloudWatch Logs,
Cognito triggers, container images)."""

from __future__ import annotations

# Resource types drawn as nodes: (label, Mermaid shape as open/close).
NODE_TYPES = {
    "AWS::Lambda::Function": ("Function", "[[", "]]"),
    "AWS::Lambda::Alias": ("Alias", "([", "])"),
    "AWS::Lambda::Url": ("Function URL", ">", "]"),
    "AWS::Lambda::LayerVersion": ("Layer", "[\\", "/]"),
    "AWS::SQS::Queue": ("Queue", "[/", "/]"),
    "AWS::SNS::Topic": ("Topic", "[/", "\\]"),
    "AWS::S3::Bucket": ("Bucket", "[(", ")]"),
    "AWS::DynamoDB::Table": ("Table", "[(", ")]"),
    "AWS::DynamoDB::GlobalTable": ("Global table", "[(", ")]"),
    "AWS::Kinesis::Stream": ("Stream", "[(", ")]"),
    "AWS::KinesisFirehose::DeliveryStream": ("Firehose", "[/", "/]"),
    "AWS::EFS::FileSystem": ("EFS", "[(", ")]"),
    "AWS::RDS::DBCluster": ("Database cluster", "[(", ")]"),
    "AWS::RDS::DBInstance": ("Database", "[(", ")]"),
    "AWS::RDS::DBProxy": ("Database proxy", "[", "]"),
    "AWS::SecretsManager::Secret": ("Secret", "[(", ")]"),
    "AWS::ECR::Repository": ("Image repository", "[(", ")]"),
    "AWS::Events::Rule": ("Rule", "{{", "}}"),
    "AWS::Events::EventBus": ("Event bus", "{{", "}}"),
    "AWS::Scheduler::Schedule": ("Schedule", "{{", "}}"),
    "AWS::StepFunctions::StateMachine": ("State machine", "(", ")"),
    "AWS::CodePipeline::Pipeline": ("Pipeline", "[", "]"),
    "AWS::CodeBuild::Project": ("Build project", "[[", "]]"),
    "AWS::CodeCommit::Repository": ("Repository", "[(", ")]"),
    "AWS::Logs::SubscriptionFilter": ("Log subscription", "{{", "}}"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("Load balancer", "[", "]"),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("Target group", "[", "]"),
    "AWS::CloudFront::Distribution": ("CloudFront", "[", "]"),
    "AWS::CloudFront::Function": ("CloudFront Function", "[[", "]]"),
    "AWS::CodeDeploy::DeploymentGroup": ("CodeDeploy", "[", "]"),
    "AWS::ApplicationAutoScaling::ScalableTarget": ("Auto scaling", "[", "]"),
    "AWS::CloudWatch::Dashboard": ("Dashboard", "[", "]"),
    "AWS::ApiGatewayV2::Api": ("HTTP API", "[", "]"),
    "AWS::ApiGateway::RestApi": ("REST API", "[", "]"),
    "AWS::ApiGatewayV2::DomainName": ("Domain", ">", "]"),
    "AWS::ApiGateway::DomainName": ("Domain", ">", "]"),
    "AWS::WAFv2::WebACLAssociation": ("Web ACL", "{{", "}}"),
    "AWS::Cognito::UserPool": ("User pool", "[(", ")]"),
    # A value one stack hands another: Lambda@Edge versions from us-east-1 to a distribution elsewhere.
    "AWS::SSM::Parameter": ("Parameter", "[(", ")]"),
    "Custom::CrossRegionStringParameterReader": ("From another region", ">", "]"),
}

# Resources that stand for another one in a diagram: a version for its function, an access point for its file
# system, a secret's attachment for the secret (the property that names the one drawn).
STANDS_FOR = {"AWS::Lambda::Version": "FunctionName", "AWS::EFS::AccessPoint": "FileSystemId",
              "AWS::SecretsManager::SecretTargetAttachment": "SecretId"}

# Left out on purpose, each a detail of something drawn.
DETAILS = frozenset({
    # Who may do what: the arrows and the nodes they join say it (roles, policies, permissions, keys).
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::Lambda::Permission",
    "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::KMS::Key", "AWS::KMS::Alias",
    "AWS::CloudFront::OriginAccessControl", "AWS::Cognito::UserPoolClient", "AWS::ApiGateway::Account",
    # Logs of what is drawn, and the CDK's own metadata.
    "AWS::Logs::LogGroup", "AWS::Logs::LogStream", "AWS::EC2::FlowLog", "AWS::CDK::Metadata",
    # The network under the drawn functions, load balancers, file systems and databases.
    "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::NatGateway", "AWS::EC2::EIP", "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress", "AWS::EC2::VPCEndpoint", "AWS::EFS::MountTarget", "Custom::VpcRestrictDefaultSG",
    "AWS::RDS::DBSubnetGroup",
    # Parts of a drawn API, deployment, schedule, scaling or database (their arrows come from their wiring).
    "AWS::ApiGateway::Resource", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Stage", "AWS::CodeDeploy::Application",
    "AWS::Scheduler::ScheduleGroup", "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::DBParameterGroup", "AWS::StepFunctions::Activity",
})
