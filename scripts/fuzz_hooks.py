"""Schemathesis hooks for scripts/fuzz.sh: the contract's own rule on top of the OpenAPI checks,
that every error answer is an ApiError naming its own status (domain-reference.md 1.6)."""
import schemathesis


@schemathesis.check
def every_error_is_an_api_error(ctx, response, case):
    if response.status_code < 400:
        return None
    try:
        error = response.json()
    except Exception:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.text[:200]!r}")
    if not isinstance(error, dict) or set(error) != {"status", "type", "message"}:
        raise AssertionError(f"{response.status_code} body is not an ApiError: {str(error)[:200]}")
    if not isinstance(error["status"], dict) or error["status"].get("value") != response.status_code:
        raise AssertionError(f"ApiError status {error['status']} does not name the answer's {response.status_code}")
    if not isinstance(error["type"], str) or not isinstance(error["message"], str) or not error["message"]:
        raise AssertionError(f"ApiError without a type or message: {error}")
    return None
