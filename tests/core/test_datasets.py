"""Tests of gmmviz.core.datasets: the lecture's generators, re-implemented with numpy.

scikit-learn is used only as the reference for geometry and distributions. Statistical checks
use fixed seeds (deterministic) and tolerances of several standard errors.
"""

from __future__ import annotations

import dataclasses

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
    VARIED_STDS,
    DatasetSpec,
    generate,
    make_dataset,
)

LECTURE_MATRIX = [[0.60834549, -0.63667341], [-0.40887718, 0.85253229]]


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


def test_dataset_info_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DATASETS["blobs"].default_noise = 2.0  # type: ignore[misc]


@pytest.mark.parametrize("name", list(DATASETS))
def test_generator_makes_n_clusters_labels_at_its_default_size(name: str) -> None:
    info = DATASETS[name]
    X, y = info.generator(np.random.default_rng(0), info.default_n_samples, info.default_noise)
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


def test_blob_class_sizes_follow_make_blobs() -> None:
    for n in (1500, 1501, 1502, 7):
        _, y = make_dataset("blobs", n)
        _, y_sk = skd.make_blobs(n_samples=n, centers=3, random_state=0)
        np.testing.assert_array_equal(np.bincount(y), np.bincount(y_sk))


@pytest.mark.parametrize("name", ["blobs", "varied"])
def test_blobs_match_sklearn_distribution(name: str) -> None:
    """Same centres and stds given to scikit-learn: per-class samples are alike (KS test)."""
    n = 6000
    noise = 1.7
    X, y = generate(DatasetSpec(name, n, noise, seed=21))
    centres = class_centres(name, 21)
    stds = noise * (np.asarray(VARIED_STDS) if name == "varied" else np.ones(3))
    X_sk, y_sk = skd.make_blobs(n_samples=n, centers=centres, cluster_std=stds, random_state=21)
    for k in range(3):
        for j in range(2):
            p = stats.ks_2samp(X[y == k, j], X_sk[y_sk == k, j]).pvalue
            assert p > 1e-3, (k, j, p)


def test_anisotropic_is_blobs_times_the_lecture_matrix() -> None:
    for seed in (0, 1, 2):
        for noise in (None, 0.4):
            Xb, yb = generate(DatasetSpec("blobs", 999, noise, seed))
            Xa, ya = generate(DatasetSpec("anisotropic", 999, noise, seed))
            np.testing.assert_array_equal(Xa, Xb @ np.array(LECTURE_MATRIX))
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


def test_imbalanced_follows_the_lecture_construction() -> None:
    """The lecture takes 500/100/10 points of the three blob classes: same centres, std 1."""
    X, y = make_dataset("imbalanced", 610 * 50, seed=6)
    centres = class_centres("blobs", 6)
    for k in range(3):
        Z = X[y == k] - centres[k]
        se = 1.0 / np.sqrt(len(Z))
        np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=5 * se)
        np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=6 * se)


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


@pytest.mark.parametrize("name", ["moons", "circles"])
def test_curves_match_sklearn_distribution(name: str) -> None:
    n = 6000
    X, y = generate(DatasetSpec(name, n, 0.1, seed=2))
    if name == "moons":
        X_sk, y_sk = skd.make_moons(n_samples=n, noise=0.1, random_state=2)
    else:
        X_sk, y_sk = skd.make_circles(n_samples=n, noise=0.1, factor=0.5, random_state=2)
    np.testing.assert_array_equal(np.bincount(y), np.bincount(y_sk))
    for k in (0, 1):
        for j in (0, 1):
            assert stats.ks_2samp(X[y == k, j], X_sk[y_sk == k, j]).pvalue > 1e-3


@pytest.mark.parametrize("name", list(DATASETS))
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
