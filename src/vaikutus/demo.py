"""The main job (``vaikutus demo``, run by ``make run``): build the demo warehouse from the bundled
synthetic register and serve the portal on 127.0.0.1.

The demo goes through exactly the path real data takes: the synthetic register is written as
files, imported (validated, identity codes pseudonymised), the person-month panel and the
indicators are built, the 2021 trial areas are evaluated, and the portal serves the result. Each
step records what it was built from in ``DIR/demo.json``, so a second ``make run`` with the same
parameters starts the portal at once, and changed parameters rebuild from the first changed step.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer

from vaikutus import __version__


#: Raised when a step's output changes meaning, so that an older demo folder is rebuilt.
BUILD_LAYOUT = 2


@dataclass(frozen=True)
class DemoSettings:
    persons: int
    seed: int
    start: str
    end: str
    directory: Path

    @property
    def register(self) -> Path:
        return self.directory / "register"

    @property
    def warehouse(self) -> Path:
        return self.directory / "demo.duckdb"

    @property
    def state_file(self) -> Path:
        return self.directory / "demo.json"

    def fingerprint(self) -> str:
        text = json.dumps([self.persons, self.seed, self.start, self.end, __version__, BUILD_LAYOUT])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def pseudonym_key(directory: Path) -> bytes:
    """The key for the demo import: ``VAIKUTUS_PSEUDONYM_KEY`` if set, else a random key kept in
    ``DIR/pseudonym.key`` (readable by the owner only). Real imports must bring their own key."""
    if os.environ.get("VAIKUTUS_PSEUDONYM_KEY"):
        return os.environ["VAIKUTUS_PSEUDONYM_KEY"].encode()
    path = directory / "pseudonym.key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def _step_register(s: DemoSettings) -> str:
    from vaikutus.registry.synthetic import generate

    result = generate(persons=s.persons, start=s.start, end=s.end, seed=s.seed, out=s.register)
    rows = sum(entry["rows"] for entry in result.manifest["tables"].values())
    return f"{rows:,} rows in {len(result.manifest['tables'])} tables"


def _step_import(s: DemoSettings) -> str:
    from vaikutus.registry.importer import import_directory

    s.warehouse.unlink(missing_ok=True)
    report = import_directory(s.register, s.warehouse, key=pseudonym_key(s.directory))
    if report.exit_code != 0:
        raise RuntimeError(f"the synthetic register did not import cleanly:\n{report.summary()}")
    frame = report.to_frame()
    return f"{int(frame['rows_accepted'].sum()):,} rows accepted, {int(frame['rows_quarantined'].sum())} quarantined"


def _step_panel(s: DemoSettings) -> str:
    from vaikutus.warehouse import build_panel, connect

    con = connect(s.warehouse)
    build_panel(con, s.start, s.end)  # the register's window, not the start of the oldest spell
    rows = con.table("person_month").count().execute()
    con.disconnect()
    return f"{rows:,} person-months"


def _step_indicators(s: DemoSettings) -> str:
    from vaikutus.indicators.compute import compute_result, open_warehouse
    from vaikutus.indicators.definitions import metadata_frame
    from vaikutus.indicators.output import store
    from vaikutus.indicators.parameters import IndicatorParameters, parameters_frame

    params = IndicatorParameters()
    con = open_warehouse(s.warehouse, "duckdb")
    result = compute_result(con, public=True, params=params)
    store(con, {
        "indicator_values": result.internal,
        "indicator_values_public": result.public,
        "indicator_metadata": metadata_frame(),
        "indicator_parameters": parameters_frame(params),
    })
    return f"{len(result.public):,} values of {result.public['indicator'].nunique()} indicators"


def _step_evaluation(s: DemoSettings) -> str:
    from vaikutus.evaluation.trials import evaluate_trial_areas, store_evaluation
    from vaikutus.evaluation.trials.truth import (
        compare_with_truth,
        coverage_line,
        injected_effects,
        load_ground_truth,
    )
    from vaikutus.warehouse import connect

    truth = load_ground_truth(s.register / "ground_truth.json")
    con = connect(s.warehouse)
    evaluation = evaluate_trial_areas(con)
    injected = injected_effects(truth).set_index("unit")["truth_pp"].to_dict()
    store_evaluation(con, evaluation, truth=injected)
    con.disconnect()
    return f"{len(evaluation.areas)} trial areas; " + coverage_line(
        compare_with_truth(evaluation, truth), evaluation.alpha
    )


def _step_profiles(s: DemoSettings) -> str:
    from vaikutus.profiling.workflow import profile_warehouse

    stored = profile_warehouse(s.warehouse, s.directory / "profiling-model")
    return stored.brief()


def _step_statfin(s: DemoSettings) -> str:
    from vaikutus.indicators.statfin import compute_statfin, store_statfin
    from vaikutus.registry.pxweb import sample_12r5
    from vaikutus.warehouse import connect

    result = compute_statfin(sample_12r5())
    con = connect(s.warehouse)
    store_statfin(con, result)
    con.disconnect()
    return f"{len(result.table):,} values of {len(result.indicators)} indicators, StatFin 12r5 {result.info['last_period']}"


STEPS: list[tuple[str, str, Callable[[DemoSettings], str]]] = [
    ("register", "synthetic register", _step_register),
    ("import", "import and pseudonymise", _step_import),
    ("panel", "person-month panel", _step_panel),
    ("indicators", "indicators", _step_indicators),
    ("evaluation", "trial-area evaluation", _step_evaluation),
    ("profiles", "client segments and employment-chance model", _step_profiles),
    ("statfin", "real public statistics (StatFin 12r5)", _step_statfin),
]


def build(settings: DemoSettings, echo: Callable[[str], None] = typer.echo) -> Path:
    """Run the steps that are not up to date; return the warehouse path."""
    settings.directory.mkdir(parents=True, exist_ok=True)
    state = json.loads(settings.state_file.read_text()) if settings.state_file.exists() else {}
    if state.get("fingerprint") != settings.fingerprint():
        state = {"fingerprint": settings.fingerprint(), "done": {}}
    stale = False
    for name, label, step in STEPS:
        if not stale and name in state["done"] and settings.warehouse.exists():
            echo(f"✓ {label}: up to date ({state['done'][name]})")
            continue
        stale = True
        began = time.perf_counter()
        echo(f"… {label}")
        summary = step(settings)
        state["done"][name] = summary
        settings.state_file.write_text(json.dumps(state, indent=2))
        echo(f"✓ {label}: {summary} ({time.perf_counter() - began:.0f} s)")
    return settings.warehouse


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        persons: int = typer.Option(100_000, help="Synthetic persons in the demo register."),
        seed: int = typer.Option(2026, help="Seed of the synthetic register (same seed, same data)."),
        start: str = typer.Option("2015-01", help="First month of the register (YYYY-MM)."),
        end: str = typer.Option("2025-12", help="Last month of the register (YYYY-MM)."),
        directory: Path = typer.Option(Path("var/demo"), "--dir", help="Folder for the register and warehouse."),
        host: str = typer.Option("127.0.0.1", help="Address the portal listens on."),
        port: int = typer.Option(8000, help="Port the portal listens on."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the portal after building."),
    ) -> None:
        """Build the demo warehouse from the synthetic register, then serve the portal."""
        settings = DemoSettings(persons, seed, start, end, directory)
        warehouse = build(settings)
        typer.echo(f"warehouse: {warehouse}")
        if serve:
            from vaikutus.portal.commands import serve as serve_portal

            serve_portal(warehouse, host, port)
