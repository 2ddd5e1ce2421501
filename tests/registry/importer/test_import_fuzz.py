"""Property: whatever CSV file is thrown at the import, it never crashes and never loses a row.

Hypothesis writes malformed files - garbage cells, missing and extra columns, broken quoting,
ragged rows, blank lines, other encodings and separators, empty files, huge numbers, impossible
dates - and the CLI must answer with exit code 0 or 1 (never a traceback; 2 is for an import that
cannot run), with rows read = rows accepted + rows quarantined for the file, every quarantined row
in the quarantine table, (where the file is well-formed CSV) rows read = the data rows written,
and no identity code in the warehouse or the output.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.registry.importer.import_helpers import HETU_TEXT, HETUS, KEY, all_text
from vaikutus.cli import app
from vaikutus.registry.pseudonymise import KEY_ENV
from vaikutus.registry.schemas import TABLES

TABLE_CHOICES = ("jobseeker_spells", "earnings", "persons")
GOOD_VALUES = {
    "person_id": HETUS,
    "start": ["2021-01-01", "1.2.2021"],
    "end": ["", "2021-12-31"],
    "month": ["2021-03", "4/2021"],
    "status": ["unemployed", "student"],
    "municipality": ["091", "49"],
    "responsible": ["te_office"],
    "service_line": ["1", ""],
    "earnings_eur": ["12,5", "100"],
    "birth_year": ["1980"],
    "sex": ["M", "F"],
    "native_language": ["fi"],
    "citizenship": ["FI"],
    "education": ["3"],
    "partial_work_ability": ["0", "kyllä"],
}
BAD_VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "2021-02-30",
            "31.2.2021",
            "0000-00-00",
            "9999-99-99",
            "1e999",
            "-1",
            "NaN",
            "inf",
            "99999999999999999999999999",
            "131052-308U",
            "131052-30",
            "KU999",
            '"',
            '""',
            "a;b,c\td",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäö_", min_size=1, max_size=8)


@st.composite
def csv_files(draw) -> tuple[str, bytes, int | None]:
    """(table name, file content, data rows a correct reader must count - None when unknowable)."""
    if draw(st.integers(0, 14)) == 0:
        return draw(st.sampled_from(TABLE_CHOICES)), draw(st.binary(max_size=300)), None
    table = TABLES[draw(st.sampled_from(TABLE_CHOICES))]
    header = ["henkilotunnus" if c == "person_id" else c for c in table.columns]
    header = [c for c in header if draw(st.integers(0, 9)) > 0]  # drop columns
    header += draw(st.lists(NAMES, max_size=2))  # extra columns
    header = [c.upper() if draw(st.booleans()) else c for c in draw(st.permutations(header))]
    n_rows = draw(st.integers(0, 8))
    rows = []
    for _ in range(n_rows):
        row = []
        for name in header:
            good = GOOD_VALUES.get(
                "person_id" if name.lower() == "henkilotunnus" else name.lower(), ["x"]
            )
            row.append(draw(st.sampled_from(good)) if draw(st.integers(0, 3)) else draw(BAD_VALUES))
        rows.append(row)
    separator = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    proper = draw(st.booleans())
    if proper:  # valid CSV quoting: the number of records is known
        out = io.StringIO()
        # csv.writer quotes a lone \r only when asked to quote everything
        quoting = (
            csv.QUOTE_ALL
            if any("\r" in cell for row in rows for cell in row)
            else csv.QUOTE_MINIMAL
        )
        csv.writer(out, delimiter=separator, lineterminator=newline, quoting=quoting).writerows(
            [header, *rows]
        )
        text = out.getvalue()
        expected = sum(1 for row in rows if any(cell != "" for cell in row)) if header else None
    else:  # joined as is: stray quotes, separators and line breaks in cells break the structure
        ragged = [
            r[: draw(st.integers(0, len(r)))] if draw(st.integers(0, 4)) == 0 else r for r in rows
        ]
        lines = [separator.join(header), *(separator.join(r) for r in ragged)]
        lines = [
            line
            for line in lines
            for line in ([line, ""] if draw(st.integers(0, 5)) == 0 else [line])
        ]
        text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
        expected = None
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return table.name, text.encode(encoding, errors="replace"), expected


# an exception inside pyarrow's invalid-row callback would only be a warning: make it fail
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(csv_files(), st.sampled_from([4_000_000, 2]))
def test_import_never_crashes_and_never_loses_a_row(case, batch_rows):
    table_name, content, expected_rows = case
    with tempfile.TemporaryDirectory() as tmp:
        source, warehouse = Path(tmp) / "src", Path(tmp) / "wh.duckdb"
        source.mkdir()
        (source / f"{table_name}.csv").write_bytes(content)
        result = _invoke("import", source, "--warehouse", warehouse, "--batch-rows", batch_rows)

        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.output
        with duckdb.connect(str(warehouse), read_only=True) as con:
            log = con.execute(
                "SELECT rows_read, rows_accepted, rows_quarantined FROM import_log"
            ).fetchall()
            (stored,) = con.execute(f'SELECT count(*) FROM "{table_name}"').fetchone()
            (in_quarantine,) = con.execute(
                'SELECT count(DISTINCT "row") FROM quarantine'
            ).fetchone()
        assert not any(HETU_TEXT.search(text) for text in [*all_text(warehouse), result.output])
    assert len(log) == 1
    read, accepted, quarantined = log[0]
    assert read == accepted + quarantined
    assert (stored, in_quarantine) == (accepted, quarantined)
    if expected_rows is not None:
        assert read == expected_rows


def _invoke(*args):
    """The CLI with the key in its environment (a fixture would not be reset between examples)."""
    return CliRunner().invoke(app, [str(a) for a in args], env={KEY_ENV: KEY})
