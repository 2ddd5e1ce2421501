"""The warehouse every end-to-end test starts from: a synthetic register folder imported through the
validating, pseudonymising importer and its person-month panel built - the demo's path, in one place."""

from __future__ import annotations

from pathlib import Path

from vaikutus.registry.importer import import_directory
from vaikutus.warehouse import build_panel, connect


def register_warehouse(register: Path, warehouse: Path, key: bytes | str | None = None):
    """Import ``register`` into ``warehouse`` (key: default ``VAIKUTUS_PSEUDONYM_KEY``), build the
    panel; returns the import report (a test may check that nothing was quarantined)."""
    report = import_directory(register, warehouse, key=key)
    con = connect(warehouse)
    build_panel(con)
    con.disconnect()
    return report
