"""The numerical core of gmmviz: numpy, scipy and numba only — never Qt."""

from gmmviz.core.em import (
    EMStep,
    EStepResult,
    MixtureParams,
    PointSummary,
    e_step,
    iter_em,
    m_step,
    point_summary,
    responsibilities,
)
from gmmviz.core.mixture import ConvergenceWarning, GaussianMixture, NotFittedError, initial_params

__all__ = [
    "ConvergenceWarning",
    "EMStep",
    "EStepResult",
    "GaussianMixture",
    "MixtureParams",
    "NotFittedError",
    "PointSummary",
    "e_step",
    "initial_params",
    "iter_em",
    "m_step",
    "point_summary",
    "responsibilities",
]
