"""Orchestration: draw, simulate, derive and write every table of the synthetic register."""

from __future__ import annotations

import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

import vaikutus
from vaikutus.registry import codes
from vaikutus.registry.schemas import TABLE_NAMES
from vaikutus.registry.synthetic import admin, hetu, money, spells, truth
from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.effects import TrialEffects
from vaikutus.registry.synthetic.geography import Geography, build_geography
from vaikutus.registry.synthetic.population import Population, draw_population
from vaikutus.registry.synthetic.simulate import Simulation, simulate
from vaikutus.registry.synthetic.timeline import Timeline
from vaikutus.registry.synthetic.writer import (
    Coded,
    TableWriter,
    arrow_table,
    sha256,
    write_json,
    write_whole,
)

#: Bumped whenever the model changes what a seed produces (2: the wage-subsidy truth is Sianesi's
#: "not entering now" counterfactual, averaged over continuations; the tables are unchanged).
MODEL_VERSION = 2
#: Independent random streams (the process uses 1, money 2, the no-subsidy continuations 3).
STREAMS = {
    "population": 10, "trial_effects": 11, "search_ends": 12, "plans": 13, "job_offers": 14,
    "introductions": 15, "caseloads": 16, "kykyviisari": 17, "satisfaction": 18,
}  # fmt: skip
#: Job offers and introductions: monthly rate per unemployed person before and after the Nordic
#: jobseeker service model, and the share of exits to a job that came through one.
CONTACTS = {
    "job_offers": {"rate": (0.12, 0.25), "hired_share": 0.10},
    "introductions": {"rate": (0.08, 0.12), "hired_share": 0.15},
}


@dataclass(frozen=True)
class SyntheticRegister:
    """What :func:`generate` wrote."""

    out: Path
    manifest: dict
    ground_truth: dict
    timings: dict[str, float] = field(default_factory=dict)

    def path(self, table: str) -> Path:
        return self.out / f"{table}.parquet"


@dataclass
class _Run:
    """Everything one generation needs, passed between the steps below."""

    out: Path
    seed: int
    tl: Timeline
    geo: Geography
    pop: Population
    ids: pa.Array  # henkilötunnus of each person
    pool: Executor  # a worker thread: Parquet encoding runs there while the next table is computed
    written: dict[str, TableWriter] = field(default_factory=dict)

    def rng(self, stream: str) -> np.random.Generator:
        return _rng(self.seed, stream)

    def put(self, name: str, columns: dict, person: np.ndarray | None = None) -> None:
        self.written[name] = write_whole(
            self.out, name, [arrow_table(name, columns, person, self.ids)], self.pool
        )


def _rng(seed: int, stream: str) -> np.random.Generator:
    sequence = np.random.SeedSequence(seed, spawn_key=(STREAMS[stream],))
    return np.random.Generator(np.random.PCG64(sequence))


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._last, 3)
        self._last = now


def generate(
    persons: int,
    start: str = "2015-01",
    end: str = "2025-12",
    seed: int = 0,
    out: Path | str = "synthetic-register",
) -> SyntheticRegister:
    """Generate the register for ``persons`` synthetic persons over months start..end (YYYY-MM)."""
    if int(persons) < 1:
        raise ValueError(f"persons must be a positive number, got {persons}")
    if int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    persons, seed = int(persons), int(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clock = _Clock()

    tl, geo = Timeline.build(start, end), build_geography()
    pop = draw_population(persons, tl, geo, _rng(seed, "population"))
    ids = pa.array(hetu.assign(pop.birth_year, pop.birth_day, pop.male), type=pa.string())
    trial = TrialEffects.draw(geo, _rng(seed, "trial_effects"))
    clock.lap("population")

    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-worlds") as worlds,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-parquet") as writing,
    ):
        sim = simulate(pop, tl, geo, trial, seed, worlds)
        clock.lap("simulation")
        # the worlds thread now re-runs the treated without their subsidy meanwhile
        run = _Run(out, seed, tl, geo, pop, ids, writing)
        events = spells.build_events(sim.factual.rec.state, sim.factual.rec.day, pop, tl)
        js = _write_spells(run, sim, events)
        clock.lap("spells")

        lf_counts = admin.labour_force_counts(sim.factual.rec.state, pop, geo, tl)
        kykyviisari = _write_admin(run, sim, events, js, lf_counts)
        clock.lap("admin")

        _write_money(run, sim)
        clock.lap("money")
        for writer in run.written.values():
            writer.wait()
        wage_subsidy_world = sim.wage_subsidy.result()
    clock.lap("background")

    ground_truth = {
        "model_version": MODEL_VERSION,
        "parameters": {"persons": persons, "start": start, "end": end, "seed": seed},
        "trial_areas": truth.trial_truth(sim, trial, geo, tl, lf_counts),
        "wage_subsidy": truth.wage_subsidy_truth(sim.factual, wage_subsidy_world, pop, tl),
        "kykyviisari": truth.kykyviisari_truth(kykyviisari),
    }
    write_json(out / "ground_truth.json", ground_truth)
    clock.lap("truth")

    manifest = _manifest(run, ground_truth["parameters"])
    write_json(out / "manifest.json", manifest)
    clock.lap("manifest")
    return SyntheticRegister(out, manifest, ground_truth, clock.timings)


def _write_spells(run: _Run, sim: Simulation, events: spells.Events) -> spells.JobseekerSpells:
    """persons, residence, jobseeker_spells, service_spells, search_ends."""
    pop, tl, geo = run.pop, run.tl, run.geo
    residence = spells.Residence.of(pop, tl)
    js = spells.jobseeker_spells(events, pop, tl, geo, residence)
    services = spells.service_spells(events, tl)
    ends = spells.search_ends(events, tl, run.rng("search_ends"))
    homes = spells.residence_rows(pop, residence, sim.factual.rec.day, tl, geo)
    run.put("persons", {
        "birth_year": pop.birth_year.astype(np.int64),
        "sex": Coded(("F", "M"), pop.male.astype(np.int64)),
        "native_language": Coded(tuple(codes.NATIVE_LANGUAGES), pop.language),
        "citizenship": Coded(tuple(codes.CITIZENSHIPS), pop.citizenship),
        "education": pop.education.astype(np.int64),
        "partial_work_ability": pop.partial_work_ability,
    }, np.arange(len(pop)))  # fmt: skip
    run.put("residence", {
        "municipality": homes.municipality_code, "start": homes.start, "end": homes.end,
    }, homes.person)  # fmt: skip
    run.put("jobseeker_spells", {
        "start": js.start, "end": js.end,
        "status": Coded(S.STATUS_CODES, S.STATUS_INDEX[js.state]),
        "municipality": js.municipality_code,
        "responsible": Coded(spells.RESPONSIBLE, js.responsible),
        "service_line": js.service_line,
    }, js.person)  # fmt: skip
    run.put("service_spells", {
        "service": Coded(S.SERVICE_NAMES, services.service), "start": services.start,
        "end": services.end, "cost_eur": services.cost,
    }, services.person)  # fmt: skip
    run.put("search_ends", {
        "date": ends.date, "destination": Coded(S.DESTINATION_CODES, ends.destination),
    }, ends.person)  # fmt: skip
    return js


def _write_admin(run: _Run, sim: Simulation, events: spells.Events, js: spells.JobseekerSpells,
                 lf_counts: dict[int, np.ndarray]) -> dict:  # fmt: skip
    """plans, job_offers, introductions, caseloads, kykyviisari, satisfaction, labour_force.

    Returns the realised Kykyviisari effect for the ground truth.
    """
    pop, tl, geo = run.pop, run.tl, run.geo
    state, day = sim.factual.rec.state, sim.factual.rec.day
    plans = admin.plans(js, pop, tl, run.rng("plans"))
    run.put("plans", plans.columns, plans.person)
    scale = len(pop) / float(geo.labour_force.sum())
    for name, options in CONTACTS.items():
        contacts = admin.contacts(state, day, events, tl, scale, run.rng(name), **options)
        run.put(name, contacts.columns, contacts.person)
    cases = admin.caseloads(js, geo, tl, run.rng("caseloads"))
    run.put("caseloads", cases.columns, cases.person)
    kyky, kyky_truth = admin.kykyviisari(events, pop, tl, run.rng("kykyviisari"))
    run.put("kykyviisari", kyky.columns, kyky.person)
    run.put("satisfaction", admin.satisfaction(state, pop, geo, tl, run.rng("satisfaction")).columns)
    run.put("labour_force", admin.labour_force(lf_counts, geo).columns)
    return kyky_truth


def _write_money(run: _Run, sim: Simulation) -> None:
    """earnings and benefits, block of persons by block (they are the largest tables)."""
    rec, tl = sim.factual.rec, run.tl
    earnings = TableWriter(run.out, "earnings", run.pool)
    benefits = TableWriter(run.out, "benefits", run.pool)
    month = tl.first_day
    for number, first, last in money.blocks(len(run.pop)):
        rows = money.earnings_rows(rec.earnings, tl, first, last)
        columns = {"month": month[rows.month], **rows.columns}
        earnings.write(arrow_table("earnings", columns, rows.person, run.ids))
        rows = money.benefit_rows(rec.state, rec.day, rec.earnings, run.pop, tl, run.seed,
                                  number, first, last)  # fmt: skip
        columns = {"month": month[rows.month], **rows.columns,
                   "benefit": Coded(money.BENEFITS, rows.columns["benefit"])}  # fmt: skip
        benefits.write(arrow_table("benefits", columns, rows.person, run.ids))
    earnings.close()
    benefits.close()
    run.written["earnings"], run.written["benefits"] = earnings, benefits


def _manifest(run: _Run, parameters: dict) -> dict:
    return {
        "generator": "vaikutus.registry.synthetic",
        "software_version": vaikutus.__version__,
        "model_version": MODEL_VERSION,
        "parameters": parameters,
        "synthetic": True,
        "person_identifier": "henkilotunnus (artificial, individual numbers 900-999)",
        "calibration": "KEHA-keskus, Työnvälitystilasto, StatFin 12r5 2026M06 (CC BY 4.0)",
        "libraries": {"numpy": np.__version__, "pyarrow": pa.__version__, "polars": pl.__version__},
        "tables": {
            name: {
                "file": run.written[name].path.name,
                "rows": run.written[name].rows,
                "sha256": sha256(run.written[name].path),
            }
            for name in TABLE_NAMES
        },
        "ground_truth": {
            "file": "ground_truth.json",
            "sha256": sha256(run.out / "ground_truth.json"),
        },
    }
