"""Tokens through the provider's real authorization-code flow with PKCE, for tests and the
command line: the same requests a browser and a relying party make, without a browser."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from samling_devtools.oidc.users import DEMO_CLIENTS, DEMO_PASSWORD, Client

REDIRECT_URI = "http://127.0.0.1/callback"  # never opened: the code is read off the redirect


def sign_in(
    issuer: str,
    username: str,
    password: str = DEMO_PASSWORD,
    *,
    client_id: str = DEMO_CLIENTS[0].client_id,
    client_secret: str = DEMO_CLIENTS[0].secret,
) -> dict[str, str]:
    """The token response (``access_token``, ``id_token`` …) for a user who signs in on the
    provider's form."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    with httpx.Client(base_url=issuer, timeout=10) as http:
        form = {
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "state": secrets.token_urlsafe(8),
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            "scope": "openid profile email",
            "username": username,
            "password": password,
        }
        answer = http.post("/authorize", data=form)
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in refused ({answer.status_code})")
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        tokens = http.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            auth=(client_id, client_secret),
        )
        tokens.raise_for_status()
        found: dict[str, str] = tokens.json()
        return found


def client_token(issuer: str, client: Client) -> str:
    """A client-credentials access token of the client's own (its ``roles``)."""
    with httpx.Client(base_url=issuer, timeout=10) as http:
        answer = http.post(
            "/token",
            data={"grant_type": "client_credentials"},
            auth=(client.client_id, client.secret),
        )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token
