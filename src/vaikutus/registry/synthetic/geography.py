"""The synthetic country's municipalities: real codes, real sizes, calibrated local hazards.

Residence is simulated in the 2021 division (309 municipalities, Pertunmaa 588 separate) and written
in the division valid on each date (Pertunmaa becomes Mäntyharju 507 on 1.1.2025). Pertunmaa's
share of the merged municipality's labour force is taken from its 2024 population.

Local hazard multipliers follow from the real unemployed share ``s`` of each municipality (12r5
TYOTOSUUS): with odds ``o = s / (1 - s)`` and national odds ``o*``, inflows to unemployment are
multiplied by ``(o / o*) ** e`` and exits from it by ``(o / o*) ** -e``. In a two-state stock-flow
model ``e = 0.5`` would scale the steady-state odds by exactly ``o / o*``; in the richer process
(flows through services, education and outside the labour force are not scaled) the local
response is damped, so ``e`` = :data:`LOCAL_EXPONENT` is tuned to restore it (checked by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vaikutus.reference import data_path, trial_areas
from vaikutus.registry.synthetic.calibration import load_calibration

PERTUNMAA_2021, MANTYHARJU = "588", "507"
#: Pertunmaa's share of the merged Mäntyharju (population 31.12.2024: 1 673 of 7 345).
PERTUNMAA_SHARE = 1673 / 7345
#: Swedish-speaking share of the labour force by kielisuhde code (0 fi, 1 bilingual fi-majority,
#: 2 sv, 3 bilingual sv-majority).
SWEDISH_SHARE = {"0": 0.005, "1": 0.10, "2": 0.88, "3": 0.60}
#: Municipality type (kuntaryhmitys): 1 urban, 2 semi-urban, 3 rural.
LOCAL_EXPONENT = 0.8


@dataclass(frozen=True)
class Geography:
    """Arrays indexed by municipality of the 2021 division (sorted by code)."""

    code_2021: np.ndarray  # str
    code_2025: np.ndarray  # str: the 2025 successor
    labour_force: np.ndarray  # real labour force in the 2021 division (Pertunmaa split off)
    target_share: np.ndarray  # real unemployed share of the labour force, %
    inflow_multiplier: np.ndarray  # float32
    outflow_multiplier: np.ndarray  # float32
    municipality_type: np.ndarray  # int8: 1 urban, 2 semi-urban, 3 rural
    swedish_share: np.ndarray
    foreign_weight: np.ndarray  # relative foreign-citizen share of the local labour force
    young_weight: np.ndarray  # relative under-25 share of the local unemployed
    employment_area: np.ndarray  # int16: employment area 2025 of the successor municipality
    trial_area: np.ndarray  # int16: index into trial_area_codes, -1 outside the trials
    trial_area_codes: tuple[str, ...]
    trial_area_names: tuple[str, ...]
    is_aland: np.ndarray  # bool

    @property
    def n(self) -> int:
        return len(self.code_2021)

    @property
    def code_labels(self) -> tuple[str, ...]:
        """Codes of the 2021 division followed by each one's 2025 code (see ``municipality_code``)."""
        return (*self.code_2021, *self.code_2025)

    def national_target_share(self) -> float:
        weights = self.labour_force / self.labour_force.sum()
        return float((weights * self.target_share).sum())


def _key(year: int) -> pd.DataFrame:
    with data_path(f"municipality_key_{year}.csv").open("rb") as fh:
        raw = pd.read_csv(fh, dtype=str, keep_default_na=False)
    raw["kunta"] = raw["kunta"].str.zfill(3)
    return raw.set_index("kunta")


def build_geography() -> Geography:
    """Join the calibration targets, the 2021 and 2025 keys and the trial areas."""
    cal = load_calibration().set_index("municipality")
    key21, key25 = _key(2021), _key(2025)
    unknown = sorted(set(cal.index) - set(key25.index))
    if unknown:
        raise ValueError(f"calibration municipalities {unknown} are not in the 2025 key")
    codes_2021 = np.array(sorted(key21.index))
    successor = np.where(codes_2021 == PERTUNMAA_2021, MANTYHARJU, codes_2021)
    rows = cal.loc[successor]
    split = np.where(
        codes_2021 == PERTUNMAA_2021,
        PERTUNMAA_SHARE,
        np.where(codes_2021 == MANTYHARJU, 1 - PERTUNMAA_SHARE, 1.0),
    )
    labour_force = rows["labour_force"].to_numpy(float) * split
    share = rows["unemployment_share"].to_numpy(float)
    odds = share / (100 - share)
    national_share = float((labour_force * share).sum() / labour_force.sum())
    ratio = odds / (national_share / (100 - national_share))
    unemployed = rows["unemployed"].to_numpy(float)
    foreign = rows["foreign_unemployed"].to_numpy(float) / unemployed
    young = rows["under25_unemployed"].to_numpy(float) / unemployed
    national_foreign = float(
        (rows["foreign_unemployed"] * split).sum() / (unemployed * split).sum()
    )
    national_young = float((rows["under25_unemployed"] * split).sum() / (unemployed * split).sum())
    # small municipalities' shares are noisy: shrink towards the national value by their size
    weight = unemployed / (unemployed + 30.0)
    foreign_weight = weight * foreign / national_foreign + (1 - weight)
    young_weight = weight * young / national_young + (1 - weight)

    trials = trial_areas()
    area_codes = tuple(sorted(trials["trial_area_code"].unique()))
    names = trials.drop_duplicates("trial_area_code").set_index("trial_area_code")[
        "trial_area_name"
    ]
    membership = dict(zip(trials["municipality"], trials["trial_area_code"]))
    trial_index = np.array(
        [area_codes.index(membership[c]) if c in membership else -1 for c in codes_2021],
        dtype=np.int16,
    )
    return Geography(
        code_2021=codes_2021,
        code_2025=successor,
        labour_force=labour_force,
        target_share=share,
        inflow_multiplier=(ratio**LOCAL_EXPONENT).astype(np.float32),
        outflow_multiplier=(ratio**-LOCAL_EXPONENT).astype(np.float32),
        municipality_type=key21.loc[codes_2021, "kuntaryhmitys_code"].astype(int).to_numpy(np.int8),
        swedish_share=key21.loc[codes_2021, "kielisuhde_code"].map(SWEDISH_SHARE).to_numpy(float),
        foreign_weight=foreign_weight,
        young_weight=young_weight,
        employment_area=key25.loc[successor, "tyollisyysalue_code"].astype(int).to_numpy(np.int16),
        trial_area=trial_index,
        trial_area_codes=area_codes,
        trial_area_names=tuple(names.loc[list(area_codes)]),
        is_aland=(key21.loc[codes_2021, "maakunta_code"].astype(int) == 21).to_numpy(),
    )
