"""More than two features: the canvas shows any two features by name, or the principal axes;
changing the view never refits."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from gmmviz.core.projection import Projection


def test_wine_shows_two_named_features_or_the_principal_axes(qtbot, window, tmp_path):
    datasets = pytest.importorskip("sklearn.datasets")
    wine = datasets.load_wine()
    path = tmp_path / "wine.csv"
    header = ",".join(n.replace(",", " ") for n in wine.feature_names) + ",class"
    rows = [",".join(repr(float(v)) for v in row) + f",{t}" for row, t in
            zip(wine.data, wine.target, strict=True)]  # fmt: skip
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    window.presenter.open_data(path)
    qtbot.waitUntil(lambda: window.state.shown_step is not None, timeout=20000)
    data, run = window.state.data, window.state.run
    assert data.feature_names[0] == "alcohol" and data.n_features == 13
    assert window.canvas.axis_names == ("alcohol", "malic_acid")  # column names on the axes
    assert window.view_bar.x_axis.isVisible() and window.view_bar.x_axis.count() == 13
    window.view_bar.y_axis.setCurrentIndex(12)  # proline
    qtbot.waitUntil(lambda: window.canvas.axis_names == ("alcohol", "proline"), timeout=5000)
    np.testing.assert_array_equal(window.canvas.xy, data.X[:, [0, 12]])
    assert window.state.run is run  # the view changed, the model did not
    window.view_bar.pca.setChecked(True)
    names = Projection.pca(data.X).names
    assert names[0].startswith("PC1 (") and names[1].startswith("PC2 (")  # with their share
    qtbot.waitUntil(lambda: window.canvas.axis_names == names, timeout=5000)
    np.testing.assert_allclose(window.canvas.xy, Projection.pca(data.X).points(data.X))
    qtbot.waitUntil(
        lambda: (
            window.canvas.shown_display is not None
            and window.canvas.shown_display.model is not None
        ),
        timeout=5000,
    )
    layer = window.canvas.shown_display.model  # the ellipses are W^T S W in that plane
    p = Projection.pca(data.X)
    np.testing.assert_allclose(layer.means, p.means(run.latest.params.means))
    assert window.state.run is run
    # standardised: proline's large units no longer make the first axis
    assert window.view_bar.scaled.isEnabled()
    window.view_bar.scaled.setChecked(True)
    scaled = Projection.pca(data.X, scaled=True)
    qtbot.waitUntil(lambda: window.canvas.axis_names == scaled.names, timeout=5000)
    Z = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0)
    values, vectors = np.linalg.eigh(np.cov(Z, rowvar=False))
    expected = Z @ vectors[:, ::-1][:, :2]  # an independent PCA of the standardised data
    np.testing.assert_allclose(np.abs(window.canvas.xy), np.abs(expected), atol=1e-9)
    share = values[::-1][0] / values.sum()
    assert scaled.names[0] == f"PC1 ({share:.0%})"
    points = scaled.points(data.X)  # the ellipses stay consistent: W^T S W is the
    np.testing.assert_allclose(  # covariance of the projected points
        scaled.covariances(np.cov(data.X, rowvar=False)[None])[0],
        np.cov(points, rowvar=False),
        atol=1e-9,
    )
    assert window.state.run is run
