"""EM on Dask arrays (gmmviz.core.distributed) equals EM in memory."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

from gmmviz.core import GaussianMixture, initialise, iter_em
from gmmviz.core.distributed import dask_e_step, from_npy, iter_em_dask
from gmmviz.core.em import e_step

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


@pytest.fixture(scope="module")
def client():
    """A small in-process cluster; every compute below runs on its two workers."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def blobs(n: int = 3000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [5.0, 1.0], [1.0, 6.0]])
    X = centres[rng.integers(0, 3, n)] + rng.normal(size=(n, 2)) @ np.array([[1, 0.3], [0, 0.7]])
    return X


def test_e_step_stats_add_over_blocks(client):
    X = blobs()
    params = initialise(X, 3, random_state=0)
    whole = e_step(X, params)
    blocked = dask_e_step(da.from_array(X, chunks=(211, 2)), params)
    assert blocked.stats.n == X.shape[0]
    np.testing.assert_allclose(blocked.log_likelihood, whole.log_likelihood, rtol=1e-12)
    np.testing.assert_allclose(blocked.stats.resp_sum, whole.stats.resp_sum, rtol=1e-12)
    np.testing.assert_allclose(blocked.stats.second, whole.stats.second, rtol=1e-11)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_iter_em_dask_same_snapshots(client, covariance_type):
    X = blobs(seed=1)
    initial = initialise(X, 3, covariance_type=covariance_type, random_state=1)
    here = list(iter_em(X, initial, tol=1e-6, max_iter=50))
    there = list(iter_em_dask(da.from_array(X, chunks=(500, 2)), initial, 1e-6, 1e-6, 50))
    assert [(s.iteration, s.phase, s.converged) for s in here] == [
        (s.iteration, s.phase, s.converged) for s in there
    ]
    np.testing.assert_allclose(
        [s.log_likelihood for s in there], [s.log_likelihood for s in here], atol=1e-10
    )
    np.testing.assert_allclose(there[-1].covariances, here[-1].covariances, atol=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fit_equals_in_memory(client, covariance_type):
    X = blobs(seed=2)
    options = dict(covariance_type=covariance_type, random_state=3, n_init=2, tol=1e-5)
    here = GaussianMixture(3, **options).fit(X)
    dX = da.from_array(X, chunks=(700, 2))
    there = GaussianMixture(3, **options).fit(dX)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(there, name), getattr(here, name), atol=1e-10)
    assert abs(there.lower_bound_ - here.lower_bound_) < 1e-10
    assert (there.n_iter_, there.converged_) == (here.n_iter_, here.converged_)

    proba = there.predict_proba(dX)
    assert isinstance(proba, da.Array)  # lazy
    np.testing.assert_allclose(proba.compute(), here.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(there.predict(dX).compute(), here.predict(X))
    np.testing.assert_allclose(there.score_samples(dX).compute(), here.score_samples(X), atol=1e-10)
    np.testing.assert_array_equal(there.fit_predict(dX).compute(), here.fit_predict(X))


def test_warm_start_continues(client):
    X = blobs(seed=4)
    here = GaussianMixture(3, random_state=0, warm_start=True, max_iter=2)
    there = GaussianMixture(3, random_state=0, warm_start=True, max_iter=2)
    dX = da.from_array(X, chunks=(1000, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two iterations: may or may not converge
        for _ in range(2):
            here.fit(X)
            there.fit(dX)
    np.testing.assert_allclose(there.means_, here.means_, atol=1e-10)
    assert abs(there.lower_bound_ - here.lower_bound_) < 1e-10


def test_feature_mismatch_is_an_error(client):
    model = GaussianMixture(2, random_state=0).fit(blobs())
    with pytest.raises(ValueError, match="features"):
        model.predict(da.zeros((10, 3), chunks=5))


def test_numpy_fit_never_imports_dask():
    code = (
        "import sys, numpy as np\n"
        "from gmmviz.core import GaussianMixture\n"
        "X = np.random.default_rng(0).normal(size=(200, 2))\n"
        "m = GaussianMixture(2, random_state=0).fit(X)\n"
        "m.predict(X); m.predict_proba(X); m.score_samples(X)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_out_of_core_npy(client, tmp_path):
    rng = np.random.default_rng(5)
    n = 2_000_000
    path = tmp_path / "X.npy"
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, 2))
    truth = np.array([[-3.0, 0.0], [3.0, 1.0]])
    for start in range(0, n, 500_000):  # written in slices, never whole in memory
        stop = start + 500_000
        X[start:stop] = truth[rng.integers(0, 2, stop - start)] + rng.normal(size=(stop - start, 2))
    X.flush()
    del X

    dX = from_npy(path, rows_per_block=250_000)
    assert dX.shape == (n, 2) and dX.numblocks == (8, 1)
    # The graph names the file, it does not carry the data (32 MB).
    assert len(pickle.dumps(dict(dX.__dask_graph__()))) < 100_000
    start = dict(weights_init=[0.5, 0.5], means_init=[[-1.0, 0.0], [1.0, 0.0]])
    model = GaussianMixture(2, covariance_type="diag", init_params="random_from_data", **start)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Sending large graph")
        model.fit(dX)
        labels = model.predict(dX)

    order = np.argsort(model.means_[:, 0])
    np.testing.assert_allclose(model.means_[order], truth, atol=0.01)
    np.testing.assert_allclose(model.covariances_, 1.0, atol=0.01)
    np.testing.assert_allclose(model.weights_, 0.5, atol=0.01)
    assert model.converged_
    assert isinstance(labels, da.Array) and labels.shape == (n,)
    counts = np.bincount(labels[:250_000].compute(), minlength=2)
    assert counts.min() > 0.45 * 250_000


def test_from_array_memmap_threaded(tmp_path):
    """``from_array`` over a memory map works too, with the threaded scheduler."""
    X = blobs(seed=6)
    np.save(tmp_path / "X.npy", X)
    dX = da.from_array(np.load(tmp_path / "X.npy", mmap_mode="r"), chunks=(1000, 2))
    with dask.config.set(scheduler="threads"):
        there = GaussianMixture(3, random_state=0).fit(dX)
    here = GaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_allclose(there.means_, here.means_, atol=1e-10)
