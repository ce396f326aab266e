"""EM for Gaussian mixtures as observable steps: parameters, E-step, M-step, snapshots.

The loop is split so that every piece can be watched or reused on its own:

* :class:`MixtureParams` — one immutable set of mixture parameters;
* :func:`e_step` — mean log-likelihood of the parameters and the sufficient statistics of
  the responsibilities (one fused pass, no N x K array);
* :func:`m_step` — new parameters from sufficient statistics;
* :func:`iter_em` — a generator of :class:`EMStep` snapshots, one per iteration;
* :func:`iter_half_steps` — the same run with the E- and M-steps as separate snapshots.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from gmmviz.core._kernels import dispatch as kernels
from gmmviz.core._kernels.summary import PointSummary, point_summary_arrays
from gmmviz.core.backend import resolve_backend
from gmmviz.core.gaussian import (
    SufficientStats,
    as_full_stack,
    check_covariance_type,
    compute_precision_cholesky,
    log_det_cholesky,
    parameters_from_stats,
    stats_from_responsibilities,
)

LOG_2PI = math.log(2.0 * math.pi)


def _frozen(array: np.ndarray) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class MixtureParams:
    """One set of Gaussian mixture parameters; arrays are read-only copies.

    Attributes
    ----------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, d)
    covariances : ndarray
        full (K, d, d), tied (d, d), diag (K, d), spherical (K,) — scikit-learn's shapes.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    precisions_cholesky : ndarray, shape as ``covariances``
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str
    precisions_cholesky: np.ndarray

    @classmethod
    def from_covariances(
        cls,
        weights: np.ndarray,
        means: np.ndarray,
        covariances: np.ndarray,
        covariance_type: str,
        precisions_cholesky: np.ndarray | None = None,
    ) -> MixtureParams:
        """Build parameters, computing the precision Cholesky factors unless given.

        Raises
        ------
        ValueError
            If a covariance is not positive definite.
        """
        check_covariance_type(covariance_type)
        if precisions_cholesky is None:
            precisions_cholesky = compute_precision_cholesky(covariances, covariance_type)
        return cls(
            _frozen(weights),
            _frozen(means),
            _frozen(covariances),
            covariance_type,
            _frozen(precisions_cholesky),
        )

    @property
    def n_components(self) -> int:
        return self.means.shape[0]

    @property
    def n_features(self) -> int:
        return self.means.shape[1]

    def full_covariances(self) -> np.ndarray:
        """Covariances as a ``(K, d, d)`` stack whatever the type (for drawing, sampling)."""
        return as_full_stack(
            self.covariances, self.covariance_type, self.n_components, self.n_features
        )

    def kernel_inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(means (K, d), precision Cholesky stack (K, d, d), log_norm (K,))`` for kernels.

        ``log_norm[k] = log wₖ + log det Pₖ - d/2 log 2π``; computed once per parameters.
        """
        return self._kernel_inputs

    @cached_property
    def _kernel_inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # cached_property writes the instance __dict__ directly, so the dataclass stays
        # frozen and no mutable field is carried; params never change, so neither does this.
        n_components, n_features = self.n_components, self.n_features
        prec_stack = as_full_stack(
            self.precisions_cholesky, self.covariance_type, n_components, n_features
        )
        log_det = np.broadcast_to(
            log_det_cholesky(self.precisions_cholesky, self.covariance_type, n_features),
            (n_components,),
        )
        with np.errstate(divide="ignore"):  # a zero weight is a valid -inf
            log_weights = np.log(self.weights)
        log_norm = log_weights + log_det - 0.5 * n_features * LOG_2PI
        return (
            np.ascontiguousarray(self.means),
            prec_stack,
            np.ascontiguousarray(log_norm, dtype=np.float64),
        )


@dataclass(frozen=True, eq=False)
class EStepResult:
    """What an E-step found for one set of parameters.

    Attributes
    ----------
    log_likelihood : float
        Mean per-sample log-likelihood of the data under the parameters
        (``stats.ll_sum / stats.n``).
    stats : SufficientStats
        Sufficient statistics of the responsibilities, around the parameters' means; they
        add across chunks of the data (``sum(e_step(c, p).stats for c in chunks)``).
    """

    log_likelihood: float
    stats: SufficientStats


@dataclass(frozen=True, eq=False)
class EMStep:
    """Immutable snapshot of EM after one iteration (iteration 0 is the initial state).

    Attributes
    ----------
    iteration : int
        Number of M-steps that produced ``params``.
    params : MixtureParams
    log_likelihood : float
        Mean per-sample log-likelihood of the data under ``params``.
    change : float
        ``log_likelihood`` minus the previous step's (NaN at iteration 0).
    converged : bool
        scikit-learn's test, one M-step late: the change of the *previous* snapshot's
        log-likelihood (its lower bound) was below ``tol``, and this snapshot holds the
        M-step taken from it. So the converged snapshot is exactly ``fit``'s model.
    phase : {'init', 'E', 'M', 'EM'}
        ``'init'``: the starting parameters; ``'EM'``: a full iteration (M-step, then the
        E-step that evaluates its parameters); half-steps: ``'M'`` (new parameters, not yet
        evaluated: ``log_likelihood`` and ``change`` are NaN) and ``'E'`` (the same
        parameters evaluated).
    restart : int
        Index of the initialisation in :func:`gmmviz.core.restarts.iter_restarts` (0 else).
    seed : int or None
        The ``random_state`` of the run, when it was an int.
    resp_params : MixtureParams or None
        For an ``'M'`` half-step: the parameters whose responsibilities (the E-step before
        it) this M-step used, so a picture can keep the points' colours while the
        ellipses move. ``None`` otherwise.
    """

    iteration: int
    params: MixtureParams
    log_likelihood: float
    change: float
    converged: bool
    phase: str = "EM"
    restart: int = 0
    seed: int | None = None
    resp_params: MixtureParams | None = None

    @property
    def weights(self) -> np.ndarray:
        return self.params.weights

    @property
    def means(self) -> np.ndarray:
        return self.params.means

    @property
    def covariances(self) -> np.ndarray:
        return self.params.covariances

    @property
    def covariance_type(self) -> str:
        return self.params.covariance_type


def as_data(X, *, min_samples: int = 1, name: str = "X") -> np.ndarray:
    """Validate data for the core: a finite, non-empty 2-D float64 C-contiguous array.

    Raises
    ------
    ValueError
        Naming what is wrong: not numeric, not 2-D, empty, NaN or infinite values; and,
        when fitting (``min_samples >= 2``), values so spread that their squares overflow.
    """
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array; could not convert it to float") from None
    if arr.ndim != 2:
        hint = " (reshape a single feature with X.reshape(-1, 1))" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D (n_samples, n_features); got shape {arr.shape}{hint}")
    if arr.shape[0] < min_samples or arr.shape[1] < 1:
        raise ValueError(
            f"{name} needs at least {min_samples} sample(s) and 1 feature; got shape {arr.shape}"
        )
    # Two fast reductions answer both questions: min and max propagate NaN and show
    # infinities, and their distance bounds every column's spread.
    lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        bad_rows = int((~np.isfinite(arr).all(axis=1)).sum())
        raise ValueError(
            f"{name} contains NaN or infinite values in {bad_rows} row(s); "
            "remove or impute them first"
        )
    if min_samples >= 2 and (hi - lo > _MAX_SPREAD or max(-lo, hi) > _MAX_ABS):
        _check_fit_scale(arr, name)  # fitting: covariances square the data's spread
    return np.ascontiguousarray(arr)


# Beyond these, a covariance (a spread squared) or a sum of values overflows float64.
_MAX_SPREAD = 1e150
_MAX_ABS = 1e300


def _check_fit_scale(arr: np.ndarray, name: str) -> None:
    """``ValueError`` when fitting ``arr`` (N, d) would overflow: spreads whose squares
    exceed float64, or values so large that their sum does (columns far apart are fine)."""
    spread = float(np.max(np.ptp(arr, axis=0)))
    largest = float(np.max(np.abs(arr)))
    if spread > _MAX_SPREAD or largest > _MAX_ABS:
        raise ValueError(
            f"{name} has values too large to fit (spread {spread:.3g}, largest {largest:.3g}): "
            f"their squares overflow float64. Scale the data first (e.g. divide by {spread:.0e})"
        )


def e_step(X: np.ndarray, params: MixtureParams, backend: str | None = None) -> EStepResult:
    """Evaluate ``params`` on ``X``: mean log-likelihood and sufficient statistics.

    Parameters
    ----------
    X : ndarray of shape (N, d), validated by :func:`as_data`
    params : MixtureParams
    backend : {'numba', 'numpy'}, optional
        The kernel for the covariance type is chosen by :mod:`gmmviz.core._kernels.dispatch`
        (for diag and spherical only the diagonal of ``stats.second`` is computed).
    """
    means, prec, log_norm = params.kernel_inputs()
    ll_sum, resp_sum, first, second = kernels.estep_stats(
        X, means, prec, log_norm, backend, params.covariance_type
    )
    stats = SufficientStats(X.shape[0], resp_sum, np.array(means), first, second, ll_sum)
    return EStepResult(stats.mean_log_likelihood, stats)


def m_step(stats: SufficientStats, covariance_type: str, reg_covar: float) -> MixtureParams:
    """New parameters from sufficient statistics (scikit-learn's M-step).

    Raises
    ------
    ValueError
        If a component collapsed so that its covariance is not positive definite even
        with ``reg_covar`` added.
    """
    weights, means, covariances = parameters_from_stats(stats, covariance_type, reg_covar)
    return MixtureParams.from_covariances(weights, means, covariances, covariance_type)


def params_from_responsibilities(
    X: np.ndarray, resp: np.ndarray, covariance_type: str, reg_covar: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (unnormalised by ``Σ nk``, divided by N as scikit-learn's initialisation),
    means and covariances from explicit responsibilities ``(N, K)``."""
    stats = stats_from_responsibilities(X, resp)  # around each component's own mean
    _, means, covariances = parameters_from_stats(stats, covariance_type, reg_covar)
    nk = stats.resp_sum + 10 * np.finfo(np.float64).eps
    if covariance_type == "tied":
        covariances = tied_covariance_around_centre(X, means, nk, reg_covar)
    return nk / X.shape[0], means, covariances


def tied_covariance_around_centre(
    X: np.ndarray, means: np.ndarray, nk: np.ndarray, reg_covar: float
) -> np.ndarray:
    """scikit-learn's tied start ``(XᵀX - Σₖ nₖ μₖμₖᵀ) / Σ nₖ + reg_covar I``, computed
    around the data centre.

    It equals the pooled scatter only when every row of the responsibilities sums to one.
    The one-hot starts of k-means++ and random_from_data mark K rows only, giving a broad
    covariance; this keeps that start. With ``c`` the data centre the last terms vanish when
    the rows sum to one.

    Parameters
    ----------
    X : ndarray of shape (N, d)
    means : ndarray of shape (K, d)
    nk : ndarray of shape (K,)
        Responsibility sums (with scikit-learn's ``10 * eps``).
    reg_covar : float

    Returns
    -------
    covariance : ndarray of shape (d, d)
    """
    centre = X.mean(axis=0)
    centred_X = X - centre
    centred_means = means - centre
    scatter = centred_X.T @ centred_X - (nk[:, None] * centred_means).T @ centred_means
    mass = nk @ means  # Σₖ nₖ μₖ
    scatter += (X.shape[0] + nk.sum()) * np.outer(centre, centre)
    scatter -= np.outer(centre, mass) + np.outer(mass, centre)
    covariances = scatter / nk.sum()
    covariances.flat[:: X.shape[1] + 1] += reg_covar
    return covariances


def log_prob_matrix(X: np.ndarray, params: MixtureParams, backend: str | None = None) -> np.ndarray:
    """``log wₖ + log N(xᵢ | μₖ, Σₖ)``; shape (N, K)."""
    means, prec, log_norm = params.kernel_inputs()
    return kernels.weighted_log_prob(X, means, prec, log_norm, backend, params.covariance_type)


def responsibilities(X, params: MixtureParams, backend: str | None = None) -> np.ndarray:
    """Posterior probability of each component for each point; shape (N, K), rows sum to 1."""
    X = as_data(X)
    wlp = log_prob_matrix(X, params, backend)
    lse = kernels.log_sum_exp_rows(wlp)
    with np.errstate(under="ignore"):
        return np.exp(wlp - lse[:, None])


def point_summary(
    X: np.ndarray,
    params: MixtureParams,
    table: np.ndarray,
    component: int,
    labels_only: bool = False,
    backend: str | None = None,
) -> PointSummary:
    """Hard labels, responsibility-weighted table rows and one membership, in one pass.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64
    params : MixtureParams
    table : ndarray of shape (K, 3)
        A row per component (the palette, 0..255, for the canvas's colours).
    component : int
        The component whose responsibility goes into ``member`` (clipped to 0..K-1).
    labels_only : bool
        Compute the hard labels only (no ``exp``: half the cost); ``blend`` and ``member``
        are then empty.
    backend : {'numba', 'numpy'} or None
        ``None``: numba for large ``N`` once :func:`gmmviz.core.backend.numba_ready`.

    Returns
    -------
    PointSummary
        ``labels`` (N,) int32, ``blend`` (N, 3) float32 = ``Σₖ rᵢₖ tableₖ``, ``member`` (N,)
        float32 = ``rᵢⱼ``.
    """
    component = int(min(max(component, 0), params.n_components - 1))
    return point_summary_arrays(
        X, params.kernel_inputs(), table, component, labels_only=labels_only, backend=backend
    )


def _check_run(X, initial: MixtureParams) -> np.ndarray:
    X = as_data(X)
    if X.shape[1] != initial.n_features:
        raise ValueError(
            f"X has {X.shape[1]} features but the parameters have {initial.n_features}"
        )
    return X


def iter_half_steps(
    X,
    initial: MixtureParams,
    *,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    max_iter: int = 100,
    backend: str | None = None,
    previous_lower_bound: float = -math.inf,
    evaluate_last: bool = True,
    estep: Callable[[MixtureParams], EStepResult] | None = None,
) -> Iterator[EMStep]:
    """Run EM from ``initial`` and yield the E-step and the M-step as separate snapshots.

    The sequence is ``init(0), E(0), M(1), E(1), M(2), E(2), ..., M(n)[, E(n)]``: ``E(i)``
    evaluates the parameters of iteration ``i`` (their mean log-likelihood, the lower bound
    of scikit-learn's iteration ``i + 1``), and ``M(i + 1)`` is the M-step from it.
    ``M(n)`` is marked converged when ``|E(n-1) - E(n-2)| < tol`` (with
    ``previous_lower_bound`` before ``E(0)``), exactly where scikit-learn's ``fit`` stops;
    the run also ends at ``M(max_iter)``.

    Parameters
    ----------
    X : array-like of shape (N, d)
    initial : MixtureParams
    tol : float
        Converged when the mean log-likelihood changes by less than this.
    reg_covar : float
        Added to the covariance diagonals.
    max_iter : int
        Number of M-steps at most.
    backend : {'numba', 'numpy'}, optional
    previous_lower_bound : float
        The lower bound before ``E(0)`` (a warm start continues from its last one).
    evaluate_last : bool
        Evaluate the final parameters (``E(n)``). ``fit`` skips it, as scikit-learn does.
    estep : callable, optional
        ``estep(params) -> EStepResult`` replacing :func:`e_step` on ``X`` (``X`` is then
        not read): e.g. the E-step over the blocks of a Dask array,
        :func:`gmmviz.core.distributed.iter_em_dask`.

    Yields
    ------
    EMStep
        Phases ``'init'``, ``'E'``, ``'M'``. Every snapshot is complete: closing the
        generator early loses nothing.
    """
    resolve_backend(backend)  # validate before any work
    if estep is None:
        # grouped once per run, so that the kernels skip far components block by block
        rows = kernels.rows_grouped_by_nearest_mean(_check_run(X, initial), initial.means, backend)
        estep = lambda p: e_step(rows, p, backend)  # noqa: E731
    params = initial
    yield EMStep(0, params, math.nan, math.nan, False, phase="init")
    lower_bound = previous_lower_bound
    for iteration in range(max_iter + 1):
        evaluation = estep(params)
        ll = evaluation.log_likelihood
        change = ll - lower_bound
        yield EMStep(iteration, params, ll, change if iteration else math.nan, False, phase="E")
        if iteration == max_iter:
            return
        # scikit-learn's iteration n+1: the lower bound is this E-step's, then the M-step.
        converged = abs(change) < tol
        lower_bound = ll
        evaluated, params = params, m_step(evaluation.stats, params.covariance_type, reg_covar)
        last = converged or iteration + 1 == max_iter
        yield EMStep(
            iteration + 1, params, math.nan, math.nan, converged, phase="M",
            resp_params=evaluated,
        )  # fmt: skip
        if last:
            if evaluate_last:
                final = estep(params).log_likelihood
                yield EMStep(iteration + 1, params, final, final - ll, converged, phase="E")
            return


def iter_em(
    X,
    initial: MixtureParams,
    *,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    max_iter: int = 100,
    backend: str | None = None,
    previous_lower_bound: float = -math.inf,
    evaluate_last: bool = True,
    estep: Callable[[MixtureParams], EStepResult] | None = None,
) -> Iterator[EMStep]:
    """Run EM from ``initial`` and yield a snapshot per iteration.

    Snapshot ``i`` holds the parameters after ``i`` M-steps and their own mean
    log-likelihood (one M-step plus one fused E-pass per snapshot, scikit-learn's cost).
    It is :func:`iter_half_steps` with each ``M(i)`` and ``E(i)`` merged.

    Relation to :meth:`GaussianMixture.fit` (same start and settings): the last snapshot
    ``n`` has ``fit``'s parameters, ``n_iter_ == n`` and ``converged_`` equal to its
    ``converged``; ``fit.lower_bounds_`` are the ``log_likelihood`` of snapshots
    ``0 .. n-1`` (every snapshot but the last), and ``lower_bound_`` that of snapshot
    ``n-1``. See :meth:`GaussianMixture.from_steps`.

    Parameters
    ----------
    X, initial, tol, reg_covar, max_iter, backend, previous_lower_bound, evaluate_last, estep
        As :func:`iter_half_steps`; without ``evaluate_last`` the last snapshot's
        ``log_likelihood`` and ``change`` are NaN.

    Yields
    ------
    EMStep
        Phase ``'init'`` (iteration 0), then ``'EM'``; the generator ends after the
        converged snapshot or after ``max_iter`` iterations.
    """
    pending: EMStep | None = None
    for step in iter_half_steps(
        X,
        initial,
        tol=tol,
        reg_covar=reg_covar,
        max_iter=max_iter,
        backend=backend,
        previous_lower_bound=previous_lower_bound,
        evaluate_last=evaluate_last,
        estep=estep,
    ):
        if step.phase == "init":
            pending = step
        elif step.phase == "M":
            pending = replace(step, phase="EM", resp_params=None)  # a full iteration
        else:  # "E": the pending snapshot's parameters are now evaluated
            yield replace(pending, log_likelihood=step.log_likelihood, change=step.change)
            pending = None
    if pending is not None:  # the last M-step, left unevaluated
        yield pending
