"""Policy commands: ``onshore policy list | check | explain``.

``explain`` prints the decision as a tree (or JSON with ``--json``) and exits 3 when the
operation is denied. Without ``--entity-country`` the entity, packs and enforcement come
from the deployment's ``onshore.toml`` (``--config``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from onshore.cli import policy_facts as stated
from onshore.cli.console import CliConsole
from onshore.cli.defaults import OPS
from onshore.core.errors import InputError, PackError, PolicyDenied
from onshore.core.local_time import deployment_zone, parse_moment

if TYPE_CHECKING:
    from rich.tree import Tree

    from onshore.core.policy import Decision, Facts, PolicyEngine

console = CliConsole()
policy_app = typer.Typer(help="Policy packs: list them, check them, explain decisions.")

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Configuration file (default: ./onshore.toml)."),
]
PackOpt = Annotated[
    list[str] | None, typer.Option("--pack", "-p", help="Pack id to load (repeatable).")
]
PathOpt = Annotated[
    list[Path] | None, typer.Option("--pack-path", help="Extra pack directory (repeatable).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs.")]


def register(app: typer.Typer) -> None:
    """Attach ``onshore policy`` to the main app."""
    app.add_typer(policy_app, name="policy")


@policy_app.command("list")
def list_packs(pack: PackOpt = None, pack_path: PathOpt = None, as_json: JsonOpt = False) -> None:
    """List packs, their instruments and rules with status.

    Example: ``onshore policy list --pack vn``
    """
    from onshore.services.policy import available_packs, load_packs

    found = available_packs(pack_path or [])
    packs = load_packs(pack or sorted(found), pack_path or [])
    if as_json:
        out = [
            {
                "id": p.id,
                "jurisdiction": p.pack.jurisdiction,
                "version": p.pack.version,
                "title": p.pack.title,
                "instruments": [
                    {
                        "id": i.id,
                        "ref": i.ref,
                        "effective": i.effective.isoformat(),
                        "sunset": str(i.sunset) if i.sunset else None,
                    }
                    for i in p.instruments
                ],
                "rules": [
                    {"id": r.id, "instrument": r.instrument, "status": r.status, "title": r.title}
                    for r in p.rules
                ],
            }
            for p in packs
        ]
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for p in packs:
        console.rule(f"[bold]{p.id}[/] {p.pack.title} ({p.pack.jurisdiction}, v{p.pack.version})")
        inst = Table("instrument", "ref", "effective", "sunset", box=None)
        for i in p.instruments:
            inst.add_row(i.id, i.ref, i.effective.isoformat(), str(i.sunset or ""))
        console.print(inst)
        rules = Table("rule", "in", "status", "title", box=None)
        for r in p.rules:
            colour = "yellow" if r.status == "unconfirmed" else "green"
            rules.add_row(r.id, r.instrument, f"[{colour}]{r.status}[/]", r.title)
        console.print(rules)


@policy_app.command("check")
def check(
    packs: Annotated[
        list[str],
        typer.Argument(help="Pack ids (vn, eu...), pack.yaml files or pack directories."),
    ],
    pack_path: PathOpt = None,
) -> None:
    """Validate packs (and run their cases.yaml when present); exit non-zero on a fault.

    A name that is not an existing file or directory is looked up as a pack id among the
    shipped packs and ``--pack-path``. Example: ``onshore policy check vn`` or
    ``onshore policy check ./my-packs/acme``
    """
    from onshore.core.policy import PolicyEngine
    from onshore.core.policy.cases import check_case
    from onshore.services.policy import (
        CASES_FILE,
        PACK_FILE,
        available_packs,
        load_packs,
        read_cases,
        read_pack,
    )

    failed = 0
    for name in packs:
        path = Path(name)
        if not path.exists():
            found = available_packs(pack_path or [])
            if name not in found:
                raise InputError(
                    f"{name} is neither a file, a directory nor a pack id "
                    f"(known packs: {', '.join(sorted(found))})",
                    details={"pack": name, "known": sorted(found)},
                )
            path = found[name]
        pack = read_pack(path)
        folder = path if path.is_dir() else path.parent
        cases_file = folder / CASES_FILE
        summary = f"{len(pack.rules)} rules"
        if (path.is_dir() or path.name == PACK_FILE) and cases_file.is_file():
            cases = read_cases(cases_file)
            covered = {rid for c in cases.cases for rid in c.covers}
            missing = sorted({r.id for r in pack.rules} - covered)
            for rid in missing:
                console.print(f"[red]FAIL[/] {pack.id}: rule {rid} has no case")
            failed += len(missing)
            extra_dirs = [*(pack_path or []), folder.parent]
            for case in cases.cases:
                others = load_packs(case.packs, extra_dirs)
                engine = PolicyEngine([pack, *others], enforce_unconfirmed=case.enforce_unconfirmed)
                problems = check_case(case, engine.evaluate(case.op, case.facts.build(), case.at))
                for problem in problems:
                    console.print(f"[red]FAIL[/] {pack.id} case {case.id}: {escape(problem)}")
                failed += bool(problems)
            summary += f", {len(cases.cases)} cases"
        console.print(f"[green]ok[/] {escape(str(path))}: pack {pack.id}, {summary}")
    if failed:
        raise PackError(f"{failed} case failure(s)", details={"failures": failed})


def _parse_at(text: str | None, zone: tzinfo) -> datetime:
    """``--at``: now by default; a bare date is midnight in ``zone`` (``core.local_time``)."""
    if text is None:
        return datetime.now(UTC)
    return parse_moment(text, zone, what="--at")


@policy_app.command("explain")
def explain(
    op: Annotated[str, typer.Option("--op", help=f"Operation: {', '.join(OPS)}.")] = "store",
    subject: Annotated[str | None, typer.Option("--subject", help="Subject country.")] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="Data category (repeatable).")
    ] = None,
    region_country: Annotated[
        str | None, typer.Option("--region-country", help="Country of the storage region.")
    ] = None,
    destination_country: Annotated[
        str | None, typer.Option("--destination-country", help="Recipient or reader country.")
    ] = None,
    entity_country: Annotated[
        str | None, typer.Option("--entity-country", help="Entity's incorporation country.")
    ] = None,
    sector: Annotated[list[str] | None, typer.Option("--sector", help="Entity sector.")] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="Entity role.")] = None,
    size: Annotated[str | None, typer.Option("--size", help="Entity size.")] = None,
    storage_decision: Annotated[
        list[str] | None, typer.Option("--storage-decision", help="Fired decision (rule id).")
    ] = None,
    request: Annotated[str | None, typer.Option("--request", help="Request kind.")] = None,
    flag: Annotated[list[str] | None, typer.Option("--flag", help="Situational flag.")] = None,
    artifact: Annotated[
        list[str] | None, typer.Option("--artifact", help="Safeguard held.")
    ] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Data label.")] = None,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help="Metric NAME=VALUE (repeatable).")
    ] = None,
    event: Annotated[
        list[str] | None, typer.Option("--event", help="Start event NAME=WHEN (repeatable).")
    ] = None,
    decision_rule: Annotated[
        list[str] | None, typer.Option("--decision", help="Authority decision fired (rule id).")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Decision date (a bare date: midnight locally); default now."),
    ] = None,
    brief: Annotated[
        bool, typer.Option("--brief", help="Only decision, deciding rules and obligations.")
    ] = False,
    enforce_unconfirmed: Annotated[
        bool, typer.Option("--enforce-unconfirmed", help="Deny on unconfirmed rules too.")
    ] = False,
    pack: PackOpt = None,
    pack_path: PathOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Explain the decision for one operation; exit 3 when denied.

    Example: ``onshore policy explain --op store --subject VN --category political_opinion
    --region-country SG --entity-country VN --sector social_network --at 2025-06-01``
    """
    from onshore.core.policy import EntityFacts, Facts, Outcome
    from onshore.services.policy import load_engine

    if op not in OPS:
        raise InputError(f"--op {op!r} is not one of {', '.join(OPS)}")
    packs = list(pack or [])
    extra = list(pack_path or [])
    zone = deployment_zone()
    if entity_country is None:
        from onshore.services.runtime import entity_facts
        from onshore.settings import load_settings

        settings = load_settings(config)
        base = settings.deployment
        entity = entity_facts(settings)
        packs = packs or list(base.packs)
        extra += list(base.pack_paths)
        enforce_unconfirmed = enforce_unconfirmed or base.enforce_unconfirmed
        zone = settings.calendar.zone(entity.incorporated_in)
        calendars = settings.calendar.calendars(entity.incorporated_in)
    else:
        entity = EntityFacts(
            entity_country.upper(),
            frozenset(sector or ()),
            frozenset(storage_decision or ()),
            size,
            frozenset(role or ()),
        )
        calendars = None
    engine = load_engine(packs or ["vn"], extra, enforce_unconfirmed, calendars=calendars)
    when = _parse_at(at, zone)
    facts = Facts(
        entity,
        subject_country=subject.upper() if subject else None,
        categories=frozenset(category or ()),
        region_country=region_country.upper() if region_country else None,
        destination_country=destination_country.upper() if destination_country else None,
        request=request,
        flags=frozenset(flag or ()),
        artifacts=frozenset(artifact or ()),
        labels=frozenset(label or ()),
        metrics=stated.metrics(metric or ()),
        events=stated.events(event or (), zone),
        decisions=frozenset(decision_rule or ()),
    )
    decision = engine.evaluate(op, facts, when)
    if as_json:
        typer.echo(json.dumps(explain_dict(engine, facts, decision), indent=2, ensure_ascii=False))
    elif brief:
        for line in stated.brief(decision):
            console.print(escape(line))
    else:
        console.print(explain_tree(engine, facts, decision))
    if decision.outcome is Outcome.DENY:
        raise PolicyDenied(
            f"{op} denied by {', '.join(decision.deciding_rules)}",
            details={"decision": decision.to_dict()},
        )


def explain_dict(engine: PolicyEngine, facts: Facts, decision: Decision) -> dict[str, Any]:
    """The JSON ``explain`` prints: the decision, the facts, and the deciding rules' citations."""
    out = decision.to_dict()
    out["facts"] = facts.to_dict()
    out["packs"] = [p.id for p in engine.packs]
    out["rules"] = {rid: _rule_info(engine, rid) for rid in decision.deciding_rules}
    return out


def _instrument_info(i: Any) -> dict[str, Any]:
    return {
        "id": i.id,
        "ref": i.ref,
        "effective": i.effective.isoformat(),
        "sunset": str(i.sunset) if i.sunset else None,
    }


def _rule_info(engine: PolicyEngine, rule_id: str) -> dict[str, Any]:
    r = engine.rule(rule_id)
    return {
        "pack": engine.pack_of(rule_id),
        "title": r.title,
        "cite": r.cite,
        "status": r.status,
        "sources": list(r.sources),
    }


def explain_tree(engine: PolicyEngine, facts: Facts, decision: Decision) -> Tree:
    """A readable Rich tree of ``decision``."""
    from rich.tree import Tree

    from onshore.core.policy import Outcome

    colours = {
        Outcome.DENY: "bold red",
        Outcome.ALLOW: "bold green",
        Outcome.NO_DECISION: "bold yellow",
    }
    cats = ", ".join(sorted(facts.categories)) or "no categories"
    where = facts.destination or "-"
    day = decision.at.isoformat() if decision.at else "?"
    colour = colours[decision.outcome]
    root = Tree(
        f"[{colour}]{decision.outcome.value.upper()}[/]  {decision.op} of {escape(cats)} "
        f"(subject {facts.subject_country or '-'}) at {where} by an entity of "
        f"{facts.entity.incorporated_in}, {day}"
    )
    deciding = root.add("[bold]deciding rules[/]")
    for rid in decision.deciding_rules:
        info = _rule_info(engine, rid)
        deciding.add(
            f"[bold]{rid}[/] {escape(info['title'])}\n[dim]{escape(info['cite'])} · "
            f"{info['status']} · sources {escape(', '.join(info['sources']))}[/]"
        )
    if not decision.deciding_rules:
        deciding.add("[dim]none: no rule decides this[/]")
    if decision.obligations:
        ob = root.add("[bold]obligations[/]")
        for o in decision.obligations:
            due = f"by {o.due.isoformat()}" if o.due else "no deadline"
            ob.add(f"[cyan]{due}[/]  {o.rule_id} ({o.kind}): {escape(o.description)}")
    if decision.warnings:
        w = root.add("[bold yellow]warnings[/]")
        for text in decision.warnings:
            w.add(escape(text))
    if decision.resolution:
        res = root.add("[bold]conflict resolution[/]")
        for text in decision.resolution:
            res.add(escape(text))
    applied = [t for t in decision.considered if t.applied]
    skipped = [t for t in decision.considered if not t.applied]
    considered = root.add(f"[bold]considered[/] ({len(applied)} applied, {len(skipped)} did not)")
    for t in applied:
        considered.add(f"[green]✓[/] {t.rule_id}: {escape(t.reason)}")
    for t in skipped:
        considered.add(f"[dim]✗ {t.rule_id}: {escape(t.reason)}[/]")
    return root
