"""Tests of gmmviz.io._tables: sampled points and sweep tables as CSV."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from gmmviz.core import iter_sweep
from gmmviz.io import SWEEP_COLUMNS, load_data, save_points_csv, save_sweep_csv


def test_points_csv_header_numbering_and_round_trip(tmp_path) -> None:
    rng = np.random.RandomState(0)
    X = rng.randn(7, 3) * 1e3
    components = np.array([0, 0, 1, 1, 1, 2, 2])
    path = tmp_path / "points.csv"
    save_points_csv(path, X, components)
    lines = path.read_text().splitlines()
    assert lines[0] == "x1,x2,x3,component"
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["1", "1", "2", "2", "2", "3", "3"]
    X_back, y_back = load_data(path)
    np.testing.assert_array_equal(X_back, X)  # repr floats: exact
    np.testing.assert_array_equal(y_back, components + 1)


def test_points_csv_two_dimensions_reads_back_two_features(tmp_path) -> None:
    path = tmp_path / "p.csv"
    save_points_csv(path, [[0.5, 1.0], [2.0, -3.25]], [1, 0])
    X, y = load_data(path)
    assert X.shape == (2, 2) and y.tolist() == [2, 1]


@pytest.mark.parametrize(
    ("X", "components", "message"),
    [
        (np.zeros(3), [0, 0, 0], "X must have shape"),
        (np.zeros((3, 2)), [0, 0], r"components must have shape \(3,\)"),
        (np.zeros((2, 2)), [0, -1], "component indices"),
        (np.zeros((2, 2)), [0.5, 1.0], "component indices"),
        (np.array([[0.0, np.nan], [1.0, 1.0]]), [0, 0], "finite"),
    ],
)
def test_points_csv_bad_input_writes_nothing(tmp_path, X, components, message) -> None:
    path = tmp_path / "bad.csv"
    with pytest.raises(ValueError, match=message):
        save_points_csv(path, X, components)
    assert list(tmp_path.iterdir()) == []


def test_sweep_csv_holds_exact_values(tmp_path) -> None:
    X = np.random.RandomState(1).randn(60, 2)
    points = list(iter_sweep(X, [1, 2], ["full", "spherical"], random_state=0))
    path = tmp_path / "sweep.csv"
    save_sweep_csv(path, points)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == SWEEP_COLUMNS
    assert len(rows) == 4
    for row, point in zip(rows, points, strict=True):
        assert int(row["k"]) == point.k and row["covariance_type"] == point.covariance_type
        assert float(row["bic"]) == point.bic and float(row["aic"]) == point.aic
        assert float(row["mean_log_likelihood"]) == point.log_likelihood
        assert int(row["n_iter"]) == point.n_iter
        assert row["converged"] == ("true" if point.converged else "false")
        assert int(row["n_parameters"]) == point.n_parameters
