"""Headless outputs as CSV: points drawn from a model, and a model-selection table.

* :func:`save_points_csv` — points and the component each came from, header
  ``x1,...,xd,component`` (components numbered from 1, as the window numbers them);
  :func:`gmmviz.io.load_data` reads it back as the points and their components as labels.
* :func:`save_sweep_csv` — one row per :class:`~gmmviz.core.selection.SweepPoint`.

Floats are written with ``repr``, the shortest text that reads back to the same double;
files are replaced atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from gmmviz.core.selection import SweepPoint
from gmmviz.io._files import PathLike, atomic_writer

__all__ = ["SWEEP_COLUMNS", "save_points_csv", "save_sweep_csv"]

#: Header of :func:`save_sweep_csv`.
SWEEP_COLUMNS: tuple[str, ...] = (
    "k",
    "covariance_type",
    "bic",
    "aic",
    "mean_log_likelihood",
    "n_iter",
    "converged",
    "n_parameters",
)


def save_points_csv(path: PathLike, X: Any, components: Any) -> None:
    """Write points with their components as CSV, header ``x1,...,xd,component``.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; replaced atomically.
    X : array-like of shape (N, d)
        The points (finite).
    components : array-like of shape (N,), int
        Component indices 0..K-1 (as :func:`gmmviz.core.sampling.sample` returns them);
        written as 1..K.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D with d >= 1 or not finite, or ``components`` has the wrong
        shape or holds negative or non-integer values.
    OSError
        If the file cannot be written.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (N, d) with d >= 1; got {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite")
    n, d = X.shape
    labels = np.asarray(components)
    if labels.shape != (n,):
        raise ValueError(f"components must have shape ({n},); got {labels.shape}")
    if labels.size and (labels.dtype.kind not in "iu" or labels.min() < 0):
        raise ValueError("components must be component indices 0..K-1")
    header = [f"x{j}" for j in range(1, d + 1)] + ["component"]
    block = 65536  # rows formatted at a time: bounded memory for millions of rows
    with atomic_writer(Path(path), "w") as fh:
        fh.write(",".join(header) + "\n")
        for start in range(0, n, block):
            stop = min(start + block, n)
            columns = [list(map(repr, X[start:stop, j].tolist())) for j in range(d)]
            columns.append(list(map(str, (labels[start:stop] + 1).tolist())))
            fh.write("".join(",".join(row) + "\n" for row in zip(*columns, strict=True)))


def save_sweep_csv(path: PathLike, points: Iterable[SweepPoint]) -> None:
    """Write a model-selection sweep as CSV, one row per point, header :data:`SWEEP_COLUMNS`.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; replaced atomically.
    points : iterable of SweepPoint
        ``converged`` is written as ``true``/``false``, floats with ``repr``.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    rows = [
        [
            str(p.k),
            p.covariance_type,
            repr(float(p.bic)),
            repr(float(p.aic)),
            repr(float(p.log_likelihood)),
            str(p.n_iter),
            "true" if p.converged else "false",
            str(p.n_parameters),
        ]
        for p in points
    ]
    with atomic_writer(Path(path), "w") as fh:
        fh.write(",".join(SWEEP_COLUMNS) + "\n")
        fh.write("".join(",".join(row) + "\n" for row in rows))
