"""A small OpenID Connect provider for tests, served over real HTTP on a loopback port.

It publishes a discovery document, ``/authorize`` (approves the configured user at once and
redirects back with a code), ``/token`` (checks the client secret, the redirect URI and the
PKCE verifier, and answers an RS256 ID token) and ``/jwks``. Its RSA keys are generated
when it starts. ``Provider.behaviour`` lets a test make it misbehave (a tampered signature,
another audience, an expired token, a key it does not publish) to see the client refuse.

``serve(app)`` runs any ASGI app with uvicorn in a thread on a free loopback port (the
tests also run onshore this way, so the browser's redirect dance is real HTTP).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route


@dataclass
class Behaviour:
    """What the provider puts in the next ID tokens (tests change it between sign-ins)."""

    sub: str = "alice-sub"
    claims: dict[str, Any] = field(default_factory=lambda: {"preferred_username": "alice"})
    audience: str | None = None
    """None: the client's id."""
    lifetime: int = 300
    """Seconds until ``exp`` (negative: already expired)."""
    tamper: bool = False
    """Change the payload after signing (the signature no longer matches)."""
    foreign_key: bool = False
    """Sign with a key that is not in the JWKS."""
    nonce: str | None = None
    """None: echo the nonce the client sent."""


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str


class Provider:
    """The provider's state: its client, keys, codes and behaviour."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.issuer = ""  # set once the port is known
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k2", "use": "sig"})
        self.behaviour = Behaviour()
        self.codes: dict[str, _Grant] = {}
        self.token_requests = 0
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "why": "pkce"}, status_code=400)
        if "openid" not in q.get("scope", "").split():
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = _Grant(
            self.client_id, q["redirect_uri"], q.get("nonce", ""), q["code_challenge"]
        )
        query = urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)

    def _client_ok(self, request: Request, form: Any) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return (user, password) == (self.client_id, self.client_secret)
        return (form.get("client_id"), form.get("client_secret")) == (
            self.client_id,
            self.client_secret,
        )

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        if not self._client_ok(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant.challenge:
            return JSONResponse({"error": "invalid_grant", "why": "pkce"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant.nonce),
            }
        )

    def id_token(self, nonce: str) -> str:
        """An ID token as the behaviour says."""
        b = self.behaviour
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": b.sub,
            "aud": b.audience or self.client_id,
            "iat": now,
            "exp": now + b.lifetime,
            "nonce": b.nonce if b.nonce is not None else nonce,
            **b.claims,
        }
        key = self.other_key if b.foreign_key else self.key
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        if b.tamper:
            header, payload, signature = token.split(".")
            forged = {**claims, "sub": "someone-else"}
            payload = jwt.encode({"alg": "RS256"}, forged, key).split(".")[1]
            token = ".".join((header, payload, signature))
        return token


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on 127.0.0.1; yield its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@contextlib.contextmanager
def running_provider(client_id: str, client_secret: str) -> Iterator[Provider]:
    """A provider for ``client_id`` served on a free loopback port."""
    provider = Provider(client_id, client_secret)
    port = free_port()
    provider.issuer = f"http://127.0.0.1:{port}"
    with serve(provider.app, port):
        yield provider
