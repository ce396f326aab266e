"""The compiled initialisation: same seeds, same first parameters, exact far from the origin,
and no (N, K) array on the way."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

from gmmviz.core import GaussianMixture
from gmmviz.core._kernels import kmeans as kernels
from gmmviz.core.backend import numba
from gmmviz.core.em import params_from_responsibilities
from gmmviz.core.init import first_parameters, initial_responsibilities, initialise
from gmmviz.core.kmeans import kmeans, kmeans_labels, kmeans_plusplus

BACKENDS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(numba is None, reason="numba"))]
COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def blobs(n: int = 3000, d: int = 2, k: int = 5, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(k, d))
    return centres[rng.integers(0, k, n)] + rng.normal(size=(n, d))


def old_kmeans_plusplus(X, n_clusters, random_state):
    """The numpy seeding as it was before the compiled passes (the oracle for the draws)."""

    def sq(centre):
        diff = X - centre
        return np.einsum("ij,ij->i", diff, diff)

    n_samples = X.shape[0]
    n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.int64)
    indices[0] = random_state.randint(n_samples)
    closest = sq(X[indices[0]])
    for c in range(1, n_clusters):
        potential = closest.sum()
        if potential <= 0.0:
            indices[c] = random_state.randint(n_samples)
            continue
        targets = random_state.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(closest), targets)
        np.clip(candidates, None, n_samples - 1, out=candidates)
        best_pot, best_dist, best_id = np.inf, closest, candidates[0]
        for cand in candidates:
            dist = np.minimum(closest, sq(X[cand]))
            pot = dist.sum()
            if pot < best_pot:
                best_pot, best_dist, best_id = pot, dist, cand
        indices[c] = best_id
        closest = best_dist
    return indices


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("n", "d", "k", "seed"), [(3000, 2, 5, 0), (1000, 10, 8, 3), (777, 3, 16, 7)]
)
def test_seeds_equal_the_old_numpy_seeding(backend, n, d, k, seed):
    X = blobs(n, d, k, seed)
    rs_new, rs_old = np.random.RandomState(seed), np.random.RandomState(seed)
    ours = kmeans_plusplus(X, k, rs_new, backend)
    np.testing.assert_array_equal(ours, old_kmeans_plusplus(X, k, rs_old))
    assert rs_new.uniform() == rs_old.uniform()  # the same draws were consumed


def test_seeds_with_fewer_distinct_points_than_clusters():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0]]), 50, axis=0)
    for backend in ("numpy", "numba"):
        ours = kmeans_plusplus(X, 4, np.random.RandomState(1), backend)
        np.testing.assert_array_equal(ours, old_kmeans_plusplus(X, 4, np.random.RandomState(1)))


@pytest.mark.skipif(numba is None, reason="numba")
def test_both_backends_pick_the_same_seeds_and_labels():
    X = blobs(20_000, 2, 9, seed=5)
    seeds = [kmeans_plusplus(X, 9, np.random.RandomState(2), b) for b in ("numpy", "numba")]
    np.testing.assert_array_equal(*seeds)
    labels = [kmeans_labels(X, 9, np.random.RandomState(2), backend=b) for b in ("numpy", "numba")]
    np.testing.assert_array_equal(*labels)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("init", ["kmeans", "k-means++", "random_from_data", "random"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_first_parameters_equal_the_dense_responsibilities_path(backend, init, covariance_type):
    X = blobs(2000, 3, 4, seed=11)
    got = first_parameters(X, 4, init, np.random.RandomState(4), covariance_type, 1e-6, backend)
    resp = initial_responsibilities(X, 4, init, np.random.RandomState(4), backend)
    want = params_from_responsibilities(X, resp, covariance_type, 1e-6)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def two_pass_reference(X, labels, n_components, covariance_type, reg_covar):
    """Means and covariances per label, the exact way: the mean first, then the scatter."""
    d = X.shape[1]
    means = np.empty((n_components, d))
    scatter = np.empty((n_components, d, d))
    nk = np.bincount(labels, minlength=n_components) + 10 * np.finfo(float).eps
    for k in range(n_components):
        pts = X[labels == k]
        means[k] = pts.sum(axis=0) / nk[k]
        centred = pts - pts.mean(axis=0)
        scatter[k] = centred.T @ centred
    if covariance_type == "full":
        return means, scatter / nk[:, None, None] + reg_covar * np.eye(d)
    if covariance_type == "tied":
        return means, scatter.sum(axis=0) / nk.sum() + reg_covar * np.eye(d)
    diag = np.diagonal(scatter, axis1=1, axis2=2) / nk[:, None] + reg_covar
    return means, diag if covariance_type == "diag" else diag.mean(axis=1)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("case", ["apart-1e10", "offset-1e5"])
def test_kmeans_start_is_exact_far_from_the_origin(backend, covariance_type, case):
    rng = np.random.default_rng(3)
    if case == "apart-1e10":
        X = np.concatenate([rng.normal(size=(500, 2)), 1e10 + rng.normal(size=(500, 2))])
        k = 2
    else:
        X = 1e5 + 1e-3 * rng.normal(size=(1500, 2))
        k = 3
    reg = 1e-12  # small enough that the covariances themselves are compared
    params = initialise(
        X, k, covariance_type=covariance_type, reg_covar=reg, random_state=0, backend=backend
    )
    labels = kmeans_labels(X, k, np.random.RandomState(0), backend=backend)
    means, covariances = two_pass_reference(X, labels, k, covariance_type, reg)
    np.testing.assert_allclose(params.means, means, rtol=1e-14)
    np.testing.assert_allclose(params.covariances, covariances, rtol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_label_stats_are_shifted_sums(backend):
    X = blobs(5000, 3, 4, seed=2)
    labels, centres = kmeans(X, 4, np.random.RandomState(0), backend=backend)
    counts, first, second = kernels.label_stats(X, labels, centres, backend)
    for k in range(4):
        centred = X[labels == k] - centres[k]
        assert counts[k] == centred.shape[0]
        np.testing.assert_allclose(first[k], centred.sum(axis=0), atol=1e-9)
        np.testing.assert_allclose(second[k], centred.T @ centred, rtol=1e-12)


@pytest.mark.skipif(numba is None, reason="numba")
def test_default_fit_allocates_no_n_by_k_array():
    n, k = 200_000, 16
    X = blobs(n, 2, k, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GaussianMixture(k, max_iter=2, random_state=0, backend="numba").fit(X[:2000])  # warm
        tracemalloc.start()
        try:
            GaussianMixture(k, random_state=0, backend="numba").fit(X)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < n * k * 8 / 2, f"peak {peak / 1e6:.1f} MB"


def test_importing_the_core_imports_neither_numba_nor_scipy():
    """They load on first use (the warm-up thread, a fit), not at app start."""
    code = (
        "import sys\n"
        "import gmmviz, gmmviz.core, gmmviz.core.mixture, gmmviz.core.metrics\n"
        "late = {'numba', 'scipy'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not late, late\n"
        "import numpy as np\n"
        "X = np.random.default_rng(0).normal(size=(500, 2))\n"
        "gmmviz.GaussianMixture(3, random_state=0, backend='numba').fit(X)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_forced_numpy_backend_never_imports_numba():
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from gmmviz.core import GaussianMixture, backend\n"
        "X = np.random.default_rng(0).normal(size=(500, 2))\n"
        "GaussianMixture(3, random_state=0).fit(X)\n"
        "assert backend.default_backend() == 'numpy'\n"
        "assert 'numba' not in sys.modules\n"
    )
    env = {**os.environ, "GMMVIZ_BACKEND": "numpy"}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300, env=env)
