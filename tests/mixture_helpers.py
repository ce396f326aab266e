"""Helpers shared by the scene's and the canvas's tests (``tests/`` is on ``sys.path``:
pytest puts the folder of the root ``conftest.py`` there)."""

from __future__ import annotations

import numpy as np

from gmmviz.core import initial_params, iter_em


def em_step(X, k, covariance_type="full", iterations=3, seed=0):
    steps = iter_em(
        X,
        initial_params(X, k, covariance_type=covariance_type, random_state=seed),
        tol=0.0,
        max_iter=iterations,
    )
    return list(steps)[-1]


def split_rings(x, y):
    """The NaN-separated polyline back into its rings."""
    xy = np.column_stack([x, y])
    breaks = np.flatnonzero(np.isnan(xy[:, 0]))
    rings, start = [], 0
    for b in breaks:
        rings.append(xy[start:b])
        start = b + 1
    if start < len(xy):
        rings.append(xy[start:])
    return rings
