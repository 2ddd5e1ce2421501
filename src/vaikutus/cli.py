"""The ``vaikutus`` command line: a thin Typer layer over the stages.

Each stage that offers commands has a ``commands`` module with a ``register(app)`` function; this
module only collects them, so a stage's commands live next to the code they call.
"""

from __future__ import annotations

import importlib

import typer

from vaikutus import __version__

STAGE_COMMANDS = (
    "vaikutus.registry.commands",
    "vaikutus.registry.pxweb.commands",
    "vaikutus.registry.synthetic.commands",
    "vaikutus.warehouse.commands",
    "vaikutus.indicators.commands",
    "vaikutus.evaluation.commands",
    "vaikutus.evaluation.rct.commands",
    "vaikutus.evaluation.cost.commands",
    "vaikutus.profiling.commands",
    "vaikutus.reports.commands",
    "vaikutus.portal.commands",
    "vaikutus.demo",
)

app = typer.Typer(
    name="vaikutus",
    help="Employment-service indicators, evaluation and reporting for Finnish employment areas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vaikutus {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """vaikutus: does an employment service work, and what does it cost?"""


def _register_stages() -> None:
    for module_name in STAGE_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # a stage not installed is skipped; a missing dependency of a stage must surface
            if exc.name is None or not (module_name == exc.name or module_name.startswith(exc.name + ".")):
                raise
            continue
        module.register(app)


_register_stages()
