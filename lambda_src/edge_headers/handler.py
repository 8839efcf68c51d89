"""Lambda@Edge origin-response handler: adds security headers to every response from the origin.

Lambda@Edge has no environment variables, so the policy is written here. Headers the origin already
set are kept. CloudFront caches the result, so the function runs once per cached object, not per view.
"""

SECURITY_HEADERS = {
    "strict-transport-security": ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
    "x-content-type-options": ("X-Content-Type-Options", "nosniff"),
    "x-frame-options": ("X-Frame-Options", "DENY"),
    "referrer-policy": ("Referrer-Policy", "strict-origin-when-cross-origin"),
    "content-security-policy": ("Content-Security-Policy", "default-src 'self'; object-src 'none'; frame-ancestors 'none'"),
    "permissions-policy": ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
}


def handler(event: dict, context: object) -> dict:
    response = event["Records"][0]["cf"]["response"]
    headers = response.setdefault("headers", {})
    for name, (key, value) in SECURITY_HEADERS.items():
        headers.setdefault(name, [{"key": key, "value": value}])
    return response
