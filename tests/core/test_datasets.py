"""Tests of gmmviz.core.datasets: the lecture's generators, re-implemented with numpy.

scikit-learn (imported here only, never by gmmviz at run time) is the reference: for the same
arguments and ``random_state`` every dataset must give its points bit for bit. The statistical
checks that remain (fixed seeds, tolerances of several standard errors) describe the
distributions in their own terms.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn import datasets as skd

from gmmviz.core.datasets import (
    ANISOTROPIC_TRANSFORM,
    CENTER_BOX,
    DATASETS,
    IMBALANCED_RATIO,
    MAX_N_SAMPLES,
    MAX_SEED,
    VARIED_STDS,
    DatasetSpec,
    generate,
    make_dataset,
)

LECTURE_MATRIX = [[0.60834549, -0.63667341], [-0.40887718, 0.85253229]]


def lecture_imbalanced(X1: np.ndarray, T1: np.ndarray, n0: int, n1: int, n2: int):
    """The lecture's X6, T6 (its 500, 100, 10 written as n0, n1, n2), character for character."""
    X6 = np.vstack((X1[T1 == 0][:n0], X1[T1 == 1][:n1], X1[T1 == 2][:n2]))
    T6 = np.hstack((np.zeros(n0), np.ones(n1), 2 * np.ones(n2))).astype("int")
    return X6, T6


def sklearn_reference(name: str, n: int, noise: float, seed: int, counts=None):
    """The points scikit-learn makes for ``DATASETS[name].reference`` with these arguments.

    ``counts`` (n0, n1, n2) are the class sizes of "imbalanced" (checked on their own below).
    """
    if name == "blobs":
        return skd.make_blobs(n, centers=3, cluster_std=noise, random_state=seed)
    if name == "varied":
        stds = [1.0 * noise, 2.5 * noise, 0.5 * noise]
        return skd.make_blobs(n, cluster_std=stds, random_state=seed)
    if name == "anisotropic":
        X1, T1 = skd.make_blobs(n, centers=3, cluster_std=noise, random_state=seed)
        return np.dot(X1, LECTURE_MATRIX), T1
    if name == "imbalanced":
        n0, n1, n2 = (int(c) for c in counts)
        X1, T1 = skd.make_blobs(3 * n0, centers=3, cluster_std=noise, random_state=seed)
        return lecture_imbalanced(X1, T1, n0, n1, n2)
    if name == "moons":
        return skd.make_moons(n, noise=noise, random_state=seed)
    if name == "circles":
        return skd.make_circles(n, noise=noise, factor=0.5, random_state=seed)
    raise AssertionError(name)


def class_centres(name: str, seed: int, n_samples: int = 30) -> np.ndarray:
    """Centres of a blob-family dataset: with noise 0 every point of class k is centre k."""
    X, y = generate(DatasetSpec(name, n_samples, noise=0.0, seed=seed))
    centres = []
    for k in range(DATASETS[name].n_clusters):
        rows = np.unique(X[y == k], axis=0)
        assert rows.shape[0] == 1, "noise 0 must put every point of a class on its centre"
        centres.append(rows[0])
    return np.array(centres)


# ------------------------------------------------------------------------------ constants


LECTURE = {
    # name: (default_n_samples, default_noise, n_clusters, min_samples)
    "blobs": (1500, 1.0, 3, 1),
    "varied": (1500, 1.0, 3, 1),
    "anisotropic": (1500, 1.0, 3, 1),
    "imbalanced": (610, 1.0, 3, 3),
    "moons": (1500, 0.05, 2, 1),
    "circles": (1500, 0.05, 2, 1),
}


def test_registry_is_the_lectures_six_in_order() -> None:
    assert tuple(DATASETS) == tuple(LECTURE)
    for key, info in DATASETS.items():
        assert info.name == key
        assert (
            info.default_n_samples,
            info.default_noise,
            info.n_clusters,
            info.min_samples,
        ) == LECTURE[key]
    np.testing.assert_array_equal(ANISOTROPIC_TRANSFORM, LECTURE_MATRIX)


def test_registry_texts() -> None:
    titles = [info.title for info in DATASETS.values()]
    assert len(set(titles)) == len(titles)
    for info in DATASETS.values():
        for text in (info.title, info.noise_label, info.description):
            assert isinstance(text, str) and text == text.strip() and text
        # One sentence: no full stop inside, none needed at the end.
        assert ". " not in info.description and "\n" not in info.description
        # The scikit-learn call it reproduces, naming the seed it uses as random_state.
        assert info.reference == info.reference.strip() and "\n" not in info.reference
        assert "random_state=seed" in info.reference
        assert "n_samples" in info.reference and "noise" in info.reference


def test_dataset_info_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DATASETS["blobs"].default_noise = 2.0  # type: ignore[misc]


@pytest.mark.parametrize("name", list(DATASETS))
def test_generator_makes_n_clusters_labels_at_its_default_size(name: str) -> None:
    info = DATASETS[name]
    rng = np.random.RandomState(0)
    X, y = info.generator(rng, info.default_n_samples, info.default_noise)
    assert X.shape == (info.default_n_samples, 2)
    np.testing.assert_array_equal(np.unique(y), np.arange(info.n_clusters))


@pytest.mark.parametrize("name", list(DATASETS))
def test_default_noise_and_min_samples_are_accepted(name: str) -> None:
    info = DATASETS[name]
    X, y = generate(DatasetSpec(name, info.default_n_samples, info.default_noise, 1))
    assert X.shape == (info.default_n_samples, 2)
    X, y = generate(DatasetSpec(name, info.min_samples, info.default_noise, 1))
    assert X.shape == (info.min_samples, 2)
    if info.min_samples >= info.n_clusters:
        # "imbalanced" keeps every class, even its rarest, at its minimum size.
        assert len(np.unique(y)) == info.n_clusters
    if info.min_samples > 1:
        with pytest.raises(ValueError, match=f"between {info.min_samples} and"):
            generate(DatasetSpec(name, info.min_samples - 1))


def test_spec_defaults_and_frozen() -> None:
    spec = DatasetSpec()
    assert (spec.name, spec.n_samples, spec.noise, spec.seed) == ("blobs", 1500, None, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.seed = 3  # type: ignore[misc]


# ------------------------------------------------------------------------------ shapes


@pytest.mark.parametrize("name", list(DATASETS))
def test_shapes_dtypes_labels_at_lecture_defaults(name: str) -> None:
    X, y = make_dataset(name)
    n = DATASETS[name].default_n_samples
    assert X.shape == (n, 2) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(DATASETS[name].n_clusters))
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", list(DATASETS))
def test_noise_none_means_the_lecture_default(name: str) -> None:
    a = generate(DatasetSpec(name, 200, None, 5))
    b = generate(DatasetSpec(name, 200, DATASETS[name].default_noise, 5))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_make_dataset_is_generate() -> None:
    for name in DATASETS:
        a = make_dataset(name, 123, 0.3, 9)
        b = generate(DatasetSpec(name, 123, 0.3, 9))
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_spec_same_arrays_other_seed_other_data(name: str) -> None:
    X1, y1 = generate(DatasetSpec(name, 500, seed=11))
    X2, y2 = generate(DatasetSpec(name, 500, seed=11))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = generate(DatasetSpec(name, 500, seed=12))
    assert not np.array_equal(X1, X3)


def test_returned_arrays_are_independent() -> None:
    X1, y1 = make_dataset("moons", 100)
    X1[:] = 0.0
    y1[:] = 0
    X2, y2 = make_dataset("moons", 100)
    assert np.any(X2 != 0.0) and np.any(y2 == 1)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(list(DATASETS)),
    n=st.integers(3, 3000),
    noise=st.floats(0.0, 5.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_valid_spec(name: str, n: int, noise: float, seed: int) -> None:
    X, y = generate(DatasetSpec(name, n, noise, seed))
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    assert y.min() >= 0 and y.max() < DATASETS[name].n_clusters
    # Every class present (n >= 3 >= number of classes).
    assert len(np.unique(y)) == DATASETS[name].n_clusters
    X2, y2 = generate(DatasetSpec(name, n, noise, seed))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("name", [n for n, d in DATASETS.items() if d.min_samples == 1])
@pytest.mark.parametrize("n", [1, 2])
def test_tiny_sizes(name: str, n: int) -> None:
    X, y = generate(DatasetSpec(name, n))
    assert X.shape == (n, 2) and y.shape == (n,)


@pytest.mark.parametrize("name", list(DATASETS))
def test_one_million_samples(name: str) -> None:
    X, y = generate(DatasetSpec(name, 1_000_000, seed=3))
    assert X.shape == (1_000_000, 2) and y.shape == (1_000_000,)
    assert np.all(np.isfinite(X))
    counts = np.bincount(y)
    assert len(counts) == DATASETS[name].n_clusters and counts.min() >= 1


# ---------------------------------------------------------------------- scikit-learn's points

SIZES = [1, 2, 3, 4, 5, 7, 10, 11, 61, 100, 199, 200, 610, 611, 1500, 1501, 1502]
NOISES = [0.0, 0.05, 0.3, 1.0, 2.5, 7.25]
SEEDS = [*range(10), 42, 12345, 2**31 - 1, MAX_SEED]


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", list(DATASETS))
def test_points_are_sklearns_bit_for_bit(name: str, n: int, noise: float) -> None:
    if n < DATASETS[name].min_samples:
        pytest.skip(f"{name} needs at least {DATASETS[name].min_samples} points")
    for seed in SEEDS:
        X, y = generate(DatasetSpec(name, n, noise, seed))
        counts = np.bincount(y, minlength=3) if name == "imbalanced" else None
        X_sk, y_sk = sklearn_reference(name, n, noise, seed, counts)
        np.testing.assert_array_equal(X, X_sk, err_msg=f"seed {seed}", strict=True)
        np.testing.assert_array_equal(y, y_sk.astype(np.int64), err_msg=f"seed {seed}")


def test_the_lectures_calls() -> None:
    """The lecture's own cells, seeded, give our datasets at their defaults."""
    # In [3]: the density-estimation example.
    Xmoon, ymoon = skd.make_moons(200, noise=0.05, random_state=0)
    X, y = make_dataset("moons", 200, 0.05, seed=0)
    np.testing.assert_array_equal(X, Xmoon)
    np.testing.assert_array_equal(y, ymoon)
    # In [8]: the clustering examples, random_state left unset there, our seed here.
    for seed in (0, 1, 7):
        n_samples = 1500
        X1, T1 = skd.make_blobs(n_samples=n_samples, centers=3, cluster_std=1, random_state=seed)
        X2, T2 = skd.make_blobs(n_samples=n_samples, cluster_std=[1.0, 2.5, 0.5], random_state=seed)
        X3, T3 = skd.make_moons(n_samples=n_samples, noise=0.05, random_state=seed)
        X4, T4 = skd.make_circles(n_samples, noise=0.05, factor=0.5, random_state=seed)
        X5 = np.dot(X1, [[0.60834549, -0.63667341], [-0.40887718, 0.85253229]])
        T5 = T1
        X6 = np.vstack((X1[T1 == 0][:500], X1[T1 == 1][:100], X1[T1 == 2][:10]))
        T6 = np.hstack((np.zeros(500), np.ones(100), 2 * np.ones(10))).astype("int")
        expected = {
            "blobs": (X1, T1),
            "varied": (X2, T2),
            "anisotropic": (X5, T5),
            "imbalanced": (X6, T6),
            "moons": (X3, T3),
            "circles": (X4, T4),
        }
        for name, (X_sk, y_sk) in expected.items():
            X, y = make_dataset(name, seed=seed)  # the registry's defaults are the lecture's
            np.testing.assert_array_equal(X, X_sk, err_msg=name, strict=True)
            np.testing.assert_array_equal(y, y_sk, err_msg=name)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(list(DATASETS)),
    n=st.integers(3, 5000),
    noise=st.floats(0.0, 50.0),
    seed=st.integers(0, MAX_SEED),
)
def test_any_spec_is_sklearns(name: str, n: int, noise: float, seed: int) -> None:
    X, y = generate(DatasetSpec(name, n, noise, seed))
    counts = np.bincount(y, minlength=3) if name == "imbalanced" else None
    X_sk, y_sk = sklearn_reference(name, n, noise, seed, counts)
    np.testing.assert_array_equal(X, X_sk, strict=True)
    np.testing.assert_array_equal(y, y_sk)


def test_scikit_learn_is_not_imported_at_run_time() -> None:
    code = (
        "import sys\n"
        "from gmmviz.core.datasets import DATASETS, make_dataset\n"
        "for name in DATASETS: make_dataset(name, 100)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'sklearn']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------ blobs family


@pytest.mark.parametrize("name", ["blobs", "varied", "imbalanced"])
def test_blob_centres_are_uniform_in_the_box(name: str) -> None:
    centres = np.concatenate([class_centres(name, seed) for seed in range(300)])
    assert centres.min() > CENTER_BOX[0] and centres.max() < CENTER_BOX[1]
    uniform = stats.uniform(loc=CENTER_BOX[0], scale=CENTER_BOX[1] - CENTER_BOX[0])
    for j in range(2):
        assert stats.kstest(centres[:, j], uniform.cdf).pvalue > 1e-3


def test_blob_family_shares_centres_for_one_seed() -> None:
    blobs = class_centres("blobs", 4)
    np.testing.assert_array_equal(class_centres("varied", 4), blobs)
    np.testing.assert_array_equal(class_centres("imbalanced", 4), blobs)
    aniso = class_centres("anisotropic", 4)
    np.testing.assert_array_equal(aniso, blobs @ ANISOTROPIC_TRANSFORM)
    assert not np.array_equal(class_centres("blobs", 5), blobs)


@pytest.mark.parametrize(
    ("name", "noise", "stds"),
    [
        ("blobs", 1.0, [1.0, 1.0, 1.0]),
        ("blobs", 0.3, [0.3, 0.3, 0.3]),
        ("varied", 1.0, VARIED_STDS),
        ("varied", 2.0, [2.0 * s for s in VARIED_STDS]),
        ("imbalanced", 1.5, [1.5, 1.5, 1.5]),
    ],
)
def test_blob_classes_are_isotropic_gaussians(name: str, noise: float, stds) -> None:
    n = 300_000
    X, y = generate(DatasetSpec(name, n, noise, seed=8))
    centres = class_centres(name, 8)
    for k, std in enumerate(stds):
        Z = (X[y == k] - centres[k]) / std  # standard normal in both coordinates if correct
        m = len(Z)
        se = 1.0 / np.sqrt(m)
        np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=5 * se)
        np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=5 * se)
        assert abs(np.corrcoef(Z.T)[0, 1]) < 5 * se
        sample = Z[:5000, 0]
        assert stats.kstest(sample, "norm").pvalue > 1e-3


def test_anisotropic_is_blobs_times_the_lecture_matrix() -> None:
    for seed in (0, 1, 2):
        for noise in (None, 0.4):
            Xb, yb = generate(DatasetSpec("blobs", 999, noise, seed))
            Xa, ya = generate(DatasetSpec("anisotropic", 999, noise, seed))
            np.testing.assert_array_equal(Xa, np.dot(Xb, LECTURE_MATRIX))
            np.testing.assert_array_equal(ya, yb)


def test_anisotropic_class_covariance() -> None:
    X, y = generate(DatasetSpec("anisotropic", 300_000, 1.0, seed=2))
    T = np.array(LECTURE_MATRIX)
    expected = T.T @ T  # cov(z T) for z ~ N(0, I)
    for k in range(3):
        np.testing.assert_allclose(np.cov(X[y == k].T), expected, atol=0.02)


def test_imbalanced_counts_at_the_lecture_default() -> None:
    _, y = make_dataset("imbalanced")
    np.testing.assert_array_equal(np.bincount(y), [500, 100, 10])


@settings(max_examples=200, deadline=None)
@given(n=st.integers(3, 200_000))
def test_imbalanced_keeps_the_ratio(n: int) -> None:
    _, y = generate(DatasetSpec("imbalanced", n, seed=1))
    counts = np.bincount(y, minlength=3)
    assert counts.sum() == n
    assert counts.min() >= 1
    ratio = np.asarray(IMBALANCED_RATIO, dtype=float)
    quota = n * ratio / ratio.sum()
    # Largest remainder: within one point of the exact share; below 61 points the rarest class
    # is forced up to one point (taken from the largest), which can add one more.
    assert np.all(np.abs(counts - quota) < (1.0 if n >= 61 else 2.0))
    assert counts[0] >= counts[1] >= counts[2]


@pytest.mark.parametrize(
    ("n", "counts"),
    [(610, (500, 100, 10)), (3, (1, 1, 1)), (61, (50, 10, 1)), (1220, (1000, 200, 20))],
)
def test_imbalanced_follows_the_lecture_construction(n: int, counts) -> None:
    """The lecture's X6 from "blobs" with 500 points a class (1500 at the lecture's 610)."""
    for seed in (0, 6):
        for noise in (None, 0.4):
            X, y = generate(DatasetSpec("imbalanced", n, noise, seed))
            np.testing.assert_array_equal(np.bincount(y), counts)
            X1, T1 = generate(DatasetSpec("blobs", 3 * counts[0], noise, seed))
            X6, T6 = lecture_imbalanced(X1, T1, *counts)
            np.testing.assert_array_equal(X, X6)
            np.testing.assert_array_equal(y, T6)


def test_imbalanced_is_grouped_by_class_as_in_the_lecture() -> None:
    _, y = make_dataset("imbalanced", 3000, seed=0)
    assert np.all(np.diff(y) >= 0)  # the lecture's T6: 0s, then 1s, then 2s


# ------------------------------------------------------------------------------ moons, circles


@pytest.mark.parametrize("n", [1500, 1501, 10, 3])
def test_moons_geometry_is_sklearns(n: int) -> None:
    X, y = generate(DatasetSpec("moons", n, 0.0, seed=0))
    X_sk, y_sk = skd.make_moons(n_samples=n, shuffle=False, noise=None)
    for k in (0, 1):
        ours = X[y == k][np.lexsort(X[y == k].T[::-1])]
        ref = X_sk[y_sk == k][np.lexsort(X_sk[y_sk == k].T[::-1])]
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [1500, 1501, 10, 3])
def test_circles_geometry_is_sklearns(n: int) -> None:
    X, y = generate(DatasetSpec("circles", n, 0.0, seed=0))
    X_sk, y_sk = skd.make_circles(n_samples=n, shuffle=False, noise=None, factor=0.5)
    for k in (0, 1):
        ours = X[y == k][np.lexsort(X[y == k].T[::-1])]
        ref = X_sk[y_sk == k][np.lexsort(X_sk[y_sk == k].T[::-1])]
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_moons_and_circles_radii_without_noise() -> None:
    X, y = generate(DatasetSpec("moons", 2000, 0.0, seed=3))
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-12)
    assert outer[:, 1].min() >= -1e-12 and inner[:, 1].max() <= 0.5 + 1e-12
    X, y = generate(DatasetSpec("circles", 2000, 0.0, seed=3))
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.5, atol=1e-12)
    assert np.bincount(y).tolist() == [1000, 1000]


@pytest.mark.parametrize("name", ["moons", "circles"])
@pytest.mark.parametrize("noise", [0.05, 0.3])
def test_curve_noise_is_isotropic_gaussian(name: str, noise: float) -> None:
    """Same seed, noise σ versus 0: same order, the difference is the N(0, σ²) noise."""
    n = 200_000
    clean, y0 = generate(DatasetSpec(name, n, 0.0, seed=7))
    noisy, y1 = generate(DatasetSpec(name, n, noise, seed=7))
    np.testing.assert_array_equal(y0, y1)
    Z = (noisy - clean) / noise
    se = 1.0 / np.sqrt(n)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=5 * se)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=5 * se)
    assert abs(np.corrcoef(Z.T)[0, 1]) < 5 * se
    assert stats.kstest(Z[:5000, 1], "norm").pvalue > 1e-3


@pytest.mark.parametrize("name", [name for name in DATASETS if name != "imbalanced"])
def test_points_are_shuffled(name: str) -> None:
    _, y = generate(DatasetSpec(name, 3000, seed=0))
    # Sorted labels would have C - 1 changes; a random order has about N(1 - Σp²).
    assert np.count_nonzero(np.diff(y)) > 10 * DATASETS[name].n_clusters


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "moon"}, r"unknown dataset 'moon'.*blobs, varied, anisotropic"),
        ({"name": ""}, "unknown dataset"),
        ({"n_samples": 0}, r"n_samples .* between 1 and 10,000,000; got 0"),
        ({"n_samples": -5}, "n_samples"),
        ({"n_samples": MAX_N_SAMPLES + 1}, "between 1 and 10,000,000"),
        ({"n_samples": 1.5}, "n_samples must be an integer"),
        ({"n_samples": True}, "n_samples must be an integer"),
        ({"name": "imbalanced", "n_samples": 2}, r"between 3 and"),
        ({"noise": -0.1}, r"noise \(cluster std\) must be a finite number >= 0"),
        ({"name": "moons", "noise": -1.0}, r"noise \(noise\)"),
        ({"noise": float("nan")}, "finite"),
        ({"noise": float("inf")}, "finite"),
        ({"noise": "1"}, "must be a number"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"seed": 1.0}, "seed must be a non-negative integer"),
        ({"seed": MAX_SEED + 1}, r"at most 32 bits \(0 to 4,294,967,295\); got 4294967296"),
    ],
)
def test_bad_specs(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        generate(DatasetSpec(**kwargs))


def test_make_dataset_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'spiral'; choose one of"):
        make_dataset("spiral")


def test_numpy_integer_arguments_are_accepted() -> None:
    X, _ = generate(DatasetSpec("blobs", np.int64(50), np.float32(0.5), np.uint32(3)))
    X2, _ = generate(DatasetSpec("blobs", 50, 0.5, 3))
    np.testing.assert_array_equal(X, X2)
