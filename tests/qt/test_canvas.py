"""The canvas sets what the scene computed: ellipses, means, markers, raster, colour bar."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from mixture_helpers import em_step, split_rings

from gmmviz.core import responsibilities
from gmmviz.qt.canvas import MixtureCanvas
from gmmviz.qt.export import render_widget
from gmmviz.scene import SceneRenderer, ViewRequest, palette
from gmmviz.scene.ellipses import SIGMAS


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_canvas_draws_each_components_ellipses_at_1_2_3_sigma(qtbot, blobs, covariance_type):
    X, _ = blobs
    step = em_step(X, 3, covariance_type)
    canvas = MixtureCanvas()
    qtbot.addWidget(canvas)
    canvas.set_points(X, use_markers=True, n_classes=3)
    canvas.show_display(SceneRenderer(X)(step, ViewRequest("hard")))
    assert canvas.shown_step is step
    rings = split_rings(*canvas.ellipse_polyline())
    assert len(rings) == 3 * len(SIGMAS)
    full = step.params.full_covariances()
    for i, ring in enumerate(rings):
        k, s = divmod(i, len(SIGMAS))
        d = ring - step.means[k]
        mahal = np.einsum("vi,ij,vj->v", d, np.linalg.inv(full[k]), d)
        np.testing.assert_allclose(mahal, SIGMAS[s] ** 2, rtol=1e-8)
    means = canvas.means.positions()
    np.testing.assert_allclose(means, step.means)


def test_canvas_draws_the_first_two_features_of_higher_dimensional_models(qtbot):
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(size=(150, 3)), rng.normal(size=(150, 3)) + np.array([4, 1, -2])])
    step = em_step(X, 2)
    canvas = MixtureCanvas()
    qtbot.addWidget(canvas)
    renderer = SceneRenderer(X)
    canvas.set_points(renderer.view, use_markers=True)
    canvas.show_display(renderer(step, ViewRequest("hard")))
    rings = split_rings(*canvas.ellipse_polyline())
    cov2 = step.params.full_covariances()[:, :2, :2]
    d = rings[0] - step.means[0, :2]
    np.testing.assert_allclose(
        np.einsum("vi,ij,vj->v", d, np.linalg.inv(cov2[0]), d), 1.0, rtol=1e-8
    )


def test_markers_are_coloured_by_labels(qtbot, blobs):
    X, y = blobs
    step = em_step(X, 3)
    renderer = SceneRenderer(X, y)
    canvas = MixtureCanvas()
    qtbot.addWidget(canvas)
    canvas.set_points(X, use_markers=True, n_classes=3)

    canvas.show_display(renderer(step, ViewRequest("true")))
    np.testing.assert_array_equal(canvas.markers.point_rgb(), palette.LABELS[y])

    R = responsibilities(X, step.params)
    canvas.show_display(renderer(step, ViewRequest("hard")))
    np.testing.assert_array_equal(canvas.markers.point_rgb(), palette.LABELS[R.argmax(axis=1)])

    canvas.show_display(renderer(step, ViewRequest("blend")))
    blend = R @ palette.label_colours(3).astype(float)
    assert np.abs(canvas.markers.point_rgb().astype(float) - blend).max() <= 255 / 31 / 2 + 0.5

    canvas.show_display(renderer(step, ViewRequest("member", component=1)))
    expected = palette.viridis(64)[np.rint(R[:, 1] * 63).astype(int)]
    np.testing.assert_array_equal(canvas.markers.point_rgb(), expected)


def test_painted_markers_have_their_labels_colour(qtbot):
    """On screen: the pixel under an isolated point has the point's label colour."""
    # off the grid lines (the grid is drawn over the points)
    X = np.array([[0.13, 0.37], [3.71, 0.23], [0.29, 3.83], [3.67, 3.59], [2.21, 1.87]])
    y = np.array([0, 1, 2, 3, 4])
    canvas = MixtureCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(500, 500)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.set_points(X, use_markers=True, n_classes=5)
    canvas.legend.hide()
    canvas.show_display(SceneRenderer(X, y)(None, ViewRequest("true")))
    image = render_widget(canvas)
    for point, label in zip(X, y, strict=True):
        pos = canvas.mapFromScene(canvas.view.mapViewToScene(_qpoint(point)))
        colour = image.pixelColor(pos.x(), pos.y())
        rgb = np.array([colour.red(), colour.green(), colour.blue()])
        assert np.abs(rgb - palette.LABELS[label]).max() <= 3, (point, rgb)


def _qpoint(p):
    from PySide6.QtCore import QPointF

    return QPointF(float(p[0]), float(p[1]))


def test_canvas_places_the_raster_on_its_rectangle(qtbot, blobs):
    X, y = blobs
    step = em_step(X, 3)
    canvas = MixtureCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(600, 500)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.set_points(X, use_markers=False, n_classes=3)
    request = canvas.view_request()
    assert request.rect is not None and request.shape[0] > 16
    display = SceneRenderer(X, y, marker_limit=10)(step, request)
    canvas.show_display(display)
    rect = canvas.image.mapRectToParent(canvas.image.boundingRect())
    x0, y0, x1, y1 = request.rect
    assert rect.left() == pytest.approx(x0) and rect.right() == pytest.approx(x1)
    assert rect.top() == pytest.approx(y0) and rect.bottom() == pytest.approx(y1)


def test_membership_mode_shows_a_colour_bar(qtbot, blobs):
    X, _ = blobs
    canvas = MixtureCanvas()
    qtbot.addWidget(canvas)
    canvas.set_points(X, use_markers=True, n_classes=3)
    canvas.show_display(SceneRenderer(X)(em_step(X, 3), ViewRequest("hard")))
    assert not canvas.colour_bar_visible
    canvas.set_colour_mode("member", 2)
    assert canvas.colour_bar_visible
    assert "component 3" in canvas.colour_bar.getAxis("right").labelText
    canvas.set_colour_mode("hard")
    assert not canvas.colour_bar_visible
    with pytest.raises(ValueError):
        canvas.set_colour_mode("rainbow")
