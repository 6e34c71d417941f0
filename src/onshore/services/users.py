"""Users: people with roles who sign in with a password (and a TOTP code when enrolled), and
the service accounts that hold tokens for programs.

Every change (create, disable, enable, roles, password, TOTP) is taken by a
:class:`~onshore.core.identity.Principal` and written to the default region's ledger as an
``identity_changed`` event: actor the principal's id (keyed-hashed by the ledger), payload
the kind of account, what changed and the roles, and the account's id under ``refs``; never
a password, hash or secret. Signing in is ``authenticate`` (``services.sign_in``); a user
exchanges it for an expiring token with ``login``.

Example:
    >>> from onshore.adapters.clock import SystemClock
    >>> from onshore.adapters.memory.tokens import MemoryTokenStore
    >>> from onshore.adapters.memory.users import MemoryUserStore
    >>> from onshore.core.identity import host_administrator
    >>> from onshore.settings.identities import IdentitySettings
    >>> fast = IdentitySettings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)
    >>> users = Users(Tokens(MemoryTokenStore(), MemoryUserStore(), SystemClock()), fast)
    >>> admin = host_administrator("root")
    >>> lan = users.create(admin, "lan", ["approver"], password="a long passphrase")
    >>> lan.user_id.startswith("usr_"), users.authenticate("lan", "a long passphrase").roles
    (True, frozenset({'approver'}))
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from onshore.core.errors import (
    InputError,
    OwnerDisabled,
    RoleRevoked,
    Unauthenticated,
    UserNotFound,
)
from onshore.core.identity import Principal, Via
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import Owner, ServiceAccount, User
from onshore.services.context import Runtime
from onshore.services.ledger import Ledger
from onshore.services.passwords import Passwords
from onshore.services.sign_in import SignIn
from onshore.services.tokens import IssuedToken, Tokens, check_name, check_role
from onshore.services.totp import new_secret, provisioning_uri
from onshore.settings.identities import IdentitySettings

log = logging.getLogger("onshore.identity")

#: Where identity events go: appends one event to the default region's ledger.
Journal = Callable[[LedgerEvent], object]


def ledger_journal(runtime: Runtime) -> Journal:
    """A journal appending each event to its region's ledger in a transaction of its own
    (for local commands; the server group-commits through its access ledger)."""

    def append(event: LedgerEvent) -> None:
        region = runtime.region(event.region)
        with region.db.transaction():
            Ledger(region.name, region.db, region.keys).append([event])

    return append


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    """A new TOTP secret and its ``otpauth://`` URI: shown once, never again."""

    secret: str
    uri: str


def _roles(roles: Iterable[str]) -> frozenset[str]:
    if isinstance(roles, str):
        roles = [roles]
    return frozenset(check_role(r) for r in roles)


def _text(value: str | None, field: str, longest: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= longest or not value.isprintable():
        raise InputError(f"{field} is 1-{longest} printable characters", details={"field": field})
    if field == "email" and (value.count("@") != 1 or " " in value):
        raise InputError("email is not an e-mail address", details={"field": field})
    return value


class Users:
    """Manage users and service accounts, and sign users in (see module)."""

    def __init__(
        self,
        tokens: Tokens,
        settings: IdentitySettings | None = None,
        *,
        journal: Journal | None = None,
        region: str = "",
        passwords: Passwords | None = None,
    ) -> None:
        self.tokens = tokens
        self.store = tokens.owners
        self.clock = tokens.clock
        self.settings = settings or IdentitySettings()
        self.passwords = passwords or Passwords.from_settings(self.settings)
        self.journal = journal
        self.region = region
        self.sign_in = SignIn(self.store, self.clock, self.passwords, self.settings)

    # -- reading ---------------------------------------------------------------------------

    def get(self, name_or_id: str) -> User:
        """A user by name or id; ``UserNotFound`` when there is none."""
        found = (
            self.store.user(name_or_id)
            if name_or_id.startswith("usr_")
            else self.store.user_by_name(name_or_id)
        )
        if found is None:
            raise UserNotFound("no user with that name or id", details={"user": name_or_id[:64]})
        return found

    def page(self, after: str | None = None, limit: int = 100) -> list[User]:
        """Users ordered by name, ``limit`` at a time after the name ``after``."""
        return self.store.users(after, limit)

    def services(self, after: str | None = None, limit: int = 100) -> list[ServiceAccount]:
        """Service accounts ordered by name."""
        return self.store.services(after, limit)

    def service(self, name_or_id: str) -> ServiceAccount:
        """A service account by name or id; ``UserNotFound`` when there is none."""
        found = (
            self.store.service(name_or_id)
            if name_or_id.startswith("svc_")
            else self.store.service_by_name(name_or_id)
        )
        if found is None:
            raise UserNotFound(
                "no service account with that name or id", details={"account": name_or_id[:64]}
            )
        return found

    # -- changing --------------------------------------------------------------------------

    def _record(self, actor: Principal, owner: Owner, change: str) -> None:
        self.tokens.clear_cache()
        kind = "user" if isinstance(owner, User) else "service_account"
        ident = owner.user_id if isinstance(owner, User) else owner.account_id
        log.info(
            "identity changed",
            extra={"actor": actor.id, "account": ident, "change": change, "kind": kind},
        )
        if self.journal is None:
            return
        self.journal(
            LedgerEvent(
                type=EventType.IDENTITY_CHANGED,
                at=self.clock.now(),
                region=self.region,
                actor=actor.id,
                payload={
                    "kind": kind,
                    "transition": change,
                    "roles": sorted(owner.roles),
                    "refs": {"account": ident},
                },
            )
        )

    def _save(self, actor: Principal, old: User, new: User, change: str) -> User:
        new = replace(new, updated_at=self.clock.now())
        self.store.update_user(new, old.updated_at)
        self._record(actor, new, change)
        return new

    def create(
        self,
        actor: Principal,
        name: str,
        roles: Iterable[str],
        *,
        password: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> User:
        """Add a user holding ``roles`` (one or more); ``UserNameTaken`` when the name is in
        use. Without a password the user cannot sign in until one is set."""
        check_name(name, "user")
        held = _roles(roles)
        if not held:
            raise InputError("a user holds one or more roles", details={"field": "roles"})
        now = self.clock.now()
        user = User(
            user_id="usr_" + secrets.token_hex(8),
            name=name,
            roles=held,
            created_at=now,
            updated_at=now,
            display_name=_text(display_name, "display_name", 128),
            email=_text(email, "email", 254),
            password_hash=None if password is None else self.passwords.hash(password),
        )
        self.store.insert_user(user)
        self._record(actor, user, "created")
        return user

    def disable(self, actor: Principal, name_or_id: str) -> User:
        """Disable a user: no sign-in, and every token of theirs answers 401 at once."""
        user = self.get(name_or_id)
        return (
            user
            if user.disabled
            else self._save(actor, user, replace(user, disabled=True), "disabled")
        )

    def enable(self, actor: Principal, name_or_id: str) -> User:
        """Enable a disabled user again (their unexpired tokens work again)."""
        user = self.get(name_or_id)
        return (
            user
            if not user.disabled
            else self._save(actor, user, replace(user, disabled=False), "enabled")
        )

    def set_roles(self, actor: Principal, name_or_id: str, roles: Iterable[str]) -> User:
        """Give a user exactly ``roles``; a token keeps only the roles its owner still holds."""
        user = self.get(name_or_id)
        held = _roles(roles)
        if held == user.roles:
            return user
        return self._save(actor, user, replace(user, roles=held), "roles_changed")

    def change_roles(
        self,
        actor: Principal,
        name_or_id: str,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> User:
        """Add and remove roles of a user (``set_roles`` of the result)."""
        user = self.get(name_or_id)
        return self.set_roles(actor, user.user_id, (user.roles | _roles(add)) - _roles(remove))

    def set_password(self, actor: Principal, name_or_id: str, password: str) -> User:
        """Set a user's password (hashed; the lockout is cleared)."""
        user = self.get(name_or_id)
        changed = self._save(
            actor, user, replace(user, password_hash=self.passwords.hash(password)), "password_set"
        )
        self.store.record_success(user.user_id)
        return changed

    def enrol_totp(self, actor: Principal, name_or_id: str) -> TotpEnrolment:
        """Give a user a new TOTP secret (replacing any); the secret and its URI are
        returned this once. From now on the user signs in with a code."""
        user = self.get(name_or_id)
        secret = new_secret()
        self._save(actor, user, replace(user, totp_secret=secret), "totp_enrolled")
        return TotpEnrolment(secret, provisioning_uri(secret, user.name, self.settings.totp_issuer))

    def remove_totp(self, actor: Principal, name_or_id: str) -> User:
        """Remove a user's TOTP second factor."""
        user = self.get(name_or_id)
        if user.totp_secret is None:
            return user
        return self._save(actor, user, replace(user, totp_secret=None), "totp_removed")

    def change_service(
        self,
        actor: Principal,
        name_or_id: str,
        *,
        disabled: bool | None = None,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> ServiceAccount:
        """Disable or enable a service account, or add and remove its roles (its tokens
        follow on their next request)."""
        account = self.service(name_or_id)
        roles = (account.roles | _roles(add)) - _roles(remove)
        state = account.disabled if disabled is None else disabled
        if (roles, state) == (account.roles, account.disabled):
            return account
        new = replace(account, roles=roles, disabled=state, updated_at=self.clock.now())
        self.store.update_service(new, account.updated_at)
        if roles != account.roles:
            self._record(actor, new, "roles_changed")
        if state != account.disabled:
            self._record(actor, new, "disabled" if state else "enabled")
        return new

    def service_token(self, actor: Principal, name: str, role: str) -> IssuedToken:
        """A token for the service account ``name`` carrying ``role`` (the account is made or
        given the role when needed, and that change recorded): ``onshore token create``."""
        check_role(role)
        check_name(name)
        before = self.store.service_by_name(name)
        issued = self.tokens.create(name, role)
        after = self.tokens.owner(issued.info.owner_id)
        if after is not None and (before is None or before.roles != after.roles):
            self._record(actor, after, "created" if before is None else "roles_changed")
        return issued

    # -- signing in ------------------------------------------------------------------------

    def authenticate(
        self, name: str, password: str, totp: str | None = None, *, via: Via = "token"
    ) -> Principal:
        """The principal of a user signing in with ``password`` (and ``totp`` when they
        have a second factor); typed errors otherwise (``services.sign_in``)."""
        user = self.sign_in.check(name, password, totp)
        return Principal("user", user.user_id, user.name, user.roles, None, via)

    def current(
        self, user_id: str, *, via: Via = "session", session_id: str | None = None
    ) -> Principal:
        """The principal of user ``user_id`` as the user is now (a browser session re-reads
        it at each request): ``Unauthenticated`` when the user is gone, ``OwnerDisabled``
        when disabled, ``RoleRevoked`` when they hold no role."""
        user = self.store.user(user_id)
        if user is None:
            raise Unauthenticated("the user no longer exists", details={"reason": "invalid"})
        if user.disabled:
            raise OwnerDisabled("the user is disabled", details={"reason": "owner_disabled"})
        if not user.roles:
            raise RoleRevoked("the user holds no role", details={"reason": "role_revoked"})
        return Principal("user", user.user_id, user.name, user.roles, None, via, session_id)

    def login(
        self, name: str, password: str, totp: str | None = None, ttl_seconds: int | None = None
    ) -> IssuedToken:
        """Sign a user in and issue a bearer token carrying every role they hold, expiring
        after ``ttl_seconds`` (default ``login_token_ttl_seconds``; a longer one than
        ``login_token_max_ttl_seconds`` is cut to it)."""
        ttl = self.settings.login_token_ttl_seconds if ttl_seconds is None else ttl_seconds
        if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0:
            raise InputError("ttl is a positive number of seconds", details={"field": "ttl"})
        ttl = min(ttl, self.settings.login_token_max_ttl_seconds)
        principal = self.authenticate(name, password, totp)
        user = self.get(principal.id)
        if not user.roles:
            raise RoleRevoked("the user holds no role", details={"reason": "role_revoked"})
        label = f"{user.name[:40]}.login.{secrets.token_hex(6)}"
        expires = self.clock.now() + timedelta(seconds=ttl)
        return self.tokens.issue(user, label, user.roles, expires_at=expires)

    def logout(self, principal: Principal) -> None:
        """Revoke the token ``principal`` authenticated with (nothing for a session)."""
        if principal.token_id is not None:
            self.tokens.revoke(principal.token_id)
