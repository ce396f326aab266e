"""Contour segments traced on the worker (marching squares)."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz.scene.contours import contour_segments


def _grid(n: int = 80):
    # sample (row r, col c) sits at pixel centre (c + 0.5, r + 0.5)
    centres = np.arange(n) + 0.5
    gx, gy = np.meshgrid(centres, centres)
    return gx, gy


@pytest.mark.parametrize("radius", [5.0, 17.3, 30.0])
def test_a_circle_is_traced_at_its_radius(radius) -> None:
    gx, gy = _grid()
    values = -((gx - 40.0) ** 2 + (gy - 40.0) ** 2)  # a paraboloid: circles of level sets
    points = contour_segments(values, -(radius**2))
    assert len(points) % 2 == 0 and len(points) > 20
    r = np.hypot(points[:, 0] - 40.0, points[:, 1] - 40.0)
    # linear interpolation of a quadratic across one pixel: off by well under a pixel
    np.testing.assert_allclose(r, radius, atol=0.05 + 0.6 / radius)
    # the segments close up: every end point is shared by exactly two segments
    keys, counts = np.unique(np.round(points, 9), axis=0, return_counts=True)
    assert (counts == 2).all() and len(keys) == len(points) // 2


def test_end_points_lie_on_the_level_of_a_plane() -> None:
    gx, gy = _grid(30)
    values = 0.7 * gx - 0.2 * gy + 1.0  # linear: interpolation is exact
    points = contour_segments(values, 5.0)
    np.testing.assert_allclose(0.7 * points[:, 0] - 0.2 * points[:, 1] + 1.0, 5.0, atol=1e-9)


def test_nothing_to_trace() -> None:
    assert contour_segments(np.zeros((10, 10)), 1.0).shape == (0, 2)
    assert contour_segments(np.zeros((1, 10)), 0.0).shape == (0, 2)
    assert contour_segments(np.full((4, 4), np.nan), 0.0).shape == (0, 2)
