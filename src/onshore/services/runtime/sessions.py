"""The browser-session service of a deployment, over its control store (the adapter is
chosen here, by the URL scheme of ``settings.deployment.control_store``)."""

from __future__ import annotations

from onshore.adapters.control_store import open_control_port
from onshore.ports import Clock
from onshore.ports.sessions import SessionStore
from onshore.services.sessions import Sessions
from onshore.settings import Settings


def open_session_store(settings: Settings) -> SessionStore:
    """The session store in the deployment's control database (``memory://``,
    ``sqlite:///``, ``postgresql://``), its schema brought up to date.

    Example:
        >>> from onshore.settings import default_config_dict
        >>> cfg = default_config_dict(); cfg["deployment"]["control_store"] = "memory://"
        >>> open_session_store(Settings.model_validate(cfg)).by_digest(b"x") is None
        True
    """
    store: SessionStore = open_control_port(
        settings.deployment.control_store, "sessions", "SessionStore", base=settings.base_dir
    )
    return store


def open_sessions(settings: Settings, clock: Clock) -> Sessions:
    """The session service of a deployment, with the ``[sessions]`` timeouts."""
    return Sessions(
        open_session_store(settings),
        clock,
        idle=settings.sessions.idle,
        absolute=settings.sessions.absolute,
    )
