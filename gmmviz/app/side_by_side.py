"""The four covariance types from the same start, run together (no Qt): one snapshot of
each per iteration, so four canvases can animate side by side."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from gmmviz.app.settings import ModelSettings
from gmmviz.core import initialise, iter_em
from gmmviz.core.em import EMStep
from gmmviz.core.gaussian import COVARIANCE_TYPES


def side_by_side_run(X: np.ndarray, settings: ModelSettings) -> Iterator[tuple[EMStep, ...]]:
    """Yield one snapshot per covariance type (``COVARIANCE_TYPES`` order) per iteration.

    Every type starts from the same initialisation (the same random draws, hence the same
    labels or means, with each type's own covariance estimate); a run that has finished
    repeats its last snapshot while the others go on.

    Parameters
    ----------
    X : ndarray of shape (N, d)
    settings : ModelSettings
        K, initialisation, seed, tol, reg_covar and max_iter (the covariance type is
        ignored: all four run).
    """
    runs = []
    for covariance_type in COVARIANCE_TYPES:
        start = initialise(
            X, settings.n_components, covariance_type=covariance_type,
            init_params=settings.init_params, reg_covar=settings.reg_covar,
            random_state=settings.seed,
        )  # fmt: skip
        runs.append(
            iter_em(X, start, tol=settings.tol, reg_covar=settings.reg_covar,
                    max_iter=settings.max_iter)
        )  # fmt: skip
    last: list[EMStep | None] = [None] * len(runs)
    while True:
        moved = False
        for i, run in enumerate(runs):
            step = next(run, None)
            if step is not None:
                last[i], moved = step, True
        if not moved:
            return
        yield tuple(last)
