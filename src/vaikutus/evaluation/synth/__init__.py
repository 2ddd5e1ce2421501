"""Synthetic control methods: classic SCM and its variants, with placebo and conformal inference.

    from vaikutus.evaluation import synth

    result = synth.fit(
        panel, unit="state", time="year", outcome="cigsale",
        treated="California", start=1989,
        predictors=[("lnincome", range(1980, 1989), "mean"), ("cigsale", 1975)],
        method="classic", v="optimize", placebo=True,
    )
    result.weights, result.path, result.pre_rmspe, result.placebos.p_value
    result.in_time_placebo(1980); result.leave_one_out(); result.conformal(alpha=0.1)

Methods: ``classic`` (Abadie, Diamond & Hainmueller 2010), ``demeaned`` (intercept-shifted),
``penalized`` (Abadie & L'Hour 2021), ``augmented`` (ridge ASCM, Ben-Michael, Feller &
Rothstein 2021) and ``sdid`` (Arkhangelsky et al. 2021). Several treated units or a dict of
starts give per-unit fits pooled by event time. The weight problems are solved by an exact
active-set simplex solver (:mod:`.solver`) and V by a gradient-based nested search
(:mod:`.vsearch`); see those modules for why the field's Python packages were not used.
"""

from vaikutus.evaluation.synth.estimators import METHODS, V_OPTIONS
from vaikutus.evaluation.synth.inference import ConformalResult, LeaveOneOut, PlaceboSet
from vaikutus.evaluation.synth.panel import PredictorSpec, SynthInputError
from vaikutus.evaluation.synth.pooled import PooledSynthResult
from vaikutus.evaluation.synth.result import SynthResult, fit

__all__ = [
    "METHODS",
    "V_OPTIONS",
    "ConformalResult",
    "LeaveOneOut",
    "PlaceboSet",
    "PooledSynthResult",
    "PredictorSpec",
    "SynthInputError",
    "SynthResult",
    "fit",
]
