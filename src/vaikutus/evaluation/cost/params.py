"""Versioned cost parameters: unit costs, benefit rules, tax rates, municipal funding shares.

Files live in ``params/<kind>_<year>.toml`` (kinds: ``benefits``, ``taxes``, ``unit_costs``,
``municipal_funding``, ``appraisal``). For an analysis year the loader takes, for each kind, the
file of the latest year not after it; if a kind has no such file it takes the earliest one and
records a note, so the report says which rules were applied. Every parameter is a table with
``value``, ``unit``, ``source`` and ``verified`` (and optionally ``low`` / ``high`` for the
sensitivity chart; without them the tornado varies the value by +-20 %). Unverified values are
the [K] assumptions of DOMAIN.md and are listed in every cost report.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

KINDS = ("benefits", "taxes", "unit_costs", "municipal_funding", "appraisal")
_FILE = re.compile(r"^(?P<kind>[a-z_]+)_(?P<year>\d{4})\.toml$")
DEFAULT_SPREAD = 0.2


@dataclass(frozen=True)
class Parameter:
    """One number with where it came from."""

    kind: str
    name: str
    value: float
    unit: str
    source: str
    verified: bool
    low: float
    high: float
    file: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FundingSteps:
    """Municipal share of basic unemployment benefit by days already paid (step function)."""

    days: tuple[float, ...]
    share: tuple[float, ...]
    source: str
    verified: bool

    def share_at(self, paid_days: float) -> float:
        current = 0.0
        for threshold, value in zip(self.days, self.share, strict=True):
            if paid_days >= threshold:
                current = value
        return current


@dataclass(frozen=True)
class Parameters:
    """All parameters of one analysis year."""

    year: int
    values: dict[str, Parameter]
    funding: FundingSteps
    files: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def __getitem__(self, name: str) -> float:
        return self.get(name).value

    def get(self, name: str) -> Parameter:
        if name not in self.values:
            raise KeyError(f"no cost parameter {name!r}; known: {', '.join(sorted(self.values))}")
        return self.values[name]

    def with_value(self, name: str, value: float) -> Parameters:
        """A copy with one parameter changed (sensitivity analysis, user overrides)."""
        changed = replace(self.get(name), value=float(value))
        return replace(self, values={**self.values, name: changed})

    def unverified(self) -> list[Parameter]:
        return [p for p in self.values.values() if not p.verified]

    def table(self) -> list[dict[str, Any]]:
        rows = [p.to_dict() for p in self.values.values()]
        rows.append(
            {
                "kind": "municipal_funding",
                "name": "share_by_paid_days",
                "value": dict(zip(map(str, self.funding.days), self.funding.share, strict=True)),
                "unit": "share by paid days",
                "source": self.funding.source,
                "verified": self.funding.verified,
                "low": None,
                "high": None,
                "file": "",
            }
        )
        return rows


def parameter_directory() -> Path:
    return Path(str(resources.files("vaikutus.evaluation.cost").joinpath("params")))


def load_parameters(
    year: int = 2025, directory: Path | str | None = None, overrides: dict[str, float] | None = None
) -> Parameters:
    """Parameters for ``year`` from ``directory`` (default: the shipped files)."""
    directory = Path(directory) if directory else parameter_directory()
    if not directory.is_dir():
        raise FileNotFoundError(f"parameter directory {directory} does not exist")
    available: dict[str, dict[int, Path]] = {}
    for path in directory.glob("*.toml"):
        match = _FILE.match(path.name)
        if match and match["kind"] in KINDS:
            available.setdefault(match["kind"], {})[int(match["year"])] = path
    values: dict[str, Parameter] = {}
    funding: FundingSteps | None = None
    files, notes = [], []
    for kind in KINDS:
        years = available.get(kind)
        if not years:
            raise FileNotFoundError(f"{directory}: no {kind}_<year>.toml parameter file")
        earlier = [y for y in years if y <= year]
        chosen = max(earlier) if earlier else min(years)
        if not earlier:
            notes.append(f"{kind}: no file for {year} or earlier; used {chosen}")
        path = years[chosen]
        files.append(path.name)
        table = _read(path)
        for name, spec in table.items():
            if name == "meta":
                continue
            if name == "share_by_paid_days":
                funding = _funding(spec, path)
                continue
            if name in values:
                raise ValueError(
                    f"{path.name}: parameter {name!r} is also defined in {values[name].file}"
                )
            values[name] = _parameter(kind, name, spec, path)
    if funding is None:
        raise ValueError(
            f"{directory}: the municipal_funding file has no [share_by_paid_days] table"
        )
    params = Parameters(
        year=year, values=values, funding=funding, files=tuple(files), notes=tuple(notes)
    )
    for name, value in (overrides or {}).items():
        params = params.with_value(name, value)
    return params


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML ({exc})") from exc


def _parameter(kind: str, name: str, spec: Any, path: Path) -> Parameter:
    if not isinstance(spec, dict):
        raise ValueError(
            f"{path.name}: [{name}] must be a table with value, unit, source, verified"
        )
    missing = [k for k in ("value", "unit", "source", "verified") if k not in spec]
    if missing:
        raise ValueError(f"{path.name}: [{name}] lacks {', '.join(missing)}")
    if not isinstance(spec["verified"], bool):
        raise ValueError(f"{path.name}: [{name}] verified must be true or false")
    value = float(spec["value"])
    spread = abs(value) * DEFAULT_SPREAD
    low, high = float(spec.get("low", value - spread)), float(spec.get("high", value + spread))
    if not low <= value <= high:
        raise ValueError(
            f"{path.name}: [{name}] needs low <= value <= high; got {low}, {value}, {high}"
        )
    return Parameter(
        kind=kind,
        name=name,
        value=value,
        unit=str(spec["unit"]),
        source=str(spec["source"]),
        verified=spec["verified"],
        low=low,
        high=high,
        file=path.name,
    )


def _funding(spec: dict[str, Any], path: Path) -> FundingSteps:
    days, share = spec.get("days"), spec.get("share")
    if not days or not share or len(days) != len(share):
        raise ValueError(
            f"{path.name}: [share_by_paid_days] needs equally long days and share lists"
        )
    if list(days) != sorted(days) or not all(0 <= s <= 1 for s in share):
        raise ValueError(
            f"{path.name}: [share_by_paid_days] days must ascend and shares lie in 0..1"
        )
    return FundingSteps(
        days=tuple(map(float, days)),
        share=tuple(map(float, share)),
        source=str(spec.get("source", "")),
        verified=bool(spec.get("verified", False)),
    )
