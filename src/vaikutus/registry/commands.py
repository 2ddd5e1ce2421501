"""CLI commands of the registry stage: ``vaikutus import``.

Exit codes of ``import``: 0 every row accepted, 1 rows quarantined or files not imported,
2 the import could not run (no key, no such folder, warehouse not writable).
"""

from __future__ import annotations

from pathlib import Path

import typer

DEFAULT_PROBLEM_LINES = 50


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_registers(
        source_dir: Path = typer.Argument(
            ...,
            help="Folder of register files named after their tables "
            "(persons.csv, jobseeker_spells.parquet, earnings.xlsx, benefits.sas7bdat, ...).",
        ),
        warehouse: Path = typer.Option(
            ..., "--warehouse", help="DuckDB file to import into (created if missing)."
        ),
        key_file: Path | None = typer.Option(
            None,
            "--key-file",
            help="File holding the pseudonymisation key "
            "(default: the VAIKUTUS_PSEUDONYM_KEY environment variable).",
        ),
        problems: str = typer.Option(
            str(DEFAULT_PROBLEM_LINES),
            "--problems",
            help="How many problem lines to print, or 'all'.",
        ),
        batch_rows: int = typer.Option(
            4_000_000,
            "--batch-rows",
            min=1,
            help="Validate files of more rows in parts of about this many rows, all rows of a "
            "person in one part (lower it if memory runs short; the result is the same).",
        ),
    ) -> None:
        """Validate, pseudonymise and import register files; rejected rows go to quarantine."""
        from rich.console import Console

        from vaikutus.registry.importer import ImportRefused, import_directory
        from vaikutus.registry.pseudonymise import KeyMissing, load_key

        limit = None if problems.strip().lower() == "all" else _positive_int(problems)
        console = Console(highlight=False, soft_wrap=True)
        if not console.is_terminal:  # a log file or pipe: room for the table, lines never wrapped
            console.width = 120
        try:
            key = load_key(key_file)
            with _FileProgress() as on_progress:
                report = import_directory(
                    source_dir, warehouse, key=key, on_progress=on_progress, batch_rows=batch_rows
                )
        except (ImportRefused, KeyMissing) as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        _print_report(console, report, limit)
        raise typer.Exit(report.exit_code)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise typer.BadParameter(
            f"expected a number or 'all', got {text!r}", param_hint="--problems"
        )
    return value


class _FileProgress:
    """A Rich progress bar per file on stderr, shown only on a terminal."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, int] = {}
        self.bar.__enter__()
        return self.update

    def update(self, file_name: str, fraction: float) -> None:
        if file_name not in self.tasks:
            self.tasks[file_name] = self.bar.add_task(file_name, total=1.0)
        self.bar.update(self.tasks[file_name], completed=fraction)

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)


def _print_report(console, report, limit: int | None) -> None:
    from rich.table import Table

    table = Table(title=f"Import into {report.warehouse}", title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("table")
    for name in ("read", "accepted", "quarantined"):
        table.add_column(name, justify="right")
    table.add_column("status")
    for result in report.files:
        style = None if result.ok else "red"
        table.add_row(
            result.file,
            result.table or "-",
            f"{result.rows_read:,}",
            f"{result.rows_accepted:,}",
            f"{result.rows_quarantined:,}",
            result.status,
            style=style,
        )
    if report.files:
        console.print(table)
    for note in report.notes:
        console.print(note, markup=False)
    for result in report.files:
        for note in result.notes:
            console.print(f"{result.file}: {note}", style="dim", markup=False)

    lines = report.problem_lines(limit)
    if report.n_problems:
        console.print(f"\nProblems ({report.n_problems:,}):", style="bold")
    for line in lines:
        console.print(line, markup=False)
    if report.n_problems > len(lines):
        console.print(
            f"... and {report.n_problems - len(lines):,} more problems, see the quarantine table "
            f"(or use --problems all)",
            markup=False,
        )
    console.print(report.summary(), markup=False)
