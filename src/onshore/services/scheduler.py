"""The deadline scheduler: a :class:`~onshore.services.notifier.Notifier` run every
``[notifications] interval_seconds`` by APScheduler's ``BackgroundScheduler``.

``open_scheduler(runtime)`` builds everything from the runtime's settings: a case service
knowing every case kind (:func:`case_kinds`), the notice log in the control store, the
webhooks (their secrets read now, from the environment variable or file the settings name)
and the mailer. ``start()`` runs a first check at once, then one every interval (never two
at a time: a check still running when the next is due makes the next one wait, and missed
runs are merged); ``shutdown()`` waits for the check under way, then closes the notice log.

The same scheduler runs the retention purge hourly (``services.retention_purge.PurgeJob``:
deferred erasures that fell due, retention maximums), the first an hour after ``start()``.

``onshore worker`` runs one in the foreground; ``onshore serve`` runs one beside the API
unless ``[notifications] in_server = false``.

Example:
    >>> import tempfile
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> cfg["deployment"]["control_store"] = "memory://"
    >>> from prometheus_client import CollectorRegistry
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> scheduler = open_scheduler(rt, registry=CollectorRegistry())
    >>> scheduler.notifier.check()
    []
    >>> scheduler.close(); rt.close()
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.kind import CaseKind
from onshore.core.errors import ConfigError
from onshore.services.backoff import Backoff
from onshore.services.cases import CaseService
from onshore.services.mailer import Mailer
from onshore.services.notifier import Channels, Notifier, Sent
from onshore.services.retention_purge import PURGE_INTERVAL_SECONDS, PurgeJob
from onshore.services.runtime import Runtime
from onshore.services.runtime.notices import open_notice_log
from onshore.services.webhooks import Webhook
from onshore.settings.notifications import NotificationSettings

log = logging.getLogger("onshore.notifications")


def case_kinds() -> list[CaseKind]:
    """Every case kind whose clocks the scheduler checks (their lifecycles: which states are
    open, and who may take a case's next step): every declaration of
    ``onshore.core.cases.registry.KINDS``, so a newly declared kind is watched too."""
    from onshore.core.cases.registry import KINDS

    return [CaseKind.of(declared) for declared in KINDS.values()]


def read_secret(
    env: str | None, file: Path | None, what: str, *, base: Path, environ: Mapping[str, str]
) -> str:
    """A secret from the environment variable ``env`` or the file ``file`` (first line).

    ``ConfigError`` names the variable or file when it is missing, never the value.
    """
    if env:
        value = environ.get(env, "")
        if not value:
            raise ConfigError(f"{what}: the environment variable {env} is not set")
        return value
    if file is None:
        raise ConfigError(f"{what}: name an environment variable or a file")
    path = file if file.is_absolute() else base / file
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path} ({type(exc).__name__})") from None
    if not value:
        raise ConfigError(f"{what}: {path} is empty")
    return value


def channels_from(
    settings: NotificationSettings, *, base: Path, environ: Mapping[str, str]
) -> Channels:
    """The webhooks and mailer ``[notifications]`` describes, their secrets read now."""
    hooks = [
        Webhook(
            name=w.name,
            url=w.url,
            secret=read_secret(
                w.secret_env,
                w.secret_file,
                f"notifications.webhooks.{w.name}.secret",
                base=base,
                environ=environ,
            ).encode(),
            events=frozenset(w.events),
            timeout=w.timeout_seconds,
        )
        for w in settings.webhooks
    ]
    smtp = settings.smtp
    if smtp is None:
        return Channels(webhooks=hooks)
    password = None
    if smtp.username:
        password = read_secret(
            smtp.password_env,
            smtp.password_file,
            "notifications.smtp.password",
            base=base,
            environ=environ,
        )
    mailer = Mailer(
        host=smtp.host,
        port=smtp.port,
        sender=smtp.sender,
        starttls=smtp.starttls,
        username=smtp.username,
        password=password,
        timeout=smtp.timeout_seconds,
        ca_file=None if smtp.ca_file is None else base / smtp.ca_file,
    )
    return Channels(
        webhooks=hooks,
        mailer=mailer,
        mail_to=tuple(smtp.to),
        mail_to_roles={role: tuple(a) for role, a in smtp.to_roles.items()},
        mail_events=frozenset(smtp.events),
    )


class DeadlineScheduler:
    """A notifier run every interval on a background thread (see the module docstring)."""

    def __init__(
        self,
        notifier: Notifier,
        interval_seconds: float,
        purge: Callable[[], object] | None = None,
    ) -> None:
        self.notifier = notifier
        self.interval = interval_seconds
        #: The retention purge (``services.retention_purge.PurgeJob``), run hourly.
        self.purge = purge
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._started = False

    def run_once(self) -> list[Sent]:
        """One check now, on the calling thread; what it sent."""
        return self.notifier.check()

    def _tick(self) -> None:
        try:
            sent = self.notifier.check()
        except Exception:  # a failed check is logged; the next one runs on time
            log.exception("deadline check failed")
            return
        for s in sent:  # names the case, never its data
            k = s.key
            log.info(
                f"deadline notice {k.event} {s.kind} {k.case_id} due {k.deadline}: "
                f"{k.channel} {s.outcome} after {s.attempts} tries"
                + (f" ({s.detail})" if s.detail else "")
            )

    def start(self) -> None:
        """Check now, then every interval, on a background thread."""
        from datetime import datetime

        self._scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self.interval, timezone=UTC),
            id="deadlines",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )
        if self.purge is not None:
            self._scheduler.add_job(
                self._purge,
                IntervalTrigger(seconds=PURGE_INTERVAL_SECONDS, timezone=UTC),
                id="retention",  # first run one interval after start
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self._scheduler.start()
        self._started = True

    def _purge(self) -> None:
        assert self.purge is not None
        try:
            self.purge()
        except Exception:  # a failed purge is logged; the next one runs on time
            log.exception("retention purge failed")

    def shutdown(self) -> None:
        """Stop scheduling and wait for a check under way (then ``close`` is safe)."""
        if self._started:
            self._scheduler.shutdown(wait=True)
            self._started = False

    def close(self) -> None:
        """Stop, then close the notice log."""
        self.shutdown()
        self.notifier.log.close()


def open_scheduler(
    runtime: Runtime,
    *,
    registry: CollectorRegistry = REGISTRY,
    environ: Mapping[str, str] | None = None,
    worker: str | None = None,
    backoff: Backoff | None = None,
) -> DeadlineScheduler:
    """The scheduler of ``runtime``'s deployment (``[notifications]`` of its settings);
    ``environ`` is where secrets named by variable are read (default: ``os.environ``),
    ``backoff`` replaces the settings' retry policy (tests pass one that does not sleep)."""
    settings = runtime.settings
    conf = settings.notifications
    channels = channels_from(
        conf, base=Path(settings.base_dir), environ=os.environ if environ is None else environ
    )
    cases = CaseService(runtime, case_kinds(), registry=registry)
    notifier = Notifier(
        cases,
        open_notice_log(settings),
        channels,
        window=timedelta(hours=conf.due_soon_hours),
        backoff=backoff or Backoff(conf.attempts, conf.backoff_seconds, conf.backoff_max_seconds),
        lease=timedelta(seconds=conf.lease_seconds),
        worker=worker,
        registry=registry,
    )
    return DeadlineScheduler(notifier, conf.interval_seconds, purge=PurgeJob(runtime))
