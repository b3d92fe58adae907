"""Private self-service links: a signed token naming a participant, no account needed."""

import jwt
from samling_runtime.problems import Problem

AUDIENCE = "samling-events-manage"


def manage_token(participant_id: str, secret: str) -> str:
    return jwt.encode({"sub": participant_id, "aud": AUDIENCE}, secret, algorithm="HS256")


def participant_from_token(token: str, secret: str) -> str:
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], audience=AUDIENCE, options={"require": ["sub"]}
        )
    except jwt.PyJWTError as exc:
        raise Problem(
            404, "This link is not valid. Use the newest link we sent you.", kind="not-found"
        ) from exc
    return str(claims["sub"])


def manage_url(app_url: str, participant_id: str, secret: str) -> str:
    """The private link as a page of the web app (which reads ``GET /manage/{token}`` here)."""
    return f"{app_url.rstrip('/')}/r/{manage_token(participant_id, secret)}"
