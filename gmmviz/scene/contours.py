"""Contour lines of a grid, as line segments, by marching squares (vectorised numpy).

The worker computes them with the density image, so the GUI thread only hands the segments
to one line item per level (pyqtgraph's ``IsocurveItem`` would trace them on the GUI
thread, at every repaint of a new density: 0.15 s at a million points' view).
"""

from __future__ import annotations

import numpy as np

__all__ = ["contour_segments"]

# Edges of a cell: 0 bottom (a-b), 1 right (b-c), 2 top (d-c), 3 left (a-d), with corners
# a (row r, col c), b (r, c+1), c (r+1, c+1), d (r+1, c). The case is the sum of 1 for a,
# 2 for b, 4 for c, 8 for d above the level; each case joins pairs of crossed edges
# (the two saddles, 5 and 10, join them one way, as most implementations do).
_SEGMENTS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((3, 0),), 2: ((0, 1),), 3: ((3, 1),), 4: ((1, 2),), 5: ((3, 0), (1, 2)),
    6: ((0, 2),), 7: ((3, 2),), 8: ((2, 3),), 9: ((0, 2),), 10: ((0, 1), (2, 3)),
    11: ((1, 2),), 12: ((1, 3),), 13: ((0, 1),), 14: ((3, 0),),
}  # fmt: skip


def _crossing(v0: np.ndarray, v1: np.ndarray, level: float) -> np.ndarray:
    """Where between 0 and 1 the level lies from v0 to v1 (0.5 where they are equal)."""
    span = v1 - v0
    safe = np.where(span == 0, 1.0, span)
    return np.clip(np.where(span == 0, 0.5, (level - v0) / safe), 0.0, 1.0)


def contour_segments(values: np.ndarray, level: float) -> np.ndarray:
    """The contour line of ``values`` at ``level`` as segments.

    Parameters
    ----------
    values : ndarray of shape (H, W)
        A grid; sample ``values[r, c]`` sits at the centre of pixel ``(c, r)``, that is at
        ``(c + 0.5, r + 0.5)`` in pixel coordinates.
    level : float

    Returns
    -------
    points : ndarray of shape (2 S, 2)
        ``(x, y)`` pixel coordinates, two per segment (draw with ``connect="pairs"``).
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or min(v.shape) < 2:
        return np.zeros((0, 2))
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]
    case = ((a > level) * 1 + (b > level) * 2 + (c > level) * 4 + (d > level) * 8).astype(int)
    rows, cols = np.nonzero((case != 0) & (case != 15))
    if rows.size == 0:
        return np.zeros((0, 2))
    a, b, c, d = a[rows, cols], b[rows, cols], c[rows, cols], d[rows, cols]
    x0, y0 = cols + 0.5, rows + 0.5
    edges = (
        np.column_stack([x0 + _crossing(a, b, level), y0]),  # bottom
        np.column_stack([x0 + 1.0, y0 + _crossing(b, c, level)]),  # right
        np.column_stack([x0 + _crossing(d, c, level), y0 + 1.0]),  # top
        np.column_stack([x0, y0 + _crossing(a, d, level)]),  # left
    )
    cases = case[rows, cols]
    pieces = []
    for code, pairs in _SEGMENTS.items():
        hit = cases == code
        if not hit.any():
            continue
        for e0, e1 in pairs:
            pair = np.empty((int(hit.sum()), 2, 2))
            pair[:, 0], pair[:, 1] = edges[e0][hit], edges[e1][hit]
            pieces.append(pair)
    return np.concatenate(pieces).reshape(-1, 2)
