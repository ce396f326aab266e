"""The density view: the exact (projected) mixture density on a grid, and its levels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmmviz.app.runs import em_run
from gmmviz.app.settings import ModelSettings
from gmmviz.core.datasets import DatasetSpec, generate
from gmmviz.core.projection import Projection
from gmmviz.scene import SceneRenderer, ViewRequest
from gmmviz.scene.density import density_image, projected_log_density


@pytest.fixture(scope="module")
def fitted():
    X, _ = generate(DatasetSpec("moons", 200, 0.05, 0))
    return X, list(em_run(X, ModelSettings(16, seed=0)))[-1]


def test_the_grid_integrates_to_one_over_a_wide_area(fitted):
    _, step = fitted
    rect = (-4.0, -4.0, 5.0, 4.5)
    image = density_image(step.params, Projection.features(2, 0, 1), rect, (340, 360))
    cell = (rect[2] - rect[0]) / 360 * (rect[3] - rect[1]) / 340
    total = float(np.exp(image.log_density.astype(np.float64)).sum() * cell)
    assert total == pytest.approx(1.0, abs=0.01)
    assert list(image.levels) == sorted(image.levels) and image.limits[1] == image.levels[-1] + 0.5


def test_the_density_equals_scipys_mixture_density(fitted):
    X, step = fitted
    p = step.params
    pts = X[:50]
    expected = np.log(
        sum(
            w * multivariate_normal(m, c).pdf(pts)
            for w, m, c in zip(p.weights, p.means, p.full_covariances(), strict=True)
        )
    )
    got = projected_log_density(p, Projection.features(2, 0, 1), pts)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_in_more_dimensions_the_density_is_the_marginal_of_the_plane():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(300, 3)), rng.normal(size=(300, 3)) * 0.5 + 3])
    step = list(em_run(X, ModelSettings(2, seed=0)))[-1]
    p = step.params
    proj = Projection.features(3, 2, 0)
    pts = np.column_stack([X[:40, 2], X[:40, 0]])
    idx = [2, 0]
    expected = np.log(
        sum(
            w * multivariate_normal(m[idx], c[np.ix_(idx, idx)]).pdf(pts)
            for w, m, c in zip(p.weights, p.means, p.full_covariances(), strict=True)
        )
    )
    np.testing.assert_allclose(projected_log_density(p, proj, pts), expected, rtol=1e-10)


def test_the_renderer_adds_the_density_only_when_asked(fitted):
    X, step = fitted
    renderer = SceneRenderer(X)
    assert renderer(step, ViewRequest("hard")).density is None
    request = ViewRequest("hard", density_rect=(-2.0, -1.0, 3.0, 2.0), density_shape=(30, 50))
    shown = renderer(step, request).density
    assert shown.log_density.shape == (30, 50) and shown.rect == request.density_rect
    assert renderer(None, request).density is None  # no model, no density


def test_membership_panels_average_the_responsibilities_per_pixel(fitted):
    from gmmviz.core import responsibilities
    from gmmviz.scene import palette
    from gmmviz.scene.memberships import membership_panels
    from gmmviz.scene.raster import pixel_index

    X, step = fitted
    rect, shape = (-1.5, -1.0, 2.5, 1.5), (25, 40)
    panels = membership_panels(X, X, None, step, rect, shape)
    assert panels.true_labels is None and panels.memberships.shape == (16, 25, 40, 4)
    R = responsibilities(X, step.params)
    pix = pixel_index(X, rect, shape)
    p = pix[0]
    mean = R[pix == p, 3].mean()
    expected = palette.viridis(256)[int(np.rint(mean * 255))]
    np.testing.assert_array_equal(panels.memberships[3].reshape(-1, 4)[p, :3], expected)
    empty = np.setdiff1d(np.arange(25 * 40), pix)
    assert not panels.memberships.reshape(16, -1, 4)[:, empty, 3].any()  # empty: transparent
