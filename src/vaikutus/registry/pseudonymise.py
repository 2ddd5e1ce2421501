"""Keyed pseudonyms for the Finnish personal identity code (henkilötunnus).

A henkilötunnus is never stored: on import it is validated (format, real birth date, individual
number, check character) and replaced by ``HMAC-SHA256(key, normalised code)``, truncated to
``PSEUDONYM_HEX_CHARS`` hex characters. A plain hash would not do: there are only about 10^8
possible codes, so anyone could hash them all and reverse the table; with a secret key that is
impossible without the key, and the same key gives the same pseudonym in every table and every
delivery, so tables still join.

Length: 32 hex characters are 128 bits. By the birthday bound the chance that any two of n people
share a pseudonym is about n^2 / 2^129; for the whole population ever registered (n = 10^7) that is
about 1.5e-25, so truncation costs nothing in practice and halves the width of every join key.

Validation is vectorised with pyarrow compute. The HMAC itself runs in a Python loop over the
*distinct* codes (``hmac.digest`` is C, about 1 µs a code), because neither pyarrow nor DuckDB
offers a keyed hash; register tables repeat each person many times, so distinct codes are few.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Environment variable holding the pseudonymisation key.
KEY_ENV = "VAIKUTUS_PSEUDONYM_KEY"
#: Shortest accepted key: a short key could be guessed, which would reverse every pseudonym.
MIN_KEY_LENGTH = 16
#: Hex characters kept of the HMAC-SHA256 digest (128 bits, see the module docstring).
PSEUDONYM_HEX_CHARS = 32
#: What replaces an identity code that cannot be pseudonymised (invalid) wherever it would show.
REDACTED = "<redacted>"

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
#: Century signs: '+' 1800s; '-' and (from 2023) Y X W V U 1900s; A and (from 2023) B-F 2000s.
CENTURIES = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
_HETU = (
    r"^(?P<day>\d{2})(?P<month>\d{2})(?P<yy>\d{2})(?P<century>[-+ABCDEFUVWXY])"
    r"(?P<number>\d{3})(?P<check>[0-9A-Y])$"
)
#: A value shaped like a (possibly mistyped) identity code: birth date, century sign, at most 11
#: characters. Longer values (a 32-character pseudonym can start with six digits and a letter A-F)
#: are not identity codes.
HETU_LIKE = r"^\d{6}[-+ABCDEFUVWXY][0-9A-Y]{0,4}$"
#: An identity code anywhere inside a text (used to redact free text; case-insensitive).
HETU_ANYWHERE = r"(?i)\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b"


class KeyMissing(Exception):
    """No usable pseudonymisation key: the import must not run."""


def load_key(key_file: Path | None = None, environ: dict[str, str] | None = None) -> bytes:
    """The pseudonymisation key from ``key_file``, else from ``VAIKUTUS_PSEUDONYM_KEY``."""
    environ = os.environ if environ is None else environ
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise KeyMissing(f"cannot read the key file {key_file}: {exc.strerror}") from exc
        source = f"key file {key_file}"
    elif environ.get(KEY_ENV):
        key = environ[KEY_ENV].strip().encode("utf-8")
        source = f"environment variable {KEY_ENV}"
    else:
        raise KeyMissing(
            f"no pseudonymisation key: set the environment variable {KEY_ENV} "
            "or pass --key-file FILE. "
            "The import refuses to run without a key, because every henkilötunnus must be replaced "
            "by a keyed hash before anything is stored."
        )
    return check_key(key, source)


def check_key(key: bytes | str, source: str = "the key") -> bytes:
    """The key as bytes, refused if it is too short to be secret."""
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(key) < MIN_KEY_LENGTH:
        raise KeyMissing(
            f"{source} is too short ({len(key)} bytes): "
            f"use at least {MIN_KEY_LENGTH} random characters, "
            "the same key for every delivery, and keep it secret"
        )
    return key


def as_array(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One contiguous array (the struct and dictionary results below need one)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def normalise(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Identity codes as compared and hashed: stripped and upper-case."""
    return pc.utf8_upper(pc.utf8_trim_whitespace(values))


def looks_like_hetu(normalised: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """True where a value is shaped like an identity code (it must be one, and must not be kept)."""
    return pc.fill_null(pc.match_substring_regex(normalised, HETU_LIKE), False).to_numpy(
        zero_copy_only=False
    )


def hetu_problems(normalised: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Why each normalised value is not a valid henkilötunnus (object array; None where valid).

    Checks the layout, that the birth date exists, that the individual number is 002-999 and the
    check character (remainder of DDMMYYNNN modulo 31).
    """
    parts = pc.extract_regex(as_array(normalised), _HETU)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    reasons = np.where(matched, None, "is not in the form DDMMYY-NNNC").astype(object)
    if not matched.any():
        return reasons

    def ints(name: str) -> np.ndarray:
        field = pc.if_else(parts.is_valid(), parts.field(name), "0")
        return pc.cast(field, pa.int64()).to_numpy(zero_copy_only=False)

    day, month, yy, number = ints("day"), ints("month"), ints("yy"), ints("number")
    century_sign = pc.if_else(parts.is_valid(), parts.field("century"), "-")
    century = pc.index_in(century_sign, value_set=pa.array(list(CENTURIES))).to_numpy(
        zero_copy_only=False
    )
    year = np.array(list(CENTURIES.values()))[century] + yy
    real_date = _is_real_date(year, month, day)
    expected = np.array(list(CHECK_CHARACTERS))[
        (day * 10**7 + month * 10**5 + yy * 10**3 + number) % 31
    ]
    check = pc.if_else(parts.is_valid(), parts.field("check"), "").to_numpy(zero_copy_only=False)

    reasons[matched & ~real_date] = "has a birth date that does not exist"
    reasons[matched & real_date & (number < 2)] = "has an individual number below 002"
    reasons[matched & real_date & (number >= 2) & (expected != check)] = (
        "has a wrong check character"
    )
    return reasons


def _is_real_date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    months_ok = (month >= 1) & (month <= 12)
    first = ((year - 1970) * 12 + np.where(months_ok, month - 1, 0)).astype("datetime64[M]")
    days_in_month = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(
        int
    )
    return months_ok & (day >= 1) & (day <= days_in_month)


def pseudonymise(normalised: pa.ChunkedArray | pa.Array, key: bytes) -> pa.Array:
    """Keyed pseudonyms (hex) of already validated, normalised identity codes; nulls stay null."""
    encoded = pc.dictionary_encode(as_array(normalised))
    distinct = encoded.dictionary.to_pylist()
    hashed = pa.array(
        [
            hmac.digest(key, code.encode("utf-8"), "sha256").hex()[:PSEUDONYM_HEX_CHARS]
            for code in distinct
        ],
        pa.string(),
    )
    return pc.take(hashed, encoded.indices)


def redact(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Free text with every identity code in it replaced by ``<redacted>``."""
    return pc.replace_substring_regex(values, HETU_ANYWHERE, REDACTED)
