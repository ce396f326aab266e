"""EM over a Dask array: the E-step runs per row block on the workers, the M-step here.

The sufficient statistics of :func:`gmmviz.core.em.e_step` are sums taken around the
means being evaluated, the same shift for every block, so the blocks' statistics add
(:meth:`gmmviz.core.gaussian.SufficientStats.__add__`) to those of the whole array: the
M-step on the client sees exactly what it would see in memory. Only ``K x d x d`` numbers
per block travel back; the data stay where they are (a memory-mapped file, a cluster).

Dask is imported lazily, when a Dask array is actually given: fitting numpy arrays never
imports it (``pip install gmmviz[dask]`` for this module's work).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from functools import partial, reduce
from operator import add
from typing import TYPE_CHECKING, Any

import numpy as np

from gmmviz.core.em import EMStep, EStepResult, MixtureParams, as_data, e_step, iter_em
from gmmviz.core.init import check_random_state, initialise

if TYPE_CHECKING:
    from gmmviz.core.mixture import GaussianMixture

__all__ = [
    "INIT_SAMPLE_ROWS",
    "dask_e_step",
    "fit_dask",
    "from_npy",
    "is_dask_array",
    "iter_em_dask",
    "predict_dask",
]

#: Rows computed into memory to initialise a fit on a Dask array (all of them if fewer).
INIT_SAMPLE_ROWS = 100_000


def is_dask_array(X: Any) -> bool:
    """Whether ``X`` is a Dask collection, without importing Dask."""
    return type(X).__module__.startswith("dask")


def _read_rows(path: str, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of an NPY file, read through a memory map (on a worker)."""
    return np.array(np.load(path, mmap_mode="r")[start:stop])


def from_npy(path: str | os.PathLike, rows_per_block: int = 1_000_000) -> Any:
    """A Dask array over an NPY file, each row block read by the task that needs it.

    Unlike ``dask.array.from_array(np.load(path, mmap_mode="r"))``, whose graph carries
    the memory map (a ``distributed`` scheduler pickles it, data and all), the graph here
    holds the path only: nothing is read until a block is computed, on its worker.

    Parameters
    ----------
    path : str or path-like
        A 2-D ``.npy`` file visible to every worker.
    rows_per_block : int

    Returns
    -------
    dask.array.Array of shape (N, d), chunked ``(rows_per_block, d)``
    """
    import dask
    import dask.array as da

    path = os.fspath(path)
    header = np.load(path, mmap_mode="r")  # reads the header only
    n_rows, shape, dtype = header.shape[0], header.shape[1:], header.dtype
    del header
    blocks = [
        da.from_delayed(
            dask.delayed(_read_rows, pure=True)(path, start, min(start + rows_per_block, n_rows)),
            shape=(min(start + rows_per_block, n_rows) - start, *shape),
            dtype=dtype,
        )
        for start in range(0, n_rows, rows_per_block)
    ]
    return da.concatenate(blocks, axis=0)


def _row_blocks(X: Any) -> Any:
    """``X`` checked (2-D, float) with every row block holding all the columns."""
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})
    return X


def _block_stats(block: np.ndarray, params: MixtureParams, backend: str | None) -> EStepResult:
    """One block's E-step (on a worker); its statistics are around ``params.means``."""
    return e_step(as_data(block), params, backend)


def _sum_results(results: list[EStepResult]) -> EStepResult:
    stats = reduce(add, (r.stats for r in results))
    return EStepResult(stats.mean_log_likelihood, stats)


def dask_e_step(X: Any, params: MixtureParams, backend: str | None = None) -> EStepResult:
    """:func:`gmmviz.core.em.e_step` over a Dask array, one task per row block.

    Parameters
    ----------
    X : dask.array.Array of shape (N, d)
        Chunked along rows (column chunks are merged).
    params : MixtureParams
    backend : {'numba', 'numpy'}, optional
        Kernel used on the workers.

    Returns
    -------
    EStepResult
        Equal to ``e_step(X.compute(), params)`` up to the order of the sums. Computed with
        the current Dask scheduler (a ``distributed.Client`` when one is active).
    """
    import dask

    X = _row_blocks(X)
    shipped = dask.delayed(params, pure=True)  # sent once, not once per block
    parts = [
        dask.delayed(_block_stats, pure=True)(block, shipped, backend)
        for block in X.to_delayed().ravel()
    ]
    while len(parts) > 1:  # a tree of sums on the workers; one result comes back
        parts = [
            dask.delayed(_sum_results, pure=True)(parts[i : i + 8]) for i in range(0, len(parts), 8)
        ]
    (result,) = dask.compute(parts[0])
    return result


def iter_em_dask(
    X: Any,
    initial: MixtureParams,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    max_iter: int = 100,
    *,
    backend: str | None = None,
    previous_lower_bound: float = -math.inf,
    evaluate_last: bool = True,
) -> Iterator[EMStep]:
    """:func:`gmmviz.core.em.iter_em` over a Dask array: same snapshots, same stopping rule.

    Each iteration computes one :func:`dask_e_step` (a pass over the blocks on the
    workers) and one M-step on the client; the loop and scikit-learn's convergence test
    are :func:`iter_em`'s own.

    Parameters
    ----------
    X : dask.array.Array of shape (N, d)
    initial : MixtureParams
    tol, reg_covar, max_iter, backend, previous_lower_bound, evaluate_last
        As :func:`gmmviz.core.em.iter_em`.

    Yields
    ------
    EMStep
    """
    X = _row_blocks(X)
    if X.shape[1] != initial.n_features:
        raise ValueError(
            f"X has {X.shape[1]} features but the parameters have {initial.n_features}"
        )
    yield from iter_em(
        None,
        initial,
        tol=tol,
        reg_covar=reg_covar,
        max_iter=max_iter,
        backend=backend,
        previous_lower_bound=previous_lower_bound,
        evaluate_last=evaluate_last,
        estep=partial(dask_e_step, X, backend=backend),
    )


def init_sample(X: Any, rng: np.random.RandomState, max_rows: int = INIT_SAMPLE_ROWS):
    """Rows of ``X`` computed to memory for the initialisation; shape (min(N, max_rows), d).

    All the rows when ``N <= max_rows`` (so the start is the in-memory fit's), else a
    random sample of ``max_rows`` rows in their order, drawn from ``rng``.
    """
    n_rows = X.shape[0]
    if n_rows <= max_rows:
        return as_data(X.compute(), min_samples=2)
    rows = np.sort(rng.choice(n_rows, size=max_rows, replace=False))
    return as_data(X[rows].compute(), min_samples=2)


def fit_dask(model: GaussianMixture, X: Any) -> None:
    """Fit ``model`` (a :class:`GaussianMixture`) on a Dask array, as ``model.fit`` does.

    Each of ``n_init`` initialisations comes from :func:`init_sample` and
    :func:`gmmviz.core.init.initialise`; EM runs with :func:`iter_em_dask`; the run with
    the best lower bound is kept. ``warm_start`` continues from the fitted parameters.
    """

    from gmmviz.core._sklearn_compat import (
        check_initial_arrays,
        validate_params,
    )
    from gmmviz.core.mixture import GaussianMixture

    validate_params(model)
    X = _row_blocks(X)
    n_rows, n_features = X.shape
    if n_rows < max(2, model.n_components):
        raise ValueError(
            "Expected n_samples >= n_components but got "
            f"n_components = {model.n_components}, n_samples = {n_rows}"
        )
    check_initial_arrays(model, model.n_components, n_features, model.covariance_type)
    options = dict(
        tol=model.tol, reg_covar=model.reg_covar, max_iter=model.max_iter,
        backend=model.backend, evaluate_last=False,
    )  # fmt: skip
    warm = model.warm_start and hasattr(model, "converged_")
    if warm:
        runs = [list(iter_em_dask(X, model.params_, previous_lower_bound=model.lower_bound_,
                                  **options))]  # fmt: skip
    else:
        rng = check_random_state(model.random_state)
        sample = init_sample(X, rng)
        runs = []
        for _ in range(model.n_init):
            initial = initialise(
                sample, model.n_components, covariance_type=model.covariance_type,
                init_params=model.init_params, reg_covar=model.reg_covar, random_state=rng,
                weights_init=model.weights_init, means_init=model.means_init,
                precisions_init=model.precisions_init, backend=model.backend,
            )  # fmt: skip
            runs.append(list(iter_em_dask(X, initial, **options)))
    fitted = [GaussianMixture.from_steps(run) for run in runs]
    model._adopt_best(fitted, n_features, keep_bound=warm and model.max_iter == 0)


def _apply(block: np.ndarray, model: GaussianMixture, method: str) -> np.ndarray:
    return getattr(model, method)(block)


def predict_dask(model: GaussianMixture, X: Any, method: str) -> Any:
    """``model.<method>`` (``predict``, ``predict_proba``, ``score_samples``) as a lazy Dask
    array, block by block with the in-memory method.

    Returns
    -------
    dask.array.Array
        ``predict``: shape (N,) int; ``score_samples``: (N,) float64;
        ``predict_proba``: (N, K) float64.
    """
    model._check_fitted()
    X = _row_blocks(X)
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(model).__name__} is expecting "
            f"{model.n_features_in_} features as input."
        )
    fn = partial(_apply, model=model, method=method)
    if method == "predict_proba":
        return X.map_blocks(fn, dtype=np.float64, chunks=(X.chunks[0], (model.n_components,)))
    dtype = np.intp if method == "predict" else np.float64
    return X.map_blocks(fn, dtype=dtype, drop_axis=1, chunks=(X.chunks[0],))
