"""Painted data: points added with a brush (with a true label), erased, or cleared.

Every edit makes a new :class:`~gmmviz.app.state.DataSource` (sources are immutable, so a
run on the old data is never mutated under it). Painting works in the two features the
canvas shows, so it needs data with two features (or none: painting starts a new set).
"""

from __future__ import annotations

import numpy as np

from gmmviz.app.state import DataSource

__all__ = ["add_points", "brush_dab", "clear_points", "erase_points"]

_NAMES = ("x1", "x2")


def _check_plane(source: DataSource | None) -> None:
    if source is not None and source.n_features != 2:
        raise ValueError(
            f"painting works on data with two features; these have {source.n_features} "
            "(clear them to paint a new set)"
        )


def _painted(X: np.ndarray, y: np.ndarray, names: tuple[str, ...]) -> DataSource:
    source = DataSource(np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64),
                        f"Painted · {len(X):,} points", feature_names=names)  # fmt: skip
    return source


def brush_dab(centre: tuple[float, float], radius: tuple[float, float], n: int,
              rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """``n`` points scattered around ``centre`` within the brush's ellipse.

    Parameters
    ----------
    centre : (x, y)
    radius : (rx, ry)
        The brush's radius along each axis, in data units (a circle on screen).
    n : int
    rng : numpy.random.Generator

    Returns
    -------
    xy : ndarray of shape (n, 2)
        Normal around the centre with half the radius as its spread, kept inside the brush.
    """
    offsets = rng.normal(0.0, 0.5, size=(n, 2))
    norms = np.sqrt((offsets**2).sum(axis=1, keepdims=True))
    offsets = np.where(norms > 1.0, offsets / np.maximum(norms, 1e-12), offsets)
    return np.asarray(centre, dtype=np.float64) + offsets * np.asarray(radius, dtype=np.float64)


def add_points(source: DataSource | None, xy: np.ndarray, label: int) -> DataSource:
    """``source`` with the points ``xy`` (M, 2) of true label ``label`` added.

    Unlabelled points already there get label 0 (a class of their own)."""
    _check_plane(source)
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(xy).all():
        raise ValueError("painted points must be finite")
    new_labels = np.full(len(xy), int(label), dtype=np.int64)
    if source is None or source.n_samples == 0:
        names = _NAMES if source is None else source.feature_names
        return _painted(xy, new_labels, names)
    old = source.y_true if source.y_true is not None else np.zeros(source.n_samples, np.int64)
    return _painted(np.vstack([source.X, xy]), np.concatenate([old, new_labels]),
                    source.feature_names)  # fmt: skip


def erase_points(source: DataSource | None, centre: tuple[float, float],
                 radius: tuple[float, float]) -> DataSource | None:  # fmt: skip
    """``source`` without the points inside the brush's ellipse (None: nothing was there,
    so nothing changes)."""
    _check_plane(source)
    if source is None or source.n_samples == 0:
        return None
    d = (source.X - np.asarray(centre)) / np.asarray(radius)
    inside = (d**2).sum(axis=1) <= 1.0
    if not inside.any():
        return None
    keep = ~inside
    y = source.y_true[keep] if source.y_true is not None else np.zeros(int(keep.sum()), np.int64)
    return _painted(source.X[keep], y, source.feature_names)


def clear_points(source: DataSource | None) -> DataSource:
    """An empty set of points in the plane of ``source`` (a blank canvas to paint on)."""
    names = source.feature_names if source is not None and source.n_features == 2 else _NAMES
    return _painted(np.zeros((0, 2)), np.zeros(0, np.int64), names)
