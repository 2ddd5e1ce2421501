"""The employment-chance model: LightGBM with a logistic regression beside it, validated in time.

``train(baseline, TrainSettings(target_months=12))`` predicts an open-market job within 6 or 12
months of a start. Validation follows how the model would be used: it is built on the cohorts
whose outcome is already known and applied to later ones. The last ``test_months`` labelled start
months are the test set; the validation cohorts (early stopping) end ``target_months`` before the
test starts, because at that date the outcomes of later cohorts are not yet known; the earlier
cohorts train. Both learners see the same training rows.

The result, :class:`EmploymentModel`, scores new baselines (validated strictly, see
``features.validate_baseline``), explains each score (LightGBM's exact TreeSHAP contributions via
``pred_contrib=True``; the logistic model's standardised terms) and is saved as a folder: the
LightGBM text model plus JSON metadata with the features and their codes, the periods, the
metrics, versions and the model file's SHA-256 - never a pickle, so loading executes no code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import sklearn

import vaikutus
from vaikutus.evaluation.outputs import to_jsonable
from vaikutus.profiling.features import (
    FEATURE_BY_NAME,
    Feature,
    encode,
    resolve_features,
    validate_baseline,
)
from vaikutus.profiling.logistic import LogisticModel, fit_logistic
from vaikutus.profiling.metrics import calibration_table, performance

MODELS = ("lightgbm", "logistic")
SPLITS = ("train", "validation", "test")
#: Predicted-chance tertiles of the training cohorts cut the chance axis of the segments.
CHANCE_QUANTILES = (1 / 3, 2 / 3)
MODEL_FILE, META_FILE = "model.txt", "model.json"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model folder that is missing, incomplete, altered or from another format version."""


@dataclass(frozen=True)
class TrainSettings:
    """What to predict, how to split the cohorts and how large the boosting may grow."""

    target_months: int = 12
    exclude: tuple[str, ...] = ()
    test_months: int = 12
    validation_months: int = 12
    num_trees: int = 600
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 40
    early_stopping_rounds: int = 50
    #: OpenMP threads of LightGBM. One by default: on a shared, busy machine OpenMP's busy-waiting
    #: made two threads ten times slower than one (measured on the 2-core development machine).
    threads: int = 1
    seed: int = 20260601
    #: Probability from which a client counts as "likely to find work" in the error-rate audit;
    #: None = the observed rate in the training cohorts.
    threshold: float | None = None

    def __post_init__(self) -> None:
        if self.target_months not in (6, 12):
            raise ValueError(f"target_months must be 6 or 12, got {self.target_months}")
        resolve_features(self.exclude)
        if self.test_months < 1 or self.validation_months < 1:
            raise ValueError("test_months and validation_months must be at least 1")

    @property
    def target(self) -> str:
        return f"open_market_job_{self.target_months}m"

    def lightgbm_params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "num_threads": self.threads,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
            "max_cat_to_onehot": 4,
            "cat_smooth": 10.0,
        }


@dataclass(frozen=True)
class Periods:
    """First and last start month (cohort) of each split."""

    train: tuple[date, date]
    validation: tuple[date, date]
    test: tuple[date, date]

    def of(self, split: str) -> tuple[date, date]:
        return getattr(self, split)


def _add_months(month: date, k: int) -> date:
    index = month.year * 12 + month.month - 1 + k
    return date(index // 12, index % 12 + 1, 1)


def time_split(labelled: pd.DataFrame, settings: TrainSettings) -> tuple[Periods, pd.Series]:
    """The periods and each row's split (a Series of 'train' / 'validation' / 'test' / None)."""
    cohorts = pd.Series(labelled["cohort"])
    last = max(cohorts)
    test = (_add_months(last, 1 - settings.test_months), last)
    validation_end = _add_months(test[0], -settings.target_months - 1)
    validation = (_add_months(validation_end, 1 - settings.validation_months), validation_end)
    train = (min(cohorts), _add_months(validation[0], -1))
    if train[1] < train[0]:
        raise ValueError(
            f"too few labelled cohorts ({min(cohorts)}..{last}) for {settings.test_months} test, a "
            f"{settings.target_months}-month gap and {settings.validation_months} validation months "
            "before any training month"
        )
    periods = Periods(train=train, validation=validation, test=test)
    split = pd.Series(None, index=labelled.index, dtype=object)
    for name in SPLITS:
        first, last_month = periods.of(name)
        split[(cohorts >= first) & (cohorts <= last_month)] = name
    return periods, split


@dataclass(frozen=True, eq=False)
class EmploymentModel:
    """A trained employment-chance model with its evaluation; score, explain, save."""

    booster: lgb.Booster
    logistic: LogisticModel
    features: tuple[Feature, ...]
    settings: TrainSettings
    periods: Periods
    rows: dict[str, int]
    window: dict[str, str]
    metrics: pd.DataFrame  # model x split
    calibration: pd.DataFrame  # test split, both models
    importance: pd.DataFrame
    chance_cuts: tuple[float, float]
    threshold: float
    versions: dict[str, str]
    trained_at: str
    #: Filled by ``fairness.audit`` / ``fairness.compare_exclusions`` when training runs them.
    fairness: pd.DataFrame | None = None
    exclusions: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    # -- scoring -------------------------------------------------------------------------------

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Validate ``frame`` (raises ``BaselineError``) and encode it for both learners."""
        validate_baseline(frame, self.features)
        return encode(frame, self.features)

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Probability of an open-market job within the horizon, by both learners, per row."""
        x = self.encode(frame)
        return pd.DataFrame(
            {
                "p_lightgbm": self.booster.predict(x),
                "p_logistic": self.logistic.predict(x, self.features),
            },
            index=frame.index,
        )

    def explain(self, frame: pd.DataFrame, language: str = "en"):
        """Which baseline values raise or lower each row's estimate (see ``explain.Explanation``)."""
        from vaikutus.profiling.explain import explain_rows

        return explain_rows(self, frame, language)

    @property
    def model_id(self) -> str:
        """Short, stable identifier: the first 12 hex digits of the LightGBM model's SHA-256."""
        return _sha256(self.booster_text())[:12]

    def booster_text(self) -> str:
        return self.booster.model_to_string()

    # -- result protocol -----------------------------------------------------------------------

    def summary(self) -> str:
        lines = [
            f"Employment-chance model {self.model_id}: open-market job within "
            f"{self.settings.target_months} months of a start",
            f"  features: {', '.join(f.name for f in self.features)}",
            f"  excluded: {', '.join(self.settings.exclude) or 'none'}",
        ]
        for split in SPLITS:
            first, last = self.periods.of(split)
            lines.append(f"  {split:<10} cohorts {first:%Y-%m}..{last:%Y-%m}  n={self.rows[split]}")
        shown = self.metrics[
            [
                "model",
                "split",
                "n",
                "auc",
                "auc_ci_low",
                "auc_ci_high",
                "brier",
                "calibration_in_the_large",
            ]
        ]
        lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.metrics.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "model_id": self.model_id,
            "target": self.settings.target,
            "settings": dataclasses.asdict(self.settings),
            "features": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "minimum": f.minimum,
                    "maximum": f.maximum,
                    "categories": list(f.categories),
                    "sensitive": f.sensitive,
                }
                for f in self.features
            ],
            "periods": {s: [d.isoformat() for d in self.periods.of(s)] for s in SPLITS},
            "rows": self.rows,
            "window": self.window,
            "metrics": self.metrics,
            "calibration": self.calibration,
            "importance": self.importance,
            "chance_cuts": list(self.chance_cuts),
            "threshold": self.threshold,
            "logistic": self.logistic.to_dict(),
            "fairness": self.fairness,
            "exclusions": self.exclusions,
            "versions": self.versions,
            "trained_at": self.trained_at,
            "extra": self.extra,
        }

    def figures(self) -> dict[str, Any]:
        from vaikutus.profiling.figures import plot_calibration, plot_importance

        return {
            "calibration": plot_calibration(self.calibration),
            "importance": plot_importance(self.importance),
        }

    def plot(self):
        return self.figures()["calibration"]

    # -- persistence ---------------------------------------------------------------------------

    def save(self, folder: Path | str) -> Path:
        """Write ``model.txt`` and ``model.json`` (with the text model's SHA-256) into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        text = self.booster_text()
        (folder / MODEL_FILE).write_text(text, encoding="utf-8")
        meta = {**to_jsonable(self.to_dict()), "files": {MODEL_FILE: _sha256(text)}}
        (folder / META_FILE).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        return folder


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_model(folder: Path | str) -> EmploymentModel:
    """Read a model folder written by :meth:`EmploymentModel.save`, checking its SHA-256."""
    folder = Path(folder)
    meta_path, model_path = folder / META_FILE, folder / MODEL_FILE
    for path in (meta_path, model_path):
        if not path.is_file():
            raise ModelFileError(f"{folder} is not a model folder: {path.name} is missing")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{meta_path}: format_version {meta.get('format_version')!r}, "
            f"this vaikutus reads {FORMAT_VERSION}"
        )
    text = model_path.read_text(encoding="utf-8")
    if _sha256(text) != meta["files"][MODEL_FILE]:
        raise ModelFileError(
            f"{model_path} does not match the SHA-256 in {META_FILE}: the model was altered"
        )
    features = []
    for spec in meta["features"]:
        if spec["name"] not in FEATURE_BY_NAME:
            raise ModelFileError(
                f"{meta_path}: feature {spec['name']!r} is unknown to this vaikutus"
            )
        features.append(
            dataclasses.replace(
                FEATURE_BY_NAME[spec["name"]],
                kind=spec["kind"],
                minimum=spec["minimum"],
                maximum=spec["maximum"],
                categories=tuple(spec["categories"]),
            )
        )
    settings = TrainSettings(**{**meta["settings"], "exclude": tuple(meta["settings"]["exclude"])})
    periods = Periods(
        **{s: tuple(date.fromisoformat(d) for d in meta["periods"][s]) for s in SPLITS}
    )
    return EmploymentModel(
        booster=lgb.Booster(model_str=text),
        logistic=LogisticModel.from_dict(meta["logistic"]),
        features=tuple(features),
        settings=settings,
        periods=periods,
        rows=meta["rows"],
        window=meta["window"],
        metrics=pd.DataFrame(meta["metrics"]),
        calibration=pd.DataFrame(meta["calibration"]),
        importance=pd.DataFrame(meta["importance"]),
        chance_cuts=tuple(meta["chance_cuts"]),
        threshold=meta["threshold"],
        versions=meta["versions"],
        trained_at=meta["trained_at"],
        fairness=None if meta["fairness"] is None else pd.DataFrame(meta["fairness"]),
        exclusions=None if meta["exclusions"] is None else pd.DataFrame(meta["exclusions"]),
        extra=meta["extra"],
    )


# -- training ----------------------------------------------------------------------------------


def train(baseline: pd.DataFrame, settings: TrainSettings | None = None) -> EmploymentModel:
    """Fit both learners on the training cohorts and evaluate them on validation and test."""
    settings = settings or TrainSettings()
    features = resolve_features(settings.exclude)
    labelled = baseline[baseline[settings.target].notna()]
    if labelled.empty:
        raise ValueError(f"no start has a known {settings.target} outcome")
    periods, split = time_split(labelled, settings)
    validate_baseline(labelled, features)
    x = encode(labelled, features)
    y = labelled[settings.target].to_numpy(dtype=float)
    part = {s: (split == s).to_numpy() for s in SPLITS}
    for s in SPLITS:
        if len(np.unique(y[part[s]])) < 2:
            raise ValueError(
                f"the {s} cohorts {periods.of(s)[0]}..{periods.of(s)[1]} need both outcomes"
            )
    booster = _fit_booster(x, y, part, features, settings)
    logistic = fit_logistic(x[part["train"]], y[part["train"]], features)
    predicted = {"lightgbm": booster.predict(x), "logistic": logistic.predict(x, features)}
    metrics = pd.DataFrame(
        [
            {"model": m, "split": s, **performance(y[part[s]], predicted[m][part[s]])}
            for m in MODELS
            for s in SPLITS
        ]
    )
    calibration = pd.concat(
        [
            calibration_table(y[part["test"]], predicted[m][part["test"]]).assign(model=m)
            for m in MODELS
        ],
        ignore_index=True,
    )
    cuts = np.quantile(predicted["lightgbm"][part["train"]], CHANCE_QUANTILES)
    threshold = (
        settings.threshold if settings.threshold is not None else float(y[part["train"]].mean())
    )
    window = {
        "first_start": str(min(baseline["start_date"])),
        "last_start": str(max(baseline["start_date"])),
    }
    return EmploymentModel(
        booster=booster,
        logistic=logistic,
        features=features,
        settings=settings,
        periods=periods,
        rows={s: int(part[s].sum()) for s in SPLITS},
        window=window,
        metrics=metrics,
        calibration=calibration,
        importance=_importance(booster, logistic, x[part["test"]], features),
        chance_cuts=(float(cuts[0]), float(cuts[1])),
        threshold=threshold,
        versions={
            "vaikutus": vaikutus.__version__,
            "lightgbm": lgb.__version__,
            "scikit-learn": sklearn.__version__,
            "pandas": pd.__version__,
        },
        trained_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def _fit_booster(
    x: np.ndarray,
    y: np.ndarray,
    part: dict[str, np.ndarray],
    features: tuple[Feature, ...],
    settings: TrainSettings,
) -> lgb.Booster:
    categorical = [j for j, f in enumerate(features) if f.kind == "category"]
    names = [f.name for f in features]
    params = settings.lightgbm_params()
    data = lgb.Dataset(
        x[part["train"]],
        y[part["train"]],
        feature_name=names,
        categorical_feature=categorical,
        params=params,
        free_raw_data=False,
    )
    valid = data.create_valid(x[part["validation"]], y[part["validation"]])
    fitted = lgb.train(
        params,
        data,
        num_boost_round=settings.num_trees,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(settings.early_stopping_rounds, verbose=False)],
    )
    # Round-trip through the text format so the in-memory model is exactly the one saved.
    return lgb.Booster(model_str=fitted.model_to_string(num_iteration=fitted.best_iteration))


def _importance(
    booster: lgb.Booster, logistic: LogisticModel, x: np.ndarray, features: tuple[Feature, ...]
) -> pd.DataFrame:
    """Mean absolute log-odds contribution per feature on the test cohorts, for both learners."""
    shap = np.abs(booster.predict(x, pred_contrib=True)[:, :-1]).mean(axis=0)
    linear = np.abs(logistic.feature_contributions(x, features)).mean(axis=0)
    frame = pd.DataFrame(
        {
            "feature": [f.name for f in features],
            "label": [f.label("en") for f in features],
            "lightgbm_mean_abs_logodds": shap,
            "logistic_mean_abs_logodds": linear,
        }
    )
    return frame.sort_values("lightgbm_mean_abs_logodds", ascending=False, ignore_index=True)
