"""Interop with scikit-learn: :func:`to_sklearn`.

scikit-learn is imported only when :func:`to_sklearn` is called, so :mod:`gmmviz.io` works
without it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from gmmviz.core.gaussian import compute_precision_cholesky, precisions_from_cholesky
from gmmviz.io._model import _check_fitted

if TYPE_CHECKING:  # pragma: no cover - typing only; sklearn is imported lazily at run time
    import sklearn.mixture

__all__ = ["to_sklearn"]


def to_sklearn(model: Any) -> sklearn.mixture.GaussianMixture:
    """A fitted ``sklearn.mixture.GaussianMixture`` with the same parameters as ``model``.

    The constructor parameters scikit-learn knows are copied (gmmviz-only ones such as
    ``backend`` are dropped) and the fitted attributes are set directly, so its
    ``predict`` / ``predict_proba`` / ``score_samples`` evaluate the same mixture.

    Parameters
    ----------
    model : GaussianMixture
        A fitted gmmviz model.

    Returns
    -------
    sklearn.mixture.GaussianMixture

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    ValueError
        If ``model`` is not fitted.
    """
    try:
        from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
    except ImportError as exc:
        raise ImportError(
            "to_sklearn needs scikit-learn, which is not installed; "
            "install it with 'pip install scikit-learn'"
        ) from exc
    _check_fitted(model)
    known = set(SklearnGaussianMixture().get_params())
    params = {}
    for name, value in model.get_params().items():
        if name in known:
            # Copy arrays so the two estimators never share mutable state.
            params[name] = value.copy() if isinstance(value, np.ndarray) else value
    estimator = SklearnGaussianMixture(**params)
    covariance_type = model.covariance_type
    estimator.weights_ = np.array(model.weights_, dtype=np.float64)
    estimator.means_ = np.array(model.means_, dtype=np.float64)
    estimator.covariances_ = np.array(model.covariances_, dtype=np.float64)
    if hasattr(model, "precisions_cholesky_"):
        estimator.precisions_cholesky_ = np.array(model.precisions_cholesky_, dtype=np.float64)
    else:
        estimator.precisions_cholesky_ = compute_precision_cholesky(
            estimator.covariances_, covariance_type
        )
    estimator.precisions_ = precisions_from_cholesky(
        estimator.precisions_cholesky_, covariance_type
    )
    estimator.converged_ = bool(getattr(model, "converged_", False))
    estimator.n_iter_ = int(getattr(model, "n_iter_", 0))
    estimator.lower_bound_ = float(getattr(model, "lower_bound_", -math.inf))
    if hasattr(model, "lower_bounds_"):
        estimator.lower_bounds_ = list(model.lower_bounds_)
    estimator.n_features_in_ = int(getattr(model, "n_features_in_", estimator.means_.shape[1]))
    return estimator
