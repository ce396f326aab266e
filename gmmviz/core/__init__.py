"""The numerical core of gmmviz: numpy, scipy and numba only — never Qt."""

from gmmviz.core.em import (
    EMStep,
    EStepResult,
    MixtureParams,
    PointSummary,
    e_step,
    iter_em,
    iter_half_steps,
    m_step,
    point_summary,
    responsibilities,
)
from gmmviz.core.init import initial_params, initialise
from gmmviz.core.metrics import adjusted_rand_index, match_components, matched_confusion
from gmmviz.core.mixture import ConvergenceWarning, GaussianMixture, NotFittedError
from gmmviz.core.restarts import iter_restarts
from gmmviz.core.selection import SweepPoint, best, iter_sweep

__all__ = [
    "ConvergenceWarning",
    "EMStep",
    "EStepResult",
    "GaussianMixture",
    "MixtureParams",
    "NotFittedError",
    "PointSummary",
    "SweepPoint",
    "adjusted_rand_index",
    "best",
    "e_step",
    "initial_params",
    "initialise",
    "iter_em",
    "iter_half_steps",
    "iter_restarts",
    "iter_sweep",
    "m_step",
    "match_components",
    "matched_confusion",
    "point_summary",
    "responsibilities",
]
