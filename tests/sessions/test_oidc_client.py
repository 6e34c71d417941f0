"""The OIDC relying party against a real local provider over HTTP: PKCE, state, and every
ID-token check (signature, issuer, audience, expiry, nonce)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from onshore.adapters.clock import SystemClock
from onshore.core.errors import OidcProviderUnavailable, OidcStateInvalid, OidcTokenInvalid
from onshore.server.oidc import OidcClient, Pending, open_pending, seal_pending
from onshore.settings.oidc import OidcSettings
from tests.support.oidc_provider import Provider, free_port, running_provider

SECRET = "test-client-secret"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider("onshore-test", SECRET) as p:
        yield p


@pytest.fixture
def client(provider: Provider) -> OidcClient:
    provider.behaviour.__init__()  # type: ignore[misc]  # back to a well-behaved provider
    settings = OidcSettings(
        issuer=provider.issuer,
        client_id="onshore-test",
        client_secret_env="UNUSED",
        redirect_url="http://127.0.0.1:1/v1/session/oidc/callback",
    )
    return OidcClient(settings, SECRET, SystemClock())


def _authorize(client: OidcClient) -> tuple[Pending, dict[str, str]]:
    url, pending = client.begin()
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] == [pending.nonce]
    assert query["state"] == [pending.state] and "openid" in query["scope"][0].split()
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    return pending, {k: v[0] for k, v in back.items()}


def test_round_trip_verifies_the_id_token(client: OidcClient) -> None:
    pending, params = _authorize(client)
    claims = client.finish(pending, params)
    assert claims["sub"] == "alice-sub" and claims["preferred_username"] == "alice"
    assert claims["aud"] == "onshore-test" and claims["nonce"] == pending.nonce


def test_wrong_state_is_refused_before_the_code_is_spent(
    client: OidcClient, provider: Provider
) -> None:
    pending, params = _authorize(client)
    before = provider.token_requests
    with pytest.raises(OidcStateInvalid):
        client.finish(pending, {**params, "state": "forged"})
    assert provider.token_requests == before


def test_code_with_another_verifier_is_refused(client: OidcClient) -> None:
    pending, params = _authorize(client)
    other = Pending(pending.state, pending.nonce, "x" * 64, pending.expires)
    with pytest.raises(OidcTokenInvalid) as exc:
        client.finish(other, params)
    assert exc.value.details == {"reason": "exchange", "error": "invalid_grant"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"tamper": True}, "signature"),
        ({"foreign_key": True}, "signature"),
        ({"audience": "someone-else"}, "aud"),
        ({"lifetime": -600}, "exp"),
        ({"nonce": "replayed"}, "nonce"),
    ],
)
def test_bad_id_tokens_are_refused(
    client: OidcClient, provider: Provider, change: dict[str, object], reason: str
) -> None:
    for name, value in change.items():
        setattr(provider.behaviour, name, value)
    pending, params = _authorize(client)
    with pytest.raises(OidcTokenInvalid) as exc:
        client.finish(pending, params)
    assert exc.value.code == "auth.oidc_token_invalid"
    assert exc.value.details["reason"] == reason


def test_pending_cookie_is_signed_and_short_lived() -> None:
    sealed = seal_pending(b"key", Pending("s", "n", "v", 1000))
    assert open_pending(b"key", sealed, now=999).verifier == "v"
    for value, now, reason in [
        (None, 0, "missing"),
        (sealed, 1000, "expired"),
        (seal_pending(b"other", Pending("s", "n", "v", 1000)), 0, "forged"),
        (sealed[:-2] + ("AA" if not sealed.endswith("AA") else "BB"), 0, "forged"),
        ("a.b", 0, "forged"),
    ]:
        with pytest.raises(OidcStateInvalid) as exc:
            open_pending(b"key", value, now=now)
        assert exc.value.details["reason"] == reason


def test_unreachable_provider_is_a_typed_error() -> None:
    settings = OidcSettings(
        issuer=f"http://127.0.0.1:{free_port()}",
        client_id="c",
        client_secret_env="UNUSED",
        redirect_url="http://127.0.0.1:1/cb",
        timeout_seconds=2,
    )
    with pytest.raises(OidcProviderUnavailable):
        OidcClient(settings, SECRET, SystemClock()).begin()


def test_a_rotated_signing_key_is_fetched_once(client: OidcClient, provider: Provider) -> None:
    from joserfc.jwk import RSAKey

    pending, params = _authorize(client)
    client.finish(pending, params)  # the JWKS is cached now
    old = provider.key
    provider.key = RSAKey.generate_key(2048, parameters={"kid": "k-rotated", "use": "sig"})
    try:
        pending, params = _authorize(client)
        assert client.finish(pending, params)["sub"] == "alice-sub"
    finally:
        provider.key = old
