"""CLI command of the synthetic register: ``vaikutus synth-register``."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("synth-register")
    def synth_register(
        persons: int = typer.Option(
            100_000, "--persons", min=1, help="Number of synthetic persons."
        ),
        start: str = typer.Option(
            "2015-01", "--start", help="First month of the register window (YYYY-MM)."
        ),
        end: str = typer.Option(
            "2025-12", "--end", help="Last month of the register window (YYYY-MM)."
        ),
        seed: int = typer.Option(
            0, "--seed", min=0, help="Random seed; the same seed gives the same bytes."
        ),
        out: Path = typer.Option(
            ..., "--out", help="Folder for <table>.parquet, ground_truth.json, manifest.json."
        ),
    ) -> None:
        """Write a deterministic synthetic Finnish employment register with known causal effects."""
        from vaikutus.registry.synthetic import generate

        try:
            result = generate(persons=persons, start=start, end=end, seed=seed, out=out)
        except ValueError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        for name, entry in result.manifest["tables"].items():
            typer.echo(f"{name:18s} {entry['rows']:>12,d} rows")
        typer.echo(f"wrote {result.out / 'ground_truth.json'}")
        typer.echo(f"wrote {result.out / 'manifest.json'}")
