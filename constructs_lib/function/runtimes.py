"""The runtime the library builds functions and layers for unless told otherwise."""

from aws_cdk import aws_lambda as lambda_

# The newest Python runtime aws-cdk-lib offers.
DEFAULT_RUNTIME = lambda_.Runtime.PYTHON_3_14
