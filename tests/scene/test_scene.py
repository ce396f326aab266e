"""The scene matches the model: ellipse geometry through a projection, point colours, rasters."""

from __future__ import annotations

import numpy as np
import pytest
from mixture_helpers import em_step, split_rings

from gmmviz.core import point_summary, responsibilities
from gmmviz.core.datasets import DatasetSpec, generate
from gmmviz.core.projection import Projection
from gmmviz.scene import SceneRenderer, ViewRequest, palette
from gmmviz.scene.ellipses import SIGMAS, ellipse_rings, fill_alphas, model_layer, nan_polyline
from gmmviz.scene.raster import pixel_index, quantise_rgb, rasterise, rasterise_labels


def test_rings_lie_on_the_mahalanobis_contours():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(5, 2, 2))
    cov = A @ np.swapaxes(A, 1, 2) + 0.05 * np.eye(2)
    means = rng.normal(size=(5, 2)) * 3
    rings = ellipse_rings(means, cov)
    assert rings.shape == (5, len(SIGMAS), 73, 2)
    for k in range(5):
        inv = np.linalg.inv(cov[k])
        lam, vec = np.linalg.eigh(cov[k])
        for s, sigma in enumerate(SIGMAS):
            d = rings[k, s] - means[k]
            mahal = np.einsum("vi,ij,vj->v", d, inv, d)
            np.testing.assert_allclose(mahal, sigma**2, rtol=1e-9)
            # the semi-axes are sigma * sqrt(eigenvalue), along the eigenvectors
            along = d @ vec
            np.testing.assert_allclose(
                np.abs(along[:, 1]).max(), sigma * np.sqrt(lam[1]), rtol=2e-3
            )
            np.testing.assert_allclose(
                np.abs(along[:, 0]).max(), sigma * np.sqrt(lam[0]), rtol=2e-3
            )
            np.testing.assert_array_equal(rings[k, s, 0], rings[k, s, -1])  # closed


def test_rings_match_the_lectures_svd_ellipse():
    """draw_ellipse: U, s, Vt = svd(cov); angle from U[:, 0]; width = 2 sqrt(s) * nsig."""
    cov = np.array([[[2.0, 1.2], [1.2, 1.0]]])
    U, s, _ = np.linalg.svd(cov[0])
    angle = np.arctan2(U[1, 0], U[0, 0])
    rings = ellipse_rings(np.zeros((1, 2)), cov)
    for i, nsig in enumerate(SIGMAS):
        width, height = nsig * 2 * np.sqrt(s)
        pts = rings[0, i]
        # rotate back by the lecture's angle: the ring becomes axis-aligned with these widths
        c, sn = np.cos(-angle), np.sin(-angle)
        local = pts @ np.array([[c, -sn], [sn, c]]).T
        np.testing.assert_allclose(np.ptp(local[:, 0]), width, rtol=2e-3)
        np.testing.assert_allclose(np.ptp(local[:, 1]), height, rtol=2e-3)


def test_polyline_separates_every_ring_with_nan():
    rings = ellipse_rings(np.zeros((4, 2)), np.tile(np.eye(2), (4, 1, 1)))
    x, y = nan_polyline(rings)
    assert np.isnan(x).sum() == 4 * len(SIGMAS)
    parts = split_rings(x, y)
    assert len(parts) == 4 * len(SIGMAS)
    assert all(len(p) == rings.shape[2] for p in parts)


def test_projection_is_the_marginal_of_the_first_two_features():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(3, 4, 4))
    cov = A @ np.swapaxes(A, 1, 2)
    means = rng.normal(size=(3, 4))
    p = Projection.features(4, 0, 1)
    np.testing.assert_array_equal(p.means(means), means[:, :2])
    np.testing.assert_array_equal(p.covariances(cov), cov[:, :2, :2])
    np.testing.assert_array_equal(
        Projection.features(4, 3, 1).covariances(cov)[:, 0, 1], cov[:, 3, 1]
    )


@pytest.mark.parametrize("which", ["features", "pca"])
def test_model_layer_draws_the_projected_gaussians(which):
    """Ellipses of d > 2 models are the k-sigma contours of W^T S W around (m - o) W."""
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(size=(150, 3)), rng.normal(size=(150, 3)) + np.array([4, 1, -2])])
    step = em_step(X, 2)
    p = Projection.features(3, 2, 0) if which == "features" else Projection.pca(X)
    layer = model_layer(step, p, "hard")
    cov2 = p.covariances(step.params.full_covariances())
    means2 = p.means(step.means)
    np.testing.assert_allclose(layer.means, means2)
    for k in range(2):
        for s, sigma in enumerate(SIGMAS):
            d = layer.rings[k, s] - means2[k]
            mahal = np.einsum("vi,ij,vj->v", d, np.linalg.inv(cov2[k]), d)
            np.testing.assert_allclose(mahal, sigma**2, rtol=1e-8)
    renderer = SceneRenderer(X, None, p)
    np.testing.assert_allclose(renderer.view, p.points(X))
    display = renderer(step, ViewRequest("hard"))
    np.testing.assert_allclose(display.model.outline_x, layer.outline_x)
    assert display.snapshot is step and display.n_components == 2


def test_data_alone_has_no_model_layer():
    X, y = generate(DatasetSpec("blobs", 100, seed=0))
    display = SceneRenderer(X, y)(None, ViewRequest("hard"))
    assert display.model is None and display.snapshot is None
    assert display.request.colour_by == "hard" and display.markers is not None


def test_fill_opacity_follows_the_weights():
    w = np.array([0.5, 0.3, 0.15, 0.05])
    a = fill_alphas(w)
    assert np.all(np.diff(a) < 0)
    assert a[0] == pytest.approx(0.28) and a.min() > 0.04
    # proportional to w / max(w) above the floor, like the lecture's alpha = w * 0.2 / max(w)
    np.testing.assert_allclose((a - 0.04) / (0.28 - 0.04), w / w.max())


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_fused_pass_agrees_with_the_responsibilities(blobs, backend):
    X, _ = blobs
    step = em_step(X, 4)
    colours = palette.label_colours(4).astype(np.float64)
    pc = point_summary(X, step.params, colours, component=2, backend=backend)
    R = responsibilities(X, step.params)
    np.testing.assert_array_equal(pc.labels, R.argmax(axis=1))
    np.testing.assert_allclose(pc.blend, R @ colours, atol=1e-3)
    np.testing.assert_allclose(pc.member, R[:, 2], atol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_labels_only_pass_gives_the_same_labels(blobs, backend):
    X, _ = blobs
    step = em_step(X, 4)
    colours = palette.label_colours(4)
    full = point_summary(X, step.params, colours, 0, backend=backend)
    fast = point_summary(X, step.params, colours, 0, backend=backend, labels_only=True)
    np.testing.assert_array_equal(fast.labels, full.labels)
    assert fast.blend.size == 0 and fast.member.size == 0


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_raster_of_labels_equals_raster_of_their_colours(backend):
    rng = np.random.default_rng(7)
    xy = rng.normal(size=(5000, 2))
    labels = rng.integers(0, 5, size=5000)
    table = palette.label_colours(5)
    pix = pixel_index(xy, (-2.0, -2.0, 2.0, 2.0), (40, 60))
    a = rasterise_labels(pix, labels, table, (40, 60), backend=backend)
    b = rasterise(pix, table[labels].astype(np.float32), (40, 60), backend="numpy")
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_quantised_blend_stays_close():
    rng = np.random.default_rng(0)
    rgb = rng.uniform(0, 255, size=(1000, 3))
    index, table = quantise_rgb(rgb)
    assert len(table) <= 32**3
    assert (
        np.abs(table[index].astype(float) - rgb).max() <= 255 / 31 / 2 + 0.5
    )  # half a level, plus rounding to integers


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_raster_pixels_average_the_colours_of_their_points(backend):
    xy = np.array([[0.1, 0.1], [0.2, 0.2], [0.9, 0.1], [5.0, 5.0], [-1.0, 0.5]])
    rgb = np.array([[255, 0, 0], [0, 0, 255], [0, 255, 0], [9, 9, 9], [9, 9, 9]], dtype=float)
    rect, shape = (0.0, 0.0, 1.0, 1.0), (2, 2)
    pix = pixel_index(xy, rect, shape)
    np.testing.assert_array_equal(pix, [0, 0, 1, -1, -1])
    image = rasterise(pix, rgb, shape, backend=backend)
    np.testing.assert_array_equal(image[0, 0, :3], [128, 0, 128])  # red and blue mixed
    np.testing.assert_array_equal(image[0, 1, :3], [0, 255, 0])
    assert image[0, 0, 3] > 0 and image[0, 1, 3] > 0
    assert image[1, 0, 3] == 0 and image[1, 1, 3] == 0  # no points: transparent
    # row 0 is the bottom of the rectangle (y grows with the row)
    assert pixel_index(np.array([[0.5, 0.9]]), rect, shape)[0] == 1 * 2 + 1


def test_raster_backends_agree():
    rng = np.random.default_rng(5)
    xy = rng.normal(size=(20_000, 2))
    rgb = rng.uniform(0, 255, size=(20_000, 3)).astype(np.float32)
    pix = pixel_index(xy, (-2.0, -2.0, 2.0, 2.0), (50, 70))
    a = rasterise(pix, rgb, (50, 70), backend="numpy")
    b = rasterise(pix, rgb, (50, 70), backend="numba")
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1  # float32 vs float64 sums


def test_raster_display_matches_the_labels_of_the_points(blobs):
    X, y = blobs
    step = em_step(X, 3)
    renderer = SceneRenderer(X, y, marker_limit=10)  # force the raster path
    lo, hi = X.min(axis=0) - 0.1, X.max(axis=0) + 0.1
    request = ViewRequest("hard", 0, (lo[0], lo[1], hi[0], hi[1]), (60, 80))
    display = renderer(step, request)
    assert display.markers is None and display.raster is not None
    image = display.raster.rgba
    labels = responsibilities(X, step.params).argmax(axis=1)
    pix = pixel_index(X, request.rect, request.shape)
    expected = np.zeros((60 * 80, 3))
    counts = np.bincount(pix, minlength=60 * 80)
    for c in range(3):
        expected[:, c] = np.bincount(pix, weights=palette.LABELS[labels, c], minlength=60 * 80)
    hit = counts > 0
    expected[hit] /= counts[hit, None]
    got = image.reshape(-1, 4)
    np.testing.assert_allclose(got[hit, :3], np.rint(expected[hit]), atol=1)
    assert (got[~hit, 3] == 0).all() and (got[hit, 3] > 0).all()


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_a_component_of_weight_zero_is_never_chosen(blobs, backend):
    from gmmviz.core.em import MixtureParams

    X, _ = blobs
    step = em_step(X, 3)
    weights = np.array([0.6, 0.4, 0.0])
    params = MixtureParams.from_covariances(
        weights, step.means, step.covariances, step.covariance_type
    )
    pc = point_summary(X, params, palette.label_colours(3), component=2, backend=backend)
    assert not (pc.labels == 2).any()
    assert np.isfinite(pc.blend).all()
    np.testing.assert_array_equal(pc.member, 0.0)


def test_a_start_on_data_points_is_not_called_collapsed():
    """random_from_data puts each component on one point with a reg_covar covariance (as
    scikit-learn does): at iteration 0 that is the start, not a collapse. A component that
    sits on one point after EM has run is flagged."""
    from dataclasses import replace

    from gmmviz.core.em import iter_em
    from gmmviz.core.init import initialise

    X, _ = generate(DatasetSpec("blobs", 300, seed=0))
    start = initialise(X, 3, init_params="random_from_data", random_state=0)
    steps = list(iter_em(X, start, max_iter=3))
    renderer = SceneRenderer(X)
    assert renderer.flags_for(steps[0])[0] == ()
    assert renderer.flags_for(steps[-1])[0] == ()  # EM spread them out
    stuck = replace(steps[-1], iteration=1, params=start)  # the one-point start after a step
    assert renderer.flags_for(stuck)[0] == (0, 1, 2)
