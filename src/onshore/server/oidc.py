"""OpenID Connect sign-in (authorization code flow with PKCE), through authlib and joserfc.

``OidcClient.begin`` makes the provider's authorization URL with a fresh ``state``, ``nonce``
and PKCE ``S256`` challenge; the three secrets travel in a short-lived cookie signed with a
key derived from the client secret (``seal_pending``/``open_pending``), so nothing is kept
server-side and any worker can finish the sign-in. ``OidcClient.finish`` checks the
callback's ``state`` against that cookie, exchanges the code at the token endpoint
(authlib's ``OAuth2Session``, sending the PKCE verifier and the client secret), and verifies
the ID token (joserfc): its signature against the provider's JWKS (fetched again once when
a key id is unknown), then ``iss``, ``aud`` (and ``azp``), ``exp``, ``iat`` and ``nonce``.
Every failure is a typed error (``auth.oidc_*``); the provider's documents are fetched on
first use and kept.

Example:
    >>> sealed = seal_pending(b"k", Pending("s", "n", "v", 100))
    >>> open_pending(b"k", sealed, now=50).state
    's'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from onshore.core.errors import (
    ConfigError,
    OidcProviderUnavailable,
    OidcStateInvalid,
    OidcTokenInvalid,
)
from onshore.ports import Clock
from onshore.settings.oidc import OidcSettings

log = logging.getLogger("onshore.server.oidc")

#: How long a started sign-in may take before its callback is refused (seconds).
PENDING_SECONDS = 600

#: Signature algorithms accepted for ID tokens (asymmetric only: never ``none`` or HMAC).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")


@dataclass(frozen=True, slots=True)
class Pending:
    """A sign-in under way: its state, nonce, PKCE verifier and expiry (epoch seconds)."""

    state: str
    nonce: str
    verifier: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_pending(key: bytes, pending: Pending) -> str:
    """``pending`` as a cookie value: JSON and its HMAC-SHA256 under ``key``."""
    body = json.dumps(asdict(pending), separators=(",", ":")).encode()
    return _b64(body) + "." + _b64(hmac.new(key, body, hashlib.sha256).digest())


def open_pending(key: bytes, value: str | None, *, now: int) -> Pending:
    """The sign-in a cookie value holds; ``OidcStateInvalid`` when it is missing, forged
    or expired."""
    if not value or value.count(".") != 1 or len(value) > 2048:
        raise OidcStateInvalid(
            "no sign-in was started in this browser", details={"reason": "missing"}
        )
    body_text, mac_text = value.split(".")
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
        valid = hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), mac)
        pending = Pending(**json.loads(body)) if valid else None
    except (ValueError, TypeError):
        pending = None
    if pending is None:
        raise OidcStateInvalid("the sign-in cookie is not valid", details={"reason": "forged"})
    if now >= pending.expires:
        raise OidcStateInvalid(
            "the sign-in took too long; start again", details={"reason": "expired"}
        )
    return pending


def read_client_secret(settings: OidcSettings, base_dir: Path) -> str:
    """The client secret from the environment variable or file the settings name
    (``ConfigError`` when it is not there; the message never holds the secret)."""
    if settings.client_secret_env:
        value = os.environ.get(settings.client_secret_env, "")
        where = f"environment variable {settings.client_secret_env}"
    else:
        assert settings.client_secret_file is not None
        path = settings.client_secret_file
        path = path if path.is_absolute() else base_dir / path
        where = f"file {path}"
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"oidc: cannot read the client secret from {where}") from exc
    if not value:
        raise ConfigError(f"oidc: the client secret ({where}) is empty or unset")
    return value


class OidcClient:
    """One relying party: the provider's documents, and the two halves of a sign-in."""

    def __init__(self, settings: OidcSettings, client_secret: str, clock: Clock) -> None:
        assert settings.issuer
        self.settings = settings
        self.issuer = settings.issuer.rstrip("/")
        self._secret = client_secret
        self.clock = clock
        self.cookie_key = hmac.new(
            client_secret.encode(), b"onshore oidc pending sign-in", hashlib.sha256
        ).digest()
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def _get(self, url: str) -> Any:
        try:
            answer = requests.get(url, timeout=self.settings.timeout_seconds)
            answer.raise_for_status()
            return answer.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("oidc provider unavailable", extra={"reason": type(exc).__name__})
            raise OidcProviderUnavailable(
                "the sign-in provider could not be reached", details={"reason": type(exc).__name__}
            ) from exc

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once; its issuer must be ours)."""
        with self._lock:
            if self._metadata is None:
                doc = self._get(self.issuer + "/.well-known/openid-configuration")
                needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
                if not isinstance(doc, dict) or any(not doc.get(k) for k in needed):
                    raise OidcProviderUnavailable(
                        "the provider's discovery document is incomplete",
                        details={"reason": "discovery"},
                    )
                if doc["issuer"].rstrip("/") != self.issuer:
                    raise OidcProviderUnavailable(
                        "the provider's discovery document names another issuer",
                        details={"reason": "issuer"},
                    )
                self._metadata = doc
            return self._metadata

    def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys (its JWKS), fetched again when ``refresh``."""
        jwks_uri = self.metadata()["jwks_uri"]
        with self._lock:
            if self._keys is None or refresh:
                try:
                    self._keys = KeySet.import_key_set(self._get(jwks_uri))
                except (JoseError, ValueError, TypeError, KeyError) as exc:
                    raise OidcProviderUnavailable(
                        "the provider's JWKS is not valid", details={"reason": "jwks"}
                    ) from exc
            return self._keys

    def _session(self) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.settings.client_id,
            client_secret=self._secret,
            scope=" ".join(dict.fromkeys(["openid", *self.settings.scopes])),
            redirect_uri=self.settings.redirect_url,
            code_challenge_method="S256",
        )

    def begin(self) -> tuple[str, Pending]:
        """The authorization URL to send the browser to, and the sign-in to remember."""
        pending = Pending(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
            expires=int(self.clock.now().timestamp()) + PENDING_SECONDS,
        )
        with self._session() as session:
            url, _ = session.create_authorization_url(
                self.metadata()["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.verifier,
                nonce=pending.nonce,
            )
        return url, pending

    def finish(self, pending: Pending, params: Mapping[str, str]) -> dict[str, Any]:
        """Check the callback's ``params`` against ``pending``, exchange the code and return
        the verified ID token's claims."""
        if not hmac.compare_digest(params.get("state", "").encode(), pending.state.encode()):
            raise OidcStateInvalid(
                "the state does not match this sign-in", details={"reason": "state"}
            )
        if params.get("error"):
            error = str(params["error"])[:64]
            raise OidcTokenInvalid(
                "the provider refused the sign-in", details={"reason": "provider", "error": error}
            )
        code = params.get("code")
        if not code:
            raise OidcTokenInvalid("the callback carries no code", details={"reason": "no_code"})
        with self._session() as session:
            try:
                token = session.fetch_token(
                    self.metadata()["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.verifier,
                    timeout=self.settings.timeout_seconds,
                )
            except (OAuthError, OAuth2Error) as exc:
                raise OidcTokenInvalid(
                    "the provider refused the code",
                    details={"reason": "exchange", "error": exc.error},
                ) from exc
            except requests.RequestException as exc:
                raise OidcProviderUnavailable(
                    "the sign-in provider could not be reached",
                    details={"reason": type(exc).__name__},
                ) from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcTokenInvalid(
                "the provider sent no ID token", details={"reason": "no_id_token"}
            )
        return self.verify(id_token, pending.nonce)

    def _decode(self, id_token: str) -> jwt.Token:
        algorithms = [
            a
            for a in self.metadata().get("id_token_signing_alg_values_supported", ["RS256"])
            if a in ALGORITHMS
        ] or ["RS256"]
        for refresh in (False, True):  # an unknown key id: the provider may have rotated
            try:
                return jwt.decode(id_token, self.keys(refresh=refresh), algorithms=algorithms)
            except (ValueError, JoseError) as exc:
                if refresh or "key" not in type(exc).__name__.lower():
                    raise OidcTokenInvalid(
                        "the ID token's signature does not verify", details={"reason": "signature"}
                    ) from exc
        raise AssertionError("unreachable")

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of ``id_token`` once its signature, issuer, audience, expiry and nonce
        are checked (``OidcTokenInvalid`` naming the first that fails)."""
        claims = self._decode(id_token).claims
        registry = jwt.JWTClaimsRegistry(
            now=int(self.clock.now().timestamp()),
            leeway=60,
            iss={"essential": True, "value": self.metadata()["issuer"]},
            aud={"essential": True, "value": self.settings.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise OidcTokenInvalid("the ID token has expired", details={"reason": "exp"}) from exc
        except JoseError as exc:
            claim = str(getattr(exc, "claim", "") or exc.description or "claims")
            raise OidcTokenInvalid(
                f"the ID token's {claim} claim is not valid", details={"reason": claim}
            ) from exc
        audience = claims["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.settings.client_id:
            raise OidcTokenInvalid(
                "the ID token's azp claim is not valid", details={"reason": "azp"}
            )
        return claims


def open_oidc(settings: OidcSettings, base_dir: Path, clock: Clock) -> OidcClient | None:
    """The OIDC client of ``[oidc]``, or None when OIDC sign-in is off."""
    if not settings.enabled:
        return None
    return OidcClient(settings, read_client_secret(settings, base_dir), clock)
