"""The numerical core of gmmviz: numpy, scipy and numba only — never Qt."""

from gmmviz.core.em import (
    EMStep,
    EStepResult,
    MixtureParams,
    e_step,
    iter_em,
    m_step,
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
    "e_step",
    "initial_params",
    "iter_em",
    "m_step",
    "responsibilities",
]
