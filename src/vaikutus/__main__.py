"""``python -m vaikutus`` runs the command line."""

from vaikutus.cli import app

app(prog_name="vaikutus")
