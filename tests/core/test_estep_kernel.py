"""The compiled full-covariance E-step against the numpy reference, path by path.

The kernel comes in two shapes: compiled for an exact number of features (2 to
``MAX_FIXED_FEATURES``, the triangular product unrolled per row) and general (any number,
column by column). Both cut rows into blocks, pair features for the scatter (an odd count
gets a zero pad row) and skip a component in a block where all its responsibilities are
exactly 0. Each of these is checked here on inputs that reach it.
"""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz.core import backend as core_backend
from gmmviz.core._kernels import dispatch, estep
from gmmviz.core.em import iter_em
from gmmviz.core.init import initialise

pytestmark = pytest.mark.skipif(core_backend.numba is None, reason="numba not installed")


def random_problem(n_samples, n_features, n_components, seed=0, spread=3.0):
    """Points, means, upper-triangular precision factors and log weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * spread
    means = rng.normal(size=(n_components, n_features)) * spread
    tri = np.triu(rng.normal(size=(n_components, n_features, n_features)) * 0.3)
    prec = tri + 1.5 * np.eye(n_features)
    log_norm = rng.normal(size=n_components)
    return X, means, prec, log_norm


def summed(partials):
    """The kernel's per-block partial sums added up, second moments made symmetric."""
    ll, resp_sum, first, second = (p.sum(axis=0) for p in partials)
    upper = np.triu_indices(second.shape[1], 1)
    for s in second:
        s[upper[1], upper[0]] = s[upper]
    return float(ll), resp_sum, first, second


def assert_same_stats(got, want, rtol=1e-12):
    assert got[0] == pytest.approx(want[0], rel=rtol)
    for g, w in zip(got[1:], want[1:], strict=True):
        scale = max(float(np.abs(w).max()), 1e-300)
        assert float(np.abs(g - w).max()) <= rtol * scale


@pytest.mark.parametrize("n_features", [1, 2, 3, 4, 5, 10, 16, 17])
@pytest.mark.parametrize("n_samples", [1, 255, 256, 257, 700])
@pytest.mark.parametrize("specialise", [True, False])
def test_kernel_equals_numpy(n_features, n_samples, specialise):
    X, means, prec, log_norm = random_problem(n_samples, n_features, 3, seed=n_features)
    kernel = estep._estep_kernel(n_features, specialise)
    got = summed(kernel(X, means, prec, log_norm))
    want = estep._estep_stats_numpy(X, means, prec, log_norm)
    assert_same_stats(got, want)


def test_one_component():
    X, means, prec, log_norm = random_problem(300, 2, 1)
    got = estep.estep_stats(X, means, prec, log_norm, "numba")
    assert got[1][0] == pytest.approx(300.0, rel=1e-14)
    assert_same_stats(got, estep._estep_stats_numpy(X, means, prec, log_norm))


@pytest.mark.parametrize("n_features", [2, 7, 20])
def test_far_components_are_skipped_exactly(n_features):
    """Clusters far apart, rows sorted by cluster: most blocks give most components
    responsibilities below exp(-100) of the best, which the kernel skips. The sums still
    equal the reference's, and a component far from every point sums to exactly 0."""
    rng = np.random.default_rng(3)
    centres = np.arange(4)[:, None] * 40.0 * np.ones(n_features)
    labels = np.repeat(np.arange(4), 600)
    X = centres[labels] + rng.normal(size=(labels.size, n_features))
    means = np.vstack([centres, np.full((1, n_features), 1e4)])
    prec = np.broadcast_to(np.eye(n_features), (5, n_features, n_features)).copy()
    log_norm = np.full(5, -np.log(5.0))
    got = estep.estep_stats(X, means, prec, log_norm, "numba")
    want = estep._estep_stats_numpy(X, means, prec, log_norm)
    assert_same_stats(got, want)
    assert got[1][4] == 0.0
    np.testing.assert_allclose(got[1][:4], 600.0, rtol=1e-13)


def test_weight_zero_component():
    """A component of weight 0 (log weight -inf) has responsibility 0 everywhere."""
    X, means, prec, log_norm = random_problem(500, 3, 3)
    log_norm[1] = -np.inf
    got = estep.estep_stats(X, means, prec, log_norm, "numba")
    assert got[1][1] == 0.0
    assert_same_stats(got, estep._estep_stats_numpy(X, means, prec, log_norm))


def separated_blobs(n_samples, n_features=2, n_centres=6, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-30, 30, (n_centres, n_features))
    labels = rng.integers(0, n_centres, n_samples)
    return centres[labels] + rng.normal(size=(n_samples, n_features))


def test_rows_grouped_by_nearest_mean():
    X = separated_blobs(dispatch.GROUP_MIN_ROWS + 5)
    means = X[:6].copy()
    grouped = dispatch.rows_grouped_by_nearest_mean(X, means, "numba")
    assert grouped is not X
    # the same rows, now in runs of one nearest mean each
    np.testing.assert_array_equal(np.sort(grouped, axis=0), np.sort(X, axis=0))
    labels = np.argmin(((grouped[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
    assert np.all(np.diff(labels) >= 0)


@pytest.mark.parametrize("case", ["numpy backend", "one component", "few rows", "too large"])
def test_rows_left_as_given(case, monkeypatch):
    X = separated_blobs(dispatch.GROUP_MIN_ROWS + 5)
    means, backend = X[:6].copy(), "numba"
    if case == "numpy backend":
        backend = "numpy"
    elif case == "one component":
        means = means[:1]
    elif case == "few rows":
        X = X[: dispatch.GROUP_MIN_ROWS - 1]
    else:
        monkeypatch.setattr(dispatch, "GROUP_MAX_BYTES", X.nbytes - 1)
    assert dispatch.rows_grouped_by_nearest_mean(X, means, backend) is X


def init_params_for(X, n_components):
    return initialise(X, n_components, init_params="random_from_data", random_state=0)


def test_grouped_run_equals_the_reference():
    """A run long enough to be grouped gives what the numpy reference (rows as given,
    nothing skipped) gives, iteration by iteration."""
    X = separated_blobs(3 * dispatch.GROUP_MIN_ROWS)
    initial = init_params_for(X, 6)
    fast = list(iter_em(X, initial, max_iter=8, tol=0.0, backend="numba"))
    slow = list(iter_em(X, initial, max_iter=8, tol=0.0, backend="numpy"))
    assert len(fast) == len(slow) == 9
    for a, b in zip(fast, slow, strict=True):
        assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-12)
        np.testing.assert_allclose(a.params.means, b.params.means, rtol=0, atol=1e-10)
        np.testing.assert_allclose(a.params.covariances, b.params.covariances, atol=1e-10)


BACKGROUND = """
import time
import numpy as np
from gmmviz.core import backend
from gmmviz.core._kernels import estep

backend.start_warm_up()
backend.join_warm_up()
assert {1, 2} <= estep._ready  # the warm-up made the general and the two-feature kernels
rng = np.random.default_rng(0)
X = rng.normal(size=(3000, 5))
means = X[:3].copy()
prec = np.ascontiguousarray(np.broadcast_to(np.eye(5), (3, 5, 5)))
log_norm = np.full(3, -np.log(3.0))
first = estep.estep_stats(X, means, prec, log_norm, "numba")  # answered at once
assert 5 in estep._compiling
deadline = time.time() + 240
while 5 not in estep._ready and time.time() < deadline:
    time.sleep(0.1)
assert 5 in estep._ready, "the five-feature kernel never became ready"
second = estep.estep_stats(X, means, prec, log_norm, "numba")  # now the compiled one
assert abs(first[0] - second[0]) <= 1e-12 * abs(second[0])
for a, b in zip(first[1:], second[1:]):
    assert np.abs(a - b).max() <= 1e-12 * np.abs(b).max()
"""


def test_the_app_compiles_a_new_feature_count_in_the_background():
    """After the app's warm-up, a feature count met for the first time is answered by the
    general kernel at once while its own compiles on a thread; then the own one serves,
    with the same numbers to rounding."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", BACKGROUND], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def test_a_script_compiles_at_once():
    """Without a warm-up (a script using the library) the kernel for the data's own
    feature count runs from the first call: every run takes the same path."""
    if core_backend.warm_up_started():
        pytest.skip("an earlier test of this process started the app's warm-up")
    X, means, prec, log_norm = random_problem(300, 6, 2)
    estep.estep_stats(X, means, prec, log_norm, "numba")
    assert 6 not in estep._compiling
