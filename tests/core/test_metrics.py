"""Tests of gmmviz.core.metrics against scikit-learn and known cases."""

from __future__ import annotations

import subprocess
import sys
from itertools import permutations

import numpy as np
import pytest

from gmmviz.core.metrics import adjusted_rand_index, match_components, matched_confusion

metrics = pytest.importorskip("sklearn.metrics")


# ---------------------------------------------------------------- adjusted_rand_index


@pytest.mark.parametrize("seed", range(12))
def test_ari_matches_scikit_learn_on_random_labelings(seed) -> None:
    rng = np.random.RandomState(seed)
    n = rng.randint(2, 400)
    true = rng.randint(0, rng.randint(1, 8), size=n)
    pred = rng.randint(0, rng.randint(1, 12), size=n)
    if seed % 3 == 0:  # correlated labelings, not just chance
        pred = np.where(rng.rand(n) < 0.7, true, pred)
    assert adjusted_rand_index(true, pred) == pytest.approx(
        metrics.adjusted_rand_score(true, pred), abs=1e-12
    )


@pytest.mark.parametrize(
    ("true", "pred"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1]),  # identical
        ([0, 0, 1, 1], [1, 1, 0, 0]),  # permuted labels
        ([0, 0, 1, 1, 2, 2], [5, 5, 9, 9, -1, -1]),  # other label values
        (["a", "a", "b", "c"], [2, 2, 0, 1]),  # strings against ints
        ([0, 0, 0, 0], [0, 0, 0, 0]),  # one group each
        ([0, 1, 2, 3], [3, 2, 1, 0]),  # singletons each
    ],
)
def test_ari_is_one_for_the_same_partition(true, pred) -> None:
    assert adjusted_rand_index(true, pred) == 1.0
    assert metrics.adjusted_rand_score(true, pred) == 1.0


@pytest.mark.parametrize(
    ("true", "pred"),
    [
        ([0, 0, 1, 1], [0, 1, 0, 1]),
        ([0, 0, 0, 0], [0, 1, 2, 3]),  # one group against singletons: 0
        ([0, 0, 1, 1], [0, 0, 0, 0]),
        ([0, 0, 1, 2], [0, 0, 1, 1]),
        ([0, 1, 0, 1, 0, 1], [0, 0, 0, 1, 1, 1]),
        ([], []),
        ([3], [7]),
    ],
)
def test_ari_known_cases(true, pred) -> None:
    expected = metrics.adjusted_rand_score(true, pred)
    assert adjusted_rand_index(true, pred) == pytest.approx(expected, abs=1e-12)


def test_ari_worse_than_chance_is_negative_and_symmetric() -> None:
    true, pred = [0, 0, 1, 1], [0, 1, 0, 1]
    assert adjusted_rand_index(true, pred) == pytest.approx(-0.5)
    rng = np.random.RandomState(0)
    a, b = rng.randint(0, 3, 200), rng.randint(0, 4, 200)
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_index(b, a), abs=1e-15)


def test_ari_large_labelings_do_not_overflow() -> None:
    rng = np.random.RandomState(1)
    true = rng.randint(0, 3, 300_000)
    pred = np.where(rng.rand(true.size) < 0.9, true, rng.randint(0, 3, true.size))
    assert adjusted_rand_index(true, pred) == pytest.approx(
        metrics.adjusted_rand_score(true, pred), abs=1e-12
    )


@pytest.mark.parametrize(
    ("true", "pred", "message"),
    [
        ([0, 1, 2], [0, 1], "same length; got 3 and 2"),
        ([[0, 1]], [0, 1], "labels_true must be 1-D"),
        ([0, 1], [[0], [1]], "labels_pred must be 1-D"),
    ],
)
def test_bad_labelings(true, pred, message) -> None:
    for function in (adjusted_rand_index, matched_confusion):
        with pytest.raises(ValueError, match=message):
            function(true, pred)


# ---------------------------------------------------------------- matched_confusion


def test_matched_confusion_puts_matches_on_the_diagonal() -> None:
    true = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    pred = [2, 2, 1, 0, 0, 0, 1, 1, 1]
    matrix, mapping = matched_confusion(true, pred)
    assert mapping == {2: 0, 0: 1, 1: 2}
    np.testing.assert_array_equal(matrix, [[2, 0, 1], [0, 3, 0], [0, 0, 3]])
    assert matrix.dtype == np.int64
    assert np.trace(matrix) == 8


def test_matched_confusion_more_components_than_classes() -> None:
    true = [0, 0, 0, 0, 1, 1, 1, 1]
    pred = [4, 4, 3, 3, 0, 0, 0, 4]
    matrix, mapping = matched_confusion(true, pred)
    # class 1 takes component 0 (3 points); class 0 takes 4 (2) or 3 (2): a tie
    assert list(mapping.values())[:2] == [0, 1] and mapping[0] == 1
    assert list(mapping.values())[2] is None
    assert matrix.shape == (2, 3)
    assert matrix.sum() == 8
    assert np.trace(matrix) == 5
    assert list(mapping)[1] == 0 and set(mapping) == {0, 3, 4}


def test_matched_confusion_fewer_components_than_classes() -> None:
    true = ["a", "a", "b", "b", "b", "c", "c"]
    pred = [1, 1, 1, 1, 1, 0, 0]
    matrix, mapping = matched_confusion(true, pred)
    assert mapping == {1: "b", 0: "c"}
    np.testing.assert_array_equal(matrix, [[2, 0], [3, 0], [0, 2]])  # rows: a, b, c


@pytest.mark.parametrize("seed", range(5))
def test_matched_confusion_maximises_the_matched_points(seed) -> None:
    rng = np.random.RandomState(seed)
    true = rng.randint(0, 4, 300)
    pred = (true + rng.choice([0, 0, 0, 1, 2], 300)) % 5
    matrix, mapping = matched_confusion(true, pred)
    contingency = metrics.confusion_matrix(true, pred)[:4, :5]
    np.testing.assert_array_equal(np.sort(matrix, axis=1), np.sort(contingency, axis=1))
    # brute force over all injections of 4 classes into 5 components
    best = max(sum(contingency[i, p[i]] for i in range(4)) for p in permutations(range(5), 4))
    assert np.trace(matrix) == best
    assert matrix.sum() == 300
    for column, (component, cls) in enumerate(mapping.items()):
        np.testing.assert_array_equal(matrix[:, column], contingency[:, component])
        if cls is not None:
            assert matrix[cls, column] == contingency[cls, component]


# ---------------------------------------------------------------- match_components


def test_match_components_undoes_a_shuffle() -> None:
    rng = np.random.RandomState(0)
    previous = rng.uniform(-10, 10, size=(6, 2))
    order = rng.permutation(6)
    new = previous[order] + rng.normal(scale=0.05, size=(6, 2))
    permutation = match_components(previous, new)
    np.testing.assert_array_equal(permutation, order)
    np.testing.assert_allclose(new[np.argsort(permutation)], previous, atol=0.5)


def test_match_components_minimises_the_total_distance() -> None:
    previous = np.array([[0.0, 0.0], [1.0, 0.0]])
    new = np.array([[0.9, 0.0], [2.0, 0.0]])
    # greedy would pair new 0 with previous 1 (0.1) and new 1 with previous 0 (2.0)
    np.testing.assert_array_equal(match_components(previous, new), [0, 1])


def test_match_components_with_more_new_components() -> None:
    previous = np.array([[0.0, 0.0], [10.0, 10.0]])
    new = np.array([[5.0, 5.0], [10.0, 9.0], [-20.0, 0.0], [0.5, 0.0]])
    np.testing.assert_array_equal(match_components(previous, new), [2, 1, 3, 0])


def test_match_components_with_fewer_new_components() -> None:
    previous = np.array([[0.0], [5.0], [10.0], [20.0]])
    new = np.array([[19.0], [4.0]])
    np.testing.assert_array_equal(match_components(previous, new), [3, 1])
    assert match_components(np.zeros((0, 1)), new).tolist() == [0, 1]


@pytest.mark.parametrize(
    ("previous", "new", "message"),
    [
        (np.zeros(3), np.zeros((3, 2)), "previous_means must have shape"),
        (np.zeros((3, 2)), np.zeros((3, 3)), "same number of features"),
        (np.zeros((3, 2)), np.full((3, 2), np.nan), "new_means must be finite"),
    ],
)
def test_match_components_bad_input(previous, new, message) -> None:
    with pytest.raises(ValueError, match=message):
        match_components(previous, new)


def test_no_scikit_learn_at_run_time() -> None:
    """scikit-learn is the reference of the tests only; the core never imports it."""
    code = (
        "import sys, numpy as np\n"
        "from gmmviz.core import adjusted_rand_index, best, iter_sweep, matched_confusion\n"
        "X = np.random.RandomState(0).randn(40, 2)\n"
        "best(list(iter_sweep(X, [1, 2], ['full'], random_state=0)))\n"
        "adjusted_rand_index([0, 1], [1, 0]); matched_confusion([0, 1], [1, 0])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'sklearn']\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_the_table_based_metrics_equal_the_label_based_ones():
    """The renderer's per-frame path (one bincount over cached codes) gives the same ARI and
    matched confusion as the functions on labels."""
    from gmmviz.core.metrics import (
        adjusted_rand_index_from_table,
        contingency_table,
        match_table,
    )

    rng = np.random.default_rng(3)
    for _ in range(10):
        true = rng.integers(0, 4, size=500)
        pred = rng.integers(0, 6, size=500)
        table = contingency_table(true, pred, (4, 6))
        assert adjusted_rand_index_from_table(table) == adjusted_rand_index(true, pred)
        matrix, order, _ = match_table(table)
        expected, mapping = matched_confusion(true, pred)
        np.testing.assert_array_equal(matrix, expected)
        assert order == list(mapping)
