"""ApiFunction: API Gateway (HTTP or REST) -> function, with its routes, CORS and Cognito user pool."""
