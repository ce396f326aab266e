"""What the app exports besides pictures: the model and the labelled data (no Qt).

Both go through :mod:`gmmviz.io`, so what the window writes is what ``gmmviz fit`` and
:func:`gmmviz.io.load_model` read. These functions run on a worker thread; the Qt image
exports (PNG, SVG, window grabs) are in :mod:`gmmviz.qt.export`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gmmviz.core import GaussianMixture, responsibilities
from gmmviz.io import save_labelled_data_csv, save_model

if TYPE_CHECKING:  # pragma: no cover - typing only
    from gmmviz.app.settings import ModelSettings
    from gmmviz.core.em import EMStep, MixtureParams

__all__ = ["labelled_arrays", "model_from_steps", "write_labelled_csv", "write_model"]


def model_from_steps(
    steps: Sequence[EMStep], settings: ModelSettings | None, means_init=None
) -> GaussianMixture:
    """The fitted :class:`GaussianMixture` that ``fit`` gives, from one run's snapshots.

    The last snapshot gives the parameters, ``n_iter_`` and ``converged_``; the ones before
    it give ``lower_bounds_`` (scikit-learn's per-iteration lower bounds, which is the curve
    the person saw up to the shown iteration), so the window's model equals ``gmmviz fit``'s
    with the same settings.

    Parameters
    ----------
    steps : sequence of EMStep
        One run from iteration 0 up to the snapshot to export.
    settings : ModelSettings or None
        The run's settings, stored as the estimator's constructor parameters. Only the
        attributes ``tol``, ``reg_covar``, ``max_iter``, ``init_params`` and ``seed`` are
        read, so the window's own copy of the record works too.

    Returns
    -------
    GaussianMixture
    """
    extra = {}
    if settings is not None:
        extra = {
            "tol": settings.tol,
            "reg_covar": settings.reg_covar,
            "max_iter": settings.max_iter,
            "init_params": settings.init_params,
            "random_state": settings.seed,
        }
    if means_init is not None:  # a hand-placed start is part of the model's settings
        extra["means_init"] = np.asarray(means_init)
    return GaussianMixture.from_steps(list(steps), **extra)


def write_model(
    path: str | Path, steps: Sequence[EMStep], settings: ModelSettings | None, means_init=None
) -> Path:
    """Save a run up to its last given snapshot as a model file (``.json`` or ``.npz``, by
    suffix); returns the path."""
    path = Path(path)
    save_model(model_from_steps(steps, settings, means_init), path)
    return path


def labelled_arrays(
    X: np.ndarray, params: MixtureParams, chunk: int = 262_144
) -> tuple[np.ndarray, np.ndarray]:
    """EM labels and responsibilities of every point for a snapshot's parameters.

    Parameters
    ----------
    X : ndarray of shape (N, d)
    params : MixtureParams
    chunk : int, default=262144
        Rows evaluated at a time (bounded memory).

    Returns
    -------
    labels : ndarray of shape (N,), int64
        Component indices 0..K-1 (the CSV writer numbers them from 1).
    resp : ndarray of shape (N, K), float64
    """
    resp = np.empty((X.shape[0], params.n_components))
    for start in range(0, X.shape[0], chunk):
        resp[start : start + chunk] = responsibilities(X[start : start + chunk], params)
    return resp.argmax(axis=1), resp


def write_labelled_csv(
    path: str | Path, X: np.ndarray, y_true: np.ndarray | None, params: MixtureParams,
    feature_names: tuple[str, ...] = (), class_names: tuple[str, ...] = (),
) -> Path:  # fmt: skip
    """CSV with the coordinates, true label, EM label and every responsibility; returns the path.

    Components are numbered from 1, as in the window: ``em_label`` is 1..K and the columns are
    ``resp_1 ... resp_K`` (see :func:`gmmviz.io.save_labelled_data_csv`).
    """
    path = Path(path)
    labels, resp = labelled_arrays(X, params)
    save_labelled_data_csv(path, X, y_true, labels, resp, feature_names, class_names)
    return path
