"""``onshore worker``: the deadline scheduler in the foreground.

It checks every case kind's clocks every ``[notifications] interval_seconds`` and notifies
once per case, deadline, event and channel (the ledger for a breach, the webhooks, e-mail):
``onshore.services.scheduler``. SIGTERM or Ctrl-C stops it cleanly (the check under way
finishes, then the stores close). ``--once`` runs one check and prints what it sent.

Several workers (and servers) of one deployment share the notice log in the control store,
so none sends a notice another already sent.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from typing import Annotated, Any

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt, runtime_from

console = CliConsole()
log = logging.getLogger("onshore.worker")

OnceOpt = Annotated[bool, typer.Option("--once", help="Run one check, print it, and exit.")]
MetricsOpt = Annotated[
    int | None,
    typer.Option(
        "--metrics-port",
        help="Serve Prometheus metrics on 127.0.0.1:PORT while running (default: none).",
        min=1,
        max=65535,
    ),
]


def _print(sent: list[Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in sent]))
        return
    if not sent:
        console.print("nothing to notify")
        return
    table = Table("event", "case", "kind", "deadline", "channel", "outcome", "tries")
    for s in sent:
        k = s.key
        table.add_row(k.event, k.case_id, s.kind, k.deadline, k.channel, s.outcome, str(s.attempts))
    console.print(table)


def worker(
    config: ConfigOpt = None,
    once: OnceOpt = False,
    as_json: JsonOpt = False,
    metrics_port: MetricsOpt = None,
) -> None:
    """Check case deadlines and send due-soon and breach notices (webhooks, e-mail).

    Runs until SIGTERM or Ctrl-C; ``--once`` checks once and prints what it sent.
    Example: ``onshore worker --once --json``
    """
    from onshore.services.scheduler import open_scheduler

    with runtime_from(config) as runtime:
        scheduler = open_scheduler(runtime)
        try:
            if once:
                _print(scheduler.run_once(), as_json)
                return
            from onshore.server.logs import configure

            configure("info")  # each notice as a JSON line on stderr
            if metrics_port is not None:
                from prometheus_client import start_http_server

                start_http_server(metrics_port, addr="127.0.0.1")
            stop = threading.Event()
            previous = {
                sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)
            }
            try:
                scheduler.start()
                console.print(
                    f"worker checking deadlines every {scheduler.interval:g} s "
                    f"({scheduler.notifier.worker}); Ctrl-C to stop"
                )
                while not stop.wait(1.0):
                    pass
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                scheduler.shutdown()
            console.print("worker stopped")
        finally:
            scheduler.close()


def register(app: typer.Typer) -> None:
    """Attach ``worker`` to the main app."""
    app.command("worker")(worker)
