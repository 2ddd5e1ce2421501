"""The frozen result of a synthetic-control fit, and :func:`fit`, the package's entry point."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.synth import plots, sdid
from vaikutus.evaluation.synth.estimators import METHODS, V_OPTIONS, CoreFit, FitContext, Spec
from vaikutus.evaluation.synth.inference import (
    ConformalResult,
    LeaveOneOut,
    PlaceboSet,
    run_conformal,
    run_leave_one_out,
    run_placebos,
)
from vaikutus.evaluation.synth.panel import (
    SynthInputError,
    parse_predictors,
    prepare_panel,
    require_columns,
    show,
    time_text,
)
from vaikutus.evaluation.synth.solver import alternative_optimum
from vaikutus.evaluation.synth.threads import single_threaded_blas

SE_METHODS = ("auto", "placebo", "jackknife", "none")


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class SynthResult:
    """One treated unit (or SDID block) and its synthetic control.

    ``weights`` (donor -> weight), ``path`` (time, observed, synthetic, gap), ``pre_rmspe`` and
    ``post_rmspe``, ``att`` (mean post-period gap), ``v`` (predictor weights), and
    ``predictor_balance`` (treated vs synthetic vs donor mean) describe the fit; ``v_search``
    lists every start of the V search with its loss. ``unique`` says whether another set of
    donor weights fits the predictors equally well (checked by a linear programme over the
    optimal face). ``placebos`` / ``conformal_result`` hold inference once it has been run
    (:meth:`with_placebos`, :meth:`with_conformal`).
    """

    treated: Hashable
    start: object
    method: str
    outcome: str
    weights: pd.Series
    path: pd.DataFrame
    pre_rmspe: float
    post_rmspe: float
    att: float
    v: pd.Series
    predictor_balance: pd.DataFrame
    v_search: pd.DataFrame
    loss: float
    near_tie: bool
    global_optimum: bool
    unique: bool
    alternative_weight_difference: float
    time_weights: pd.Series | None
    att_se: float | None
    se_method: str | None
    details: dict[str, Any]
    warnings: tuple[str, ...]
    label: str
    placebos: PlaceboSet | None = None
    conformal_result: ConformalResult | None = None
    _context: FitContext | None = field(default=None, repr=False)
    _core: CoreFit | None = field(default=None, repr=False)

    # -- inference -----------------------------------------------------------------------------
    def placebo(self, prune: float = 5.0) -> PlaceboSet:
        """In-space placebos: every donor re-fitted as if treated (see :mod:`.inference`)."""
        if self.placebos is not None and self.placebos.prune == prune:
            return self.placebos
        with single_threaded_blas():
            return run_placebos(self._refit_context, self._core, self.treated, prune)

    def with_placebos(self, prune: float = 5.0) -> SynthResult:
        """A copy of this result that carries its placebo set (p-value in to_dict, figures)."""
        return replace(self, placebos=self.placebo(prune))

    def in_time_placebo(
        self, fake_start: object, predictors: Iterable | None = None
    ) -> SynthResult:
        """Re-fit as if treatment began at ``fake_start``, using only the real pre-period.

        Predictor periods at or after the fake start are dropped, and so are predictors left
        with no period (pass ``predictors`` to re-specify them, as ADH 2015 do); a large gap
        before the real start questions the design.
        """
        context = self._refit_context
        if predictors is not None:
            context = replace(
                context, spec=replace(context.spec, predictors=parse_predictors(predictors))
            )
        panel = context.panel
        fake_pos = panel.position(fake_start)
        if not 2 <= fake_pos < context.start_pos:
            raise SynthInputError(
                f"fake start {show(fake_start)} must leave two periods before it and lie before "
                f"the real start {show(self.start)}"
            )
        placebo_context = replace(
            context, start_pos=fake_pos, end_pos=context.start_pos, clip_predictors=True
        )
        with single_threaded_blas():
            return build_result(
                placebo_context,
                self.treated,
                label=f"in-time placebo (fake start {time_text(panel.times[fake_pos])})",
            )

    def leave_one_out(self) -> LeaveOneOut:
        """Re-fit without each donor that has weight (ADH 2015's robustness check)."""
        with single_threaded_blas():
            return run_leave_one_out(self._refit_context, self._core, self.treated, self.weights)

    def conformal(self, alpha: float = 0.1) -> ConformalResult:
        """Conformal p-values and pointwise / constant-effect intervals (CWZ 2021).

        Uses the simplex synthetic control on the outcome path (with an intercept for the
        demeaned method), as CWZ and ``scinference`` do, whatever ``method`` the fit used.
        """
        context = self._refit_context
        core = self._core
        donors = context.panel.outcome[context.donor_rows, : core.observed.size]
        with single_threaded_blas():
            return run_conformal(
                core.observed,
                donors,
                context.panel.times[: core.observed.size],
                context.start_pos,
                alpha,
                intercept=self.method in ("demeaned", "sdid"),
            )

    def with_conformal(self, alpha: float = 0.1) -> SynthResult:
        return replace(self, conformal_result=self.conformal(alpha))

    @property
    def _refit_context(self) -> FitContext:
        if self._context is None or self._core is None:
            raise RuntimeError("this result was not produced by synth.fit and cannot be re-fitted")
        return self._context

    # -- reporting -----------------------------------------------------------------------------
    def summary(self) -> str:
        lines = [
            f"Synthetic control ({self.method}): {self.label}",
            f"  treated from {time_text(self.start)}; {len(self.weights)} donors; "
            f"outcome {self.outcome}",
            f"  pre-period RMSPE {self.pre_rmspe:.4f}, post-period RMSPE {self.post_rmspe:.4f}, "
            f"ratio {self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else float('inf'):.3f}",
            f"  average post-period gap (ATT) {self.att:.4f}"
            + (f" (SE {self.att_se:.4f}, {self.se_method})" if self.att_se is not None else ""),
        ]
        if len(self.v_search):
            lines.append(f"  V search: pre-period MSPE {self.loss:.5g}; starts:")
            for row in self.v_search.itertuples():
                chosen = " <- chosen" if row.chosen else ""
                posed = "" if row.well_posed else " (ill-posed: W not unique)"
                lines.append(f"    {row.start:22s} MSPE {row.loss:.5g}{posed}{chosen}")
        lines.append("  donor weights:")
        shown = self.weights[self.weights.abs() > 1e-4]
        for donor, w in shown.reindex(shown.abs().sort_values(ascending=False).index).items():
            lines.append(f"    {str(donor):24s} {w:8.4f}")
        if len(self.predictor_balance):
            lines.append("  predictor balance (treated / synthetic / donor mean; V):")
            for name, row in self.predictor_balance.iterrows():
                lines.append(
                    f"    {str(name):34s} {row['treated']:10.4g} {row['synthetic']:10.4g} "
                    f"{row['donor_mean']:10.4g}  {row['v']:.4f}"
                )
        if self.placebos is not None:
            lines.append(self.placebos.summary())
        if self.conformal_result is not None:
            lines.append(self.conformal_result.summary())
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The path; with conformal intervals when they have been computed."""
        if self.conformal_result is None:
            return self.path.copy()
        bands = self.conformal_result.intervals[["time", "lower", "upper"]]
        return self.path.merge(bands, on="time", how="left")

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "label": self.label,
            "treated": list(self.treated) if isinstance(self.treated, tuple) else self.treated,
            "start": self.start,
            "outcome": self.outcome,
            "weights": self.weights.to_dict(),
            "path": self.path,
            "pre_rmspe": self.pre_rmspe,
            "post_rmspe": self.post_rmspe,
            "att": self.att,
            "att_se": self.att_se,
            "se_method": self.se_method,
            "p_value": None if self.placebos is None else self.placebos.p_value,
            "p_value_pruned": None if self.placebos is None else self.placebos.p_value_pruned,
            "placebo": None if self.placebos is None else self.placebos.to_dict(),
            "conformal": None if self.conformal_result is None else self.conformal_result.to_dict(),
            "v": self.v.to_dict(),
            "predictor_balance": self.predictor_balance.reset_index(),
            "v_search": self.v_search,
            "loss": self.loss,
            "near_tie": self.near_tie,
            "global_optimum": self.global_optimum,
            "unique": self.unique,
            "alternative_weight_difference": self.alternative_weight_difference,
            "time_weights": None if self.time_weights is None else self.time_weights.to_dict(),
            "details": self.details,
            "warnings": list(self.warnings),
        }

    def figures(self) -> dict[str, Any]:
        figures = {
            "trajectory": self.plot(),
            "gap": plots.gap(
                self.path,
                self.start,
                str(self.label),
                placebo_gaps=None
                if self.placebos is None
                else self.placebos.gaps[
                    [u for u in self.placebos.kept if u != self.placebos.treated]
                ],
                intervals=None
                if self.conformal_result is None
                else self.conformal_result.intervals,
                alpha=None if self.conformal_result is None else self.conformal_result.alpha,
            ),
            "weights": plots.weights(self.weights),
        }
        if self.placebos is not None:
            figures["placebo_ratios"] = plots.ratios(self.placebos.ratios, self.placebos.treated)
        return figures

    def plot(self):
        """Observed outcome against the synthetic control."""
        return plots.trajectory(self.path, self.start, str(self.label), self.outcome)


def build_result(
    context: FitContext,
    treated: Hashable,
    *,
    label: str,
    se: str = "none",
    replications: int = 200,
) -> SynthResult:
    """Fit ``context`` and wrap the arrays in a labelled :class:`SynthResult`."""
    core = context.fit()
    panel, start_pos = context.panel, context.start_pos
    donors = [panel.units[r] for r in context.donor_rows]
    times = panel.times[: core.observed.size]
    gap = core.observed - core.synthetic
    path = pd.DataFrame(
        {"time": times, "observed": core.observed, "synthetic": core.synthetic, "gap": gap}
    )
    unique, difference = _uniqueness(context, core)
    warnings = []
    if not unique:
        warnings.append(
            f"the donor weights are not unique: another weight vector (largest difference "
            f"{difference:.3f}) matches the predictors equally well, so the synthetic path "
            "depends on tie-breaking; add predictors or use method='penalized'"
        )
    vfit = core.vfit
    if vfit is not None and vfit.near_tie:
        warnings.append(
            "near-tie in the V search: another start reached a pre-period MSPE within "
            "1% of the best with weights differing by more than 0.02 (see v_search)"
        )
    if vfit is not None and not any(s.well_posed for s in vfit.starts):
        warnings.append("every V search ended where the inner weights are not unique")
    att_se, se_method = _sdid_se(context, core, se, replications)
    return SynthResult(
        treated=treated,
        start=times[start_pos],
        method=context.spec.method,
        outcome=panel.outcome_name,
        weights=pd.Series(core.weights, index=pd.Index(donors, name="donor"), name="weight"),
        path=path,
        pre_rmspe=float(np.sqrt(np.mean(gap[:start_pos] ** 2))),
        post_rmspe=float(np.sqrt(np.mean(gap[start_pos:] ** 2))),
        att=float(gap[start_pos:].mean()),
        v=pd.Series(
            core.v if core.v is not None else np.zeros(0),
            index=list(core.predictor_labels),
            name="v",
        ),
        predictor_balance=_balance(core),
        v_search=_v_search_table(core),
        loss=vfit.loss if vfit is not None else float(np.mean(gap[:start_pos] ** 2)),
        near_tie=bool(vfit is not None and vfit.near_tie),
        global_optimum=bool(vfit is not None and vfit.global_optimum),
        unique=unique,
        alternative_weight_difference=difference,
        time_weights=None
        if core.time_weights is None
        else pd.Series(core.time_weights, index=times[:start_pos], name="time_weight"),
        att_se=att_se,
        se_method=se_method,
        details=core.details,
        warnings=tuple(warnings),
        label=label,
        _context=context,
        _core=core,
    )


def _uniqueness(context: FitContext, core: CoreFit) -> tuple[bool, float]:
    """LP check on the optimal face of the (unpenalised-ridge) inner problem; SDID is unique."""
    if context.spec.method == "sdid" or core.v is None:
        return True, 0.0
    x = core.predictor_values
    x = x / x.std(axis=1, ddof=1, keepdims=True)
    root = np.sqrt(core.v)
    penalty = core.details.get("penalty", 0.0)
    linear = penalty * (core.v @ ((x[:, :1] - x[:, 1:]) ** 2)) if penalty else None
    check = alternative_optimum(root[:, None] * x[:, 1:], core.balance_weights, linear=linear)
    return check.unique, check.max_weight_difference


def _balance(core: CoreFit) -> pd.DataFrame:
    values = core.predictor_values
    if values.shape[0] == 0:
        return pd.DataFrame(columns=["treated", "synthetic", "donor_mean", "v"])
    return pd.DataFrame(
        {
            "treated": values[:, 0],
            "synthetic": values[:, 1:] @ core.balance_weights,
            "donor_mean": values[:, 1:].mean(axis=1),
            "v": core.v,
        },
        index=pd.Index(core.predictor_labels, name="predictor"),
    )


def _v_search_table(core: CoreFit) -> pd.DataFrame:
    columns = ["start", "loss", "rmspe", "well_posed", "evaluations", "chosen"]
    if core.vfit is None:
        return pd.DataFrame(columns=columns)
    rows = [
        {
            "start": s.name,
            "loss": s.loss,
            "rmspe": float(np.sqrt(s.loss)),
            "well_posed": s.well_posed,
            "evaluations": s.evaluations,
            "chosen": bool(np.array_equal(s.v, core.vfit.v)),
        }
        for s in core.vfit.starts
    ]
    return pd.DataFrame(rows, columns=columns)


def _sdid_se(
    context: FitContext, core: CoreFit, se: str, replications: int
) -> tuple[float | None, str | None]:
    if context.spec.method != "sdid" or se == "none":
        return None, None
    outcome = context.panel.outcome[:, : core.observed.size]
    controls, treated = outcome[context.donor_rows], outcome[context.treated_rows]
    method = se if se != "auto" else ("jackknife" if treated.shape[0] > 1 else "placebo")
    zetas = (core.details["zeta_omega"], core.details["zeta_lambda"])
    if method == "jackknife":
        if treated.shape[0] < 2:
            raise SynthInputError("se='jackknife' needs two or more treated units; use 'placebo'")
        fit = sdid.SdidFit(core.weights, core.time_weights, 0.0, core.synthetic, *zetas)
        return sdid.jackknife_se(controls, treated, fit, context.start_pos), method
    value = sdid.placebo_se(
        controls,
        treated.shape[0],
        context.start_pos,
        zetas,
        replications=replications,
        seed=context.spec.seed,
    )
    return value, method


def fit(
    panel: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Hashable | Sequence[Hashable],
    start: object | Mapping[Hashable, object],
    predictors: Iterable | None = None,
    donors: Iterable[Hashable] | None = None,
    method: str = "classic",
    v: str | Sequence[float] = "optimize",
    penalty: float | None = None,
    ridge: float | None = None,
    placebo: bool = False,
    prune: float = 5.0,
    conformal: float | None = None,
    se: str = "auto",
    replications: int = 200,
    seed: int = 0,
):
    """Fit a synthetic control to a tidy long ``panel`` (one row per unit and time).

    ``treated`` is one unit or a list; ``start`` the first treated period, or a dict
    unit -> start for staggered adoption. ``predictors`` are ``(column, periods, aggregation)``
    items (e.g. ``("lnincome", range(1980, 1989), "mean")``; an outcome lag is
    ``("cigsale", 1975)``); ``None`` matches every pre-period outcome. ``donors`` defaults to
    every never-treated unit. ``method`` is one of ``classic``, ``demeaned``, ``penalized``
    (``penalty`` = Abadie & L'Hour's lambda, chosen by cross-validation if ``None``),
    ``augmented`` (``ridge`` = the ridge lambda, cross-validated if ``None``) or ``sdid``. ``v``
    is ``"optimize"`` (nested search), ``"equal"``, ``"regression"`` or explicit weights.
    ``placebo=True`` runs in-space placebos, ``conformal=alpha`` conformal intervals. For SDID,
    ``se`` is ``auto`` (jackknife with several treated units, else placebo), ``placebo``,
    ``jackknife`` or ``none``.

    Returns a :class:`SynthResult` for one treated unit (or one SDID block) and a
    :class:`~vaikutus.evaluation.synth.pooled.PooledSynthResult` for several.
    """
    from vaikutus.evaluation.synth.pooled import fit_pooled

    if method not in METHODS:
        raise SynthInputError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if isinstance(v, str) and v not in V_OPTIONS:
        raise SynthInputError(
            f"v must be one of {', '.join(V_OPTIONS)} or a list of weights; got {v!r}"
        )
    if se not in SE_METHODS:
        raise SynthInputError(f"se must be one of {', '.join(SE_METHODS)}; got {se!r}")
    starts = _starts_by_unit(treated, start)
    treated_units = list(starts)
    require_columns(panel, unit=unit, time=time, outcome=outcome)
    if donors is None:
        donor_units = [u for u in pd.unique(panel[unit]) if u not in starts]
    else:
        donor_units = list(donors)
        overlap = [d for d in donor_units if d in starts]
        if overlap:
            raise SynthInputError(f"donors include treated unit(s) {overlap!r}")
    if len(donor_units) < 2:
        raise SynthInputError("a synthetic control needs at least two donor units")
    spec = Spec(
        method=method,
        predictors=parse_predictors(predictors),
        v=v if isinstance(v, str) else tuple(float(x) for x in v),
        penalty=penalty,
        ridge=ridge,
        seed=seed,
    )
    columns = [p.column for p in spec.predictors or ()]
    wide = prepare_panel(
        panel,
        unit=unit,
        time=time,
        outcome=outcome,
        units=treated_units + donor_units,
        columns=columns,
    )
    one_block = method == "sdid" and len({str(s) for s in starts.values()}) == 1
    with single_threaded_blas():
        if len(treated_units) > 1 and not one_block:
            if conformal is not None:
                raise SynthInputError(
                    "conformal inference is per treated unit: fit them one by one, or call "
                    ".units[unit].conformal() on the pooled result"
                )
            return fit_pooled(
                wide,
                starts,
                donor_units,
                spec,
                placebo=placebo,
                prune=prune,
                se=se,
                replications=replications,
            )
        start_pos = _start_position(wide, starts[treated_units[0]])
        context = FitContext(
            wide, wide.rows(treated_units), wide.rows(donor_units), start_pos, spec
        )
        label = treated_units[0] if len(treated_units) == 1 else tuple(treated_units)
        result = build_result(
            context,
            label,
            label=", ".join(map(str, treated_units)),
            se=se,
            replications=replications,
        )
        if placebo:
            result = result.with_placebos(prune)
        if conformal is not None:
            result = result.with_conformal(conformal)
    return result


def _starts_by_unit(treated: object, start: object) -> dict[Hashable, object]:
    units = (
        list(treated)
        if isinstance(treated, (list, tuple, set, pd.Index, np.ndarray))
        else [treated]
    )
    if not units:
        raise SynthInputError("treated: give at least one treated unit")
    if not isinstance(start, Mapping):
        return {u: start for u in units}
    missing = [u for u in units if u not in start]
    extra = [u for u in start if u not in units]
    if missing or extra:
        raise SynthInputError(
            f"start: the dict must give one start per treated unit (missing {missing!r}, "
            f"not treated {extra!r})"
        )
    return {u: start[u] for u in units}


def _start_position(wide, start: object) -> int:
    position = wide.position(start)
    if position < 2:
        raise SynthInputError(f"start {show(start)} leaves fewer than two pre-treatment periods")
    return position
