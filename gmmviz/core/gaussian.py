"""Pure functions on Gaussian components, one branch per covariance type.

Shapes follow scikit-learn's ``GaussianMixture`` so that arrays move freely between the two:

============  ==================  ========================================
type          covariances         precisions_cholesky
============  ==================  ========================================
``full``      (K, d, d)           (K, d, d), upper triangular, P Pᵀ = Σ⁻¹
``tied``      (d, d)              (d, d)
``diag``      (K, d)              (K, d), 1 / sqrt(σ²)
``spherical`` (K,)                (K,), 1 / sqrt(σ²)
============  ==================  ========================================

Nothing here keeps state; the EM loop in :mod:`gmmviz.core.em` composes these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gmmviz.core._kernels.linalg import precision_cholesky_stack

COVARIANCE_TYPES: tuple[str, ...] = ("full", "tied", "diag", "spherical")

ILL_DEFINED_COVARIANCE = (
    "Fitting the mixture model failed because some components have ill-defined empirical "
    "covariance (for instance caused by singleton or collapsed samples). Try to decrease the "
    "number of components, increase reg_covar, or scale the input data."
)


def check_covariance_type(covariance_type: str) -> str:
    """Return ``covariance_type`` if it is known, else raise a ``ValueError`` naming the choices."""
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; got {covariance_type!r}"
        )
    return covariance_type


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple:
    """Shape of the covariance (and precision) array for a covariance type."""
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[check_covariance_type(covariance_type)]


def compute_precision_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Cholesky factors of the precision matrices, from covariances.

    Parameters
    ----------
    covariances : ndarray
        Shape as in the module table.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    precisions_cholesky : ndarray
        Same shape as ``covariances``; for full/tied the upper-triangular ``P`` with
        ``P @ P.T`` equal to the inverse covariance.

    Raises
    ------
    ValueError
        If a covariance is not positive definite (a collapsed component).
    """
    covariances = np.asarray(covariances, dtype=np.float64)
    if covariance_type in ("full", "tied"):
        stack = covariances if covariance_type == "full" else covariances[np.newaxis]
        fast = precision_cholesky_stack(stack)
        if fast is not None and np.all(np.isfinite(fast)):
            return fast if covariance_type == "full" else fast[0]
        # LAPACK: the reference, and the judge of a matrix the compiled path refused.
        from scipy import linalg  # here, not at import: scipy costs app start time

        n_features = stack.shape[-1]
        eye = np.eye(n_features)
        out = np.empty_like(stack)
        for k, cov in enumerate(stack):
            try:
                cov_chol = linalg.cholesky(cov, lower=True, check_finite=False)
            except linalg.LinAlgError:
                raise ValueError(ILL_DEFINED_COVARIANCE) from None
            out[k] = linalg.solve_triangular(cov_chol, eye, lower=True, check_finite=False).T
        if not np.all(np.isfinite(out)):
            raise ValueError(ILL_DEFINED_COVARIANCE)
        return out if covariance_type == "full" else out[0]
    check_covariance_type(covariance_type)
    if np.any(~(covariances > 0.0)):
        raise ValueError(ILL_DEFINED_COVARIANCE)
    return 1.0 / np.sqrt(covariances)


def precision_cholesky_from_precisions(precisions: np.ndarray, covariance_type: str) -> np.ndarray:
    """Upper-triangular ``P`` with ``P Pᵀ = Λ`` from precision matrices ``Λ``.

    The Cholesky factor of the row- and column-reversed matrix, reversed back, is upper
    triangular (the same construction as scikit-learn's).

    Parameters
    ----------
    precisions : ndarray
        Shape as the covariances of ``covariance_type``.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    precisions_cholesky : ndarray, same shape
    """
    precisions = np.asarray(precisions, dtype=np.float64)
    if covariance_type in ("full", "tied"):
        stack = precisions if covariance_type == "full" else precisions[np.newaxis]
        out = np.empty_like(stack)
        for k, prec in enumerate(stack):
            flipped = np.linalg.cholesky(prec[::-1, ::-1])
            out[k] = flipped[::-1, ::-1]
        return out if covariance_type == "full" else out[0]
    check_covariance_type(covariance_type)
    return np.sqrt(precisions)


def precisions_from_cholesky(precisions_cholesky: np.ndarray, covariance_type: str) -> np.ndarray:
    """Precision matrices ``P Pᵀ`` (full, tied) or ``P²`` (diag, spherical).

    A subnormal covariance has a precision beyond float64: it is ``inf`` here, as in
    scikit-learn, without a warning (the log-space E-step never uses these matrices)."""
    precisions_cholesky = np.asarray(precisions_cholesky, dtype=np.float64)
    with np.errstate(over="ignore"):
        if covariance_type == "full":
            return np.einsum("kij,klj->kil", precisions_cholesky, precisions_cholesky)
        if covariance_type == "tied":
            return precisions_cholesky @ precisions_cholesky.T
        check_covariance_type(covariance_type)
        return precisions_cholesky**2


def covariances_from_precision_cholesky(
    precisions_cholesky: np.ndarray, covariance_type: str
) -> np.ndarray:
    """Covariances ``(P Pᵀ)⁻¹`` from precision Cholesky factors (used for ``precisions_init``)."""
    precisions_cholesky = np.asarray(precisions_cholesky, dtype=np.float64)
    if covariance_type in ("full", "tied"):
        from scipy import linalg  # here, not at import: scipy costs app start time

        stack = precisions_cholesky if covariance_type == "full" else precisions_cholesky[None]
        # (P Pᵀ)⁻¹ = P⁻ᵀ P⁻¹ ; invert the triangular factor instead of the product.
        inv = np.stack([linalg.inv(p) for p in stack])
        covs = np.einsum("kji,kjl->kil", inv, inv)
        return covs if covariance_type == "full" else covs[0]
    return 1.0 / precisions_cholesky**2


def as_full_stack(
    array: np.ndarray, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    """Covariances (or precision Cholesky factors) of any type as a ``(K, d, d)`` stack.

    Tied matrices are repeated, diagonal ones embedded; used for drawing and sampling, and
    so the fused kernels need one code path (diagonal matrices cost a few multiplications
    by zero at small ``d``).

    Parameters
    ----------
    array : ndarray
        Shape as the covariances of ``covariance_type`` (module table).
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    n_components, n_features : int

    Returns
    -------
    stack : ndarray of shape (K, d, d), C-contiguous, a new array
    """
    cov = np.asarray(array, dtype=np.float64)
    if covariance_type == "full":
        return np.array(cov, order="C")
    if covariance_type == "tied":
        return np.broadcast_to(cov, (n_components, n_features, n_features)).copy()
    check_covariance_type(covariance_type)
    diag = cov if covariance_type == "diag" else np.repeat(cov[:, None], n_features, axis=1)
    out = np.zeros((n_components, n_features, n_features))
    idx = np.arange(n_features)
    out[:, idx, idx] = diag
    return out


def log_det_cholesky(
    precisions_cholesky: np.ndarray, covariance_type: str, n_features: int
) -> np.ndarray | float:
    """``log det P`` per component (half the log-determinant of the precision).

    Returns
    -------
    log_det : ndarray of shape (K,), or a float for ``tied``
    """
    pc = np.asarray(precisions_cholesky, dtype=np.float64)
    if covariance_type == "full":
        return np.sum(np.log(np.diagonal(pc, axis1=1, axis2=2)), axis=1)
    if covariance_type == "tied":
        return float(np.sum(np.log(np.diag(pc))))
    if covariance_type == "diag":
        return np.sum(np.log(pc), axis=1)
    return n_features * np.log(pc)


def n_parameters(covariance_type: str, n_components: int, n_features: int) -> int:
    """Number of free parameters of a mixture (the count BIC and AIC use, as scikit-learn)."""
    cov_params = {
        "full": n_components * n_features * (n_features + 1) / 2.0,
        "diag": n_components * n_features,
        "tied": n_features * (n_features + 1) / 2.0,
        "spherical": n_components,
    }[check_covariance_type(covariance_type)]
    return int(cov_params + n_features * n_components + n_components - 1)


@dataclass(frozen=True, eq=False)
class SufficientStats:
    """What the M-step needs from the E-step, accumulated around a per-component shift.

    Second moments are summed around ``shift`` (the means being evaluated), not around the
    origin: ``E[(x-m)(x-m)ᵀ] - (μ-m)(μ-m)ᵀ`` then keeps its digits even for a tight component
    far from the data's centre. The sums add across chunks of data (``a + b``, ``sum()``),
    so the same M-step runs over one array, a stream of chunks or a distributed array.

    Attributes
    ----------
    n : int
        Number of points summed.
    resp_sum : ndarray of shape (K,)
        ``Σᵢ rᵢₖ``.
    shift : ndarray of shape (K, d)
    first : ndarray of shape (K, d)
        ``Σᵢ rᵢₖ (xᵢ - mₖ)``.
    second : ndarray of shape (K, d, d)
        ``Σᵢ rᵢₖ (xᵢ - mₖ)(xᵢ - mₖ)ᵀ``.
    ll_sum : float
        ``Σᵢ log p(xᵢ)`` under the evaluated parameters (NaN where unknown, e.g. from
        explicit responsibilities); the mean log-likelihood is ``ll_sum / n``.
    """

    n: int
    resp_sum: np.ndarray
    shift: np.ndarray
    first: np.ndarray
    second: np.ndarray
    ll_sum: float = math.nan

    @property
    def n_samples(self) -> int:
        """Old name of :attr:`n`."""
        return self.n

    @property
    def mean_log_likelihood(self) -> float:
        """``ll_sum / n``."""
        return self.ll_sum / self.n

    def __add__(self, other: SufficientStats) -> SufficientStats:
        """Statistics of the union of two disjoint sets of points (same parameters)."""
        if not isinstance(other, SufficientStats):
            return NotImplemented
        if self.shift.shape != other.shift.shape or not np.array_equal(self.shift, other.shift):
            # Shifted sums add only around the same shift: both must come from one E-step's
            # parameters (re-centring would cost the digits the shift is there to keep).
            raise ValueError("SufficientStats add only when accumulated around the same shift")
        return SufficientStats(
            self.n + other.n,
            self.resp_sum + other.resp_sum,
            self.shift,
            self.first + other.first,
            self.second + other.second,
            self.ll_sum + other.ll_sum,
        )

    def __radd__(self, other) -> SufficientStats:
        if isinstance(other, (int, float)) and other == 0:  # sum() starts from 0
            return self
        return NotImplemented


def stats_from_responsibilities(
    X: np.ndarray, resp: np.ndarray, shift: np.ndarray | None = None
) -> SufficientStats:
    """Sufficient statistics from explicit responsibilities (initialisation, reference path).

    Parameters
    ----------
    X : ndarray of shape (N, d)
    resp : ndarray of shape (N, K)
    shift : ndarray of shape (K, d), optional
        The point each component's sums are taken around. ``None`` (the default) takes each
        component's own weighted mean, so the scatter is summed around it: exact even for
        components far from each other and from the data's centre (two blobs 1e10 apart),
        where sums around a common point would lose every digit of the spread.
    """
    n_components = resp.shape[1]
    n_features = X.shape[1]
    resp_sum = resp.sum(axis=0)
    if shift is None:
        with np.errstate(invalid="ignore", divide="ignore"):
            shift = (resp.T @ X) / resp_sum[:, None]
        # An empty component has no mean of its own: the data's centre stands in.
        shift[~np.isfinite(shift).all(axis=1)] = X.mean(axis=0)
    first = np.empty((n_components, n_features))
    second = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        centred = X - shift[k]
        weighted = resp[:, k : k + 1] * centred
        first[k] = weighted.sum(axis=0)
        second[k] = weighted.T @ centred
    return SufficientStats(X.shape[0], resp_sum, np.array(shift, dtype=float), first, second)


def parameters_from_stats(
    stats: SufficientStats, covariance_type: str, reg_covar: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The M-step: weights, means and covariances from sufficient statistics.

    Matches scikit-learn's ``_estimate_gaussian_parameters`` (``nk`` gets ``10 * eps`` so that
    an empty component divides safely), computed from shifted sums.

    Returns
    -------
    weights : ndarray of shape (K,), summing to one
    means : ndarray of shape (K, d)
    covariances : ndarray, shape per ``covariance_type``
    """
    check_covariance_type(covariance_type)
    resp_sum = stats.resp_sum
    nk = resp_sum + 10 * np.finfo(np.float64).eps
    # Σ r x = first + (Σ r) m, so μ = that / nk exactly as scikit-learn divides.
    means = (stats.first + resp_sum[:, None] * stats.shift) / nk[:, None]
    delta = means - stats.shift
    # Σ r (x-μ)(x-μ)ᵀ = second - first δᵀ - δ firstᵀ + (Σ r) δ δᵀ
    first_delta = stats.first[:, :, None] * delta[:, None, :]
    scatter = (
        stats.second
        - first_delta
        - np.swapaxes(first_delta, 1, 2)
        + resp_sum[:, None, None] * delta[:, :, None] * delta[:, None, :]
    )
    n_features = means.shape[1]
    if covariance_type == "full":
        covariances = scatter / nk[:, None, None]
        idx = np.arange(n_features)
        covariances[:, idx, idx] += reg_covar
    elif covariance_type == "tied":
        covariances = scatter.sum(axis=0) / nk.sum()
        covariances.flat[:: n_features + 1] += reg_covar
    else:
        diag = np.diagonal(scatter, axis1=1, axis2=2) / nk[:, None] + reg_covar
        covariances = diag if covariance_type == "diag" else diag.mean(axis=1)
    weights = nk / nk.sum()
    return weights, means, covariances
