"""A small but real OpenID Connect provider for development and tests.

It does what the region's identity provider does for Samling, and nothing it does not need:
discovery, a JWKS with a fresh RS256 key per start, the authorization-code flow with PKCE
(S256 only) behind a sign-in page, client credentials for the web app's own token, userinfo
and an end-session endpoint. Access tokens are JWTs for the audience ``samling`` carrying the
user's ``roles``, ``region``, ``municipality`` and ``email``, exactly what the services verify
through ``SAMLING_<SERVICE>_JWT_JWKS_URL``. It keeps no sign-in session of its own, so every
sign-in asks for the password and signing out at the web app is the end of it.

Not for production: users and clients are fixed at start, codes live in memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jwt.algorithms import RSAAlgorithm

from samling_devtools.oidc.pages import login_page, refused_page
from samling_devtools.oidc.users import DEMO_CLIENTS, DEMO_USERS, Client, DemoUser

AUDIENCE = "samling"
CODE_SECONDS = 60
AUTHORIZE_FIELDS = ("client_id", "redirect_uri", "state", "nonce", "code_challenge", "scope")


@dataclass(frozen=True)
class _Grant:
    user: DemoUser
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    expires: float


class OidcProvider:
    """The provider's keys, users, clients and issued codes; :meth:`app` serves them."""

    def __init__(
        self,
        issuer: str,
        *,
        users: Sequence[DemoUser] = DEMO_USERS,
        clients: Sequence[Client] = DEMO_CLIENTS,
        token_lifetime: timedelta = timedelta(minutes=30),
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.users = {u.username: u for u in users}
        self.clients = {c.client_id: c for c in clients}
        self.token_lifetime = token_lifetime
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self._codes: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    # -- tokens ----------------------------------------------------------------------------
    def sign(self, claims: dict[str, Any]) -> str:
        """Signs any claims with the provider's key (tests use it for expired or wrong-issuer
        tokens that only the provider's key can make)."""
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def issue(self, subject: str, *, lifetime: timedelta | None = None, **claims: Any) -> str:
        """An access token for the services (audience ``samling``)."""
        now = datetime.now(UTC)
        return self.sign(
            {
                "iss": self.issuer,
                "aud": AUDIENCE,
                "sub": subject,
                "iat": now,
                "exp": now + (lifetime or self.token_lifetime),
                **claims,
            }
        )

    def access_token(
        self, user: DemoUser, client_id: str, *, lifetime: timedelta | None = None
    ) -> str:
        return self.issue(user.subject, lifetime=lifetime, azp=client_id, **user.claims())

    def id_token(self, user: DemoUser, client_id: str, nonce: str | None) -> str:
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": user.subject,
            "iat": now,
            "exp": now + self.token_lifetime,
            **user.claims(),
        }
        if nonce:
            claims["nonce"] = nonce
        return self.sign(claims)

    def client_token(self, client: Client) -> str:
        return self.issue(
            f"client-{client.client_id}", azp=client.client_id, roles=list(client.roles)
        )

    def public_key(self) -> rsa.RSAPublicKey:
        return self._key.public_key()

    def jwks(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    # -- clients and codes -----------------------------------------------------------------
    def redirect_allowed(self, client: Client, uri: str) -> bool:
        if client.redirect_uris:
            return uri in client.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")

    def authenticate_client(self, client_id: str | None, secret: str | None) -> Client | None:
        client = self.clients.get(client_id or "")
        if client is None or secret is None:
            return None
        return client if hmac.compare_digest(client.secret, secret) else None

    def issue_code(self, grant: _Grant) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = grant
        return code

    def redeem(self, code: str) -> _Grant | None:
        with self._lock:
            grant = self._codes.pop(code, None)  # a code works once
        return grant if grant is not None and grant.expires > time.time() else None

    def app(self) -> FastAPI:
        return _app(self)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _token_error(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers={"Cache-Control": "no-store"})


def _client_credentials(
    authorization: str | None, client_id: str | None, client_secret: str | None
) -> tuple[str | None, str | None]:
    """client_secret_basic, else client_secret_post."""
    if authorization and authorization.lower().startswith("basic "):
        raw = base64.b64decode(authorization[6:]).decode()
        basic_id, _, basic_secret = raw.partition(":")
        return basic_id, basic_secret
    return client_id, client_secret


def _app(provider: OidcProvider) -> FastAPI:
    app = FastAPI(title="Samling development identity provider", docs_url=None, redoc_url=None)
    issuer = provider.issuer

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": ["sub", "name", "email", "roles", "region", "municipality"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return provider.jwks()

    def _checked(
        params: dict[str, str], response_type: str | None, method: str | None
    ) -> str | None:
        client = provider.clients.get(params.get("client_id", ""))
        if client is None or not provider.redirect_allowed(client, params.get("redirect_uri", "")):
            return "Unknown client or redirect URI."
        if (
            response_type not in (None, "code")
            or method != "S256"
            or not params.get("code_challenge")
        ):
            return "Only the authorization-code flow with PKCE (S256) is supported."
        return None

    @app.get("/authorize", response_model=None)
    async def authorize(request: Request) -> Response:
        query = request.query_params
        params = {name: query[name] for name in AUTHORIZE_FIELDS if name in query}
        refused = _checked(params, query.get("response_type"), query.get("code_challenge_method"))
        if refused:
            return refused_page(refused)
        params["code_challenge_method"] = "S256"
        return login_page(params, None)

    @app.post("/authorize", response_model=None)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        params = {name: str(form[name]) for name in AUTHORIZE_FIELDS if name in form}
        refused = _checked(params, None, str(form.get("code_challenge_method", "")))
        if refused:
            return refused_page(refused)
        params["code_challenge_method"] = "S256"
        username = str(form.get("username", "")).strip()
        user = provider.users.get(username)
        password = str(form.get("password", ""))
        if user is None or not hmac.compare_digest(user.password.encode(), password.encode()):
            return login_page(params, "Wrong username or password.", username)
        code = provider.issue_code(
            _Grant(
                user=user,
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                code_challenge=params["code_challenge"],
                nonce=params.get("nonce"),
                expires=time.time() + CODE_SECONDS,
            )
        )
        answer = {"code": code, **({"state": params["state"]} if "state" in params else {})}
        separator = "&" if "?" in params["redirect_uri"] else "?"
        return RedirectResponse(f"{params['redirect_uri']}{separator}{urlencode(answer)}", 303)

    @app.post("/token")
    async def token(
        grant_type: Annotated[str, Form()],
        code: Annotated[str | None, Form()] = None,
        redirect_uri: Annotated[str | None, Form()] = None,
        code_verifier: Annotated[str | None, Form()] = None,
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        client = provider.authenticate_client(
            *_client_credentials(authorization, client_id, client_secret)
        )
        if client is None:
            return _token_error("invalid_client", 401)
        lifetime = int(provider.token_lifetime.total_seconds())
        if grant_type == "client_credentials":
            issued = {"access_token": provider.client_token(client), "token_type": "Bearer"}
            return JSONResponse(
                {**issued, "expires_in": lifetime}, headers={"Cache-Control": "no-store"}
            )
        if grant_type != "authorization_code":
            return _token_error("unsupported_grant_type")
        grant = provider.redeem(code or "")
        if (
            grant is None
            or grant.client_id != client.client_id
            or grant.redirect_uri != redirect_uri
            or not code_verifier
            or not hmac.compare_digest(_s256(code_verifier), grant.code_challenge)
        ):
            return _token_error("invalid_grant")
        body: dict[str, str | int] = {
            "access_token": provider.access_token(grant.user, client.client_id),
            "id_token": provider.id_token(grant.user, client.client_id, grant.nonce),
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": "openid profile email",
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @app.get("/userinfo")
    async def userinfo(authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
        token = (authorization or "").removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(
                token,
                provider.public_key(),
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=issuer,
            )
        except jwt.PyJWTError:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        user = next((u for u in provider.users.values() if u.subject == claims["sub"]), None)
        return JSONResponse({"sub": claims["sub"], **(user.claims() if user else {})})

    @app.get("/logout", response_model=None)
    async def logout(
        post_logout_redirect_uri: str | None = None, client_id: str | None = None
    ) -> Response:
        client = provider.clients.get(client_id or "")
        if (
            post_logout_redirect_uri
            and client
            and provider.redirect_allowed(client, post_logout_redirect_uri)
        ):
            return RedirectResponse(post_logout_redirect_uri, 303)
        return HTMLResponse(
            "<!doctype html><html lang='en'><title>Signed out</title><p>Signed out.</p></html>"
        )

    return app


class OidcServer:
    """The provider on its own port, served by uvicorn in a daemon thread (for tests and
    ``samling dev up``, which both run it next to other servers in one process)."""

    def __init__(self, port: int, host: str = "127.0.0.1", **options: Any) -> None:
        self.provider = OidcProvider(f"http://{host}:{port}", **options)
        self._server = uvicorn.Server(
            uvicorn.Config(self.provider.app(), host=host, port=port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, name="oidc-provider", daemon=True)

    @property
    def issuer(self) -> str:
        return self.provider.issuer

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def start(self, timeout: float = 20) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the OIDC provider did not start on {self.issuer}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server; harmless when it never started (``dev up`` stops everything when
        an earlier server fails, and that failure is the one to show)."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    @contextmanager
    def running(self) -> Iterator[OidcServer]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
