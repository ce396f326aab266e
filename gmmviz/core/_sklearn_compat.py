"""What scikit-learn asks of an estimator, answered without importing scikit-learn.

gmmviz never imports scikit-learn at run time. scikit-learn's own machinery (``clone``,
``Pipeline``, ``GridSearchCV``, ``check_estimator``) calls a few hooks —
``__sklearn_tags__``, ``__sklearn_clone__``, ``get_params``/``set_params`` — and those
hooks import from scikit-learn inside the method: they only run when scikit-learn, already
loaded, is the caller.

Errors and warnings are raised through :func:`flavoured`: when ``"sklearn"`` is in
``sys.modules``, the class raised derives from both gmmviz's class and scikit-learn's
counterpart (made once, then cached), so ``except sklearn.exceptions.NotFittedError`` and
``pytest.warns(sklearn.exceptions.ConvergenceWarning)`` see gmmviz's errors and warnings,
and ``except gmmviz.NotFittedError`` still does.

Parameter checks (:func:`validate_params`) give scikit-learn's ``InvalidParameterError``
messages word for word.
"""

from __future__ import annotations

import importlib
import inspect
import numbers
import sys
from typing import Any

import numpy as np

__all__ = [
    "ConvergenceWarning",
    "InvalidParameterError",
    "NotFittedError",
    "SklearnCompatMixin",
    "check_data",
    "check_initial_arrays",
    "flavoured",
    "validate_params",
]


class ConvergenceWarning(UserWarning):
    """The best initialisation stopped at ``max_iter`` before converging."""


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit``."""


class InvalidParameterError(ValueError, TypeError):
    """A constructor parameter has the wrong type or value (scikit-learn's wording)."""


# gmmviz class -> (name of the combined class, module and name of scikit-learn's class)
_COUNTERPARTS: dict[str, tuple[type, str, str]] = {
    "SklearnConvergenceWarning": (ConvergenceWarning, "sklearn.exceptions", "ConvergenceWarning"),
    "SklearnNotFittedError": (NotFittedError, "sklearn.exceptions", "NotFittedError"),
    "SklearnInvalidParameterError": (
        InvalidParameterError,
        "sklearn.utils._param_validation",
        "InvalidParameterError",
    ),
}
_COMBINED: dict[str, type] = {}


def _combined(name: str) -> type:
    """The class deriving from gmmviz's and scikit-learn's, made on first use and cached."""
    if name not in _COMBINED:
        ours, module, attribute = _COUNTERPARTS[name]
        theirs = getattr(importlib.import_module(module), attribute)
        cls = type(name, (ours, theirs), {"__module__": __name__, "__doc__": ours.__doc__})
        cls.__qualname__ = name
        _COMBINED[name] = cls
    return _COMBINED[name]


def flavoured(cls: type) -> type:
    """``cls``, or (scikit-learn loaded) a subclass of both ``cls`` and its sklearn counterpart.

    Parameters
    ----------
    cls : {ConvergenceWarning, NotFittedError, InvalidParameterError}

    Returns
    -------
    type
        The class to raise or warn with.
    """
    if "sklearn" not in sys.modules:
        return cls
    for name, (ours, _, _) in _COUNTERPARTS.items():
        if ours is cls:
            try:
                return _combined(name)
            except (ImportError, AttributeError):  # a partial or unusual scikit-learn
                return cls
    return cls


def __getattr__(name: str) -> type:
    # Lets pickle find a combined class by name (an exception crossing a process boundary).
    if name in _COUNTERPARTS:
        return _combined(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- parameter validation


def _int_range(lower: int) -> tuple[str, Any]:
    def ok(v: Any) -> bool:
        return isinstance(v, numbers.Integral) and v >= lower

    return f"an int in the range [{lower}, inf)", ok


def _float_range(lower: float) -> tuple[str, Any]:
    def ok(v: Any) -> bool:
        return isinstance(v, numbers.Real) and not np.isnan(v) and v >= lower

    return f"a float in the range [{lower}, inf)", ok


def _str_options(options: tuple[str, ...]) -> tuple[str, Any]:
    listed = ", ".join(repr(o) for o in options)
    return f"a str among {{{listed}}}", lambda v: isinstance(v, str) and v in options


def _is_bool(v: Any) -> bool:
    return isinstance(v, (bool, np.bool_))


def _is_array_like(v: Any) -> bool:
    if np.isscalar(v):
        return False
    return hasattr(v, "__len__") or hasattr(v, "shape") or hasattr(v, "__array__")


def _is_random_state(v: Any) -> bool:
    if v is None or isinstance(v, np.random.RandomState):
        return True
    return isinstance(v, numbers.Integral) and 0 <= v <= 2**32 - 1


_BOOL = "an instance of 'bool' or an instance of 'numpy.bool'"

PARAMETER_CONSTRAINTS: dict[str, tuple[str, Any]] = {
    "n_components": _int_range(1),
    "tol": _float_range(0.0),
    "reg_covar": _float_range(0.0),
    "max_iter": _int_range(0),
    "n_init": _int_range(1),
    "init_params": _str_options(("kmeans", "k-means++", "random", "random_from_data")),
    "random_state": (
        "an int in the range [0, 4294967295], an instance of "
        "'numpy.random.mtrand.RandomState' or None",
        _is_random_state,
    ),
    "warm_start": (_BOOL, _is_bool),
    "verbose": (
        f"an int in the range [0, inf), {_BOOL}",
        lambda v: _is_bool(v) or (isinstance(v, numbers.Integral) and v >= 0),
    ),
    "verbose_interval": _int_range(1),
    "covariance_type": _str_options(("full", "tied", "diag", "spherical")),
    "weights_init": ("an array-like or None", lambda v: v is None or _is_array_like(v)),
    "means_init": ("an array-like or None", lambda v: v is None or _is_array_like(v)),
    "precisions_init": ("an array-like or None", lambda v: v is None or _is_array_like(v)),
    "backend": (
        "a str among {'numba', 'numpy'} or None",
        lambda v: v is None or v in ("numba", "numpy"),
    ),
}


def validate_params(estimator: Any) -> None:
    """Check every constructor parameter; scikit-learn's ``_validate_params``, same messages.

    Raises
    ------
    InvalidParameterError
        (derived from scikit-learn's when it is loaded) naming the first bad parameter, e.g.
        "The 'n_components' parameter of GaussianMixture must be an int in the range
        [1, inf). Got '3' instead."
    """
    caller = type(estimator).__name__
    for name, value in estimator.get_params(deep=False).items():
        if name not in PARAMETER_CONSTRAINTS:
            continue
        described, ok = PARAMETER_CONSTRAINTS[name]
        if not ok(value):
            raise flavoured(InvalidParameterError)(
                f"The {name!r} parameter of {caller} must be {described}. Got {value!r} instead."
            )


# ---------------------------------------------------------------- data validation


def check_data(X: Any, estimator_name: str, *, min_samples: int = 1) -> Any:
    """Refuse what scikit-learn's ``validate_data`` refuses, with its messages.

    Complex numbers, sparse matrices, 1-D arrays, objects that are not numbers, fewer than
    ``min_samples`` rows or no column; the rest (conversion to float64, NaN and infinity)
    is left to the core's ``as_data``.

    Returns
    -------
    X : ndarray (not yet converted to float64)
    """
    if hasattr(X, "tocsr") or (hasattr(X, "toarray") and hasattr(X, "nnz")):
        raise TypeError(
            f"Sparse data was passed for X, but dense data is required by {estimator_name}. "
            "Use '.toarray()' to convert to a dense numpy array."
        )
    arr = X if isinstance(X, np.ndarray) else np.asarray(X)
    if np.iscomplexobj(arr) or (
        arr.dtype == object and any(isinstance(v, complex) for v in arr.ravel())
    ):
        raise ValueError(
            f"Complex data not supported: {estimator_name} needs real numbers; got dtype "
            f"{arr.dtype} (take .real, np.abs or split real and imaginary parts into columns)"
        )
    if arr.ndim == 1:
        raise ValueError(
            f"X must be 2-D (n_samples, n_features); got shape {arr.shape}. Reshape your data "
            "either using X.reshape(-1, 1) if your data has a single feature or "
            "X.reshape(1, -1) if it contains a single sample."
        )
    if arr.dtype == object:
        arr = arr.astype(np.float64)  # a TypeError names a non-number, as scikit-learn's
    if arr.ndim == 2:
        if arr.shape[0] < min_samples:
            raise ValueError(
                f"Found array with {arr.shape[0]} sample(s) (shape={arr.shape}) while a "
                f"minimum of {min_samples} is required by {estimator_name}."
            )
        if arr.shape[1] < 1:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is "
                f"required by {estimator_name}."
            )
    return arr


def _check_shape(array: np.ndarray, shape: tuple, name: str) -> None:
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got {array.shape}"
        )


def _as_finite(value: Any, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"The parameter '{name}' contains NaN or infinite values")
    return array


def check_initial_arrays(
    estimator: Any, n_components: int, n_features: int, covariance_type: str
) -> None:
    """``weights_init``, ``means_init``, ``precisions_init`` checked as scikit-learn does.

    Same order and messages as scikit-learn's ``_check_weights``, ``_check_means`` and
    ``_check_precisions`` (e.g. "The parameter 'weights' should be normalized, but got
    sum(weights) = 1.10000").

    Raises
    ------
    ValueError
    """
    if estimator.weights_init is not None:
        weights = _as_finite(estimator.weights_init, "weights")
        _check_shape(weights, (n_components,), "weights")
        if np.any(weights < 0.0) or np.any(weights > 1.0):
            # scikit-learn's message, its order of min and max included
            raise ValueError(
                "The parameter 'weights' should be in the range [0, 1], but got max value "
                f"{weights.min():.5f}, min value {weights.max():.5f}"
            )
        if not np.allclose(abs(1.0 - weights.sum()), 0.0, atol=1e-8):
            raise ValueError(
                "The parameter 'weights' should be normalized, but got sum(weights) = "
                f"{weights.sum():.5f}"
            )
    if estimator.means_init is not None:
        _check_shape(_as_finite(estimator.means_init, "means"), (n_components, n_features), "means")
    if estimator.precisions_init is not None:
        name = f"{covariance_type} precision"
        precisions = _as_finite(estimator.precisions_init, name)
        shape = {
            "full": (n_components, n_features, n_features),
            "tied": (n_features, n_features),
            "diag": (n_components, n_features),
            "spherical": (n_components,),
        }[covariance_type]
        _check_shape(precisions, shape, name)
        if covariance_type in ("full", "tied"):
            for matrix in precisions if covariance_type == "full" else [precisions]:
                if not (np.allclose(matrix, matrix.T) and np.all(np.linalg.eigvalsh(matrix) > 0.0)):
                    raise ValueError(f"'{name}' should be symmetric, positive-definite")
        elif np.any(precisions <= 0.0):
            raise ValueError(f"'{name}' should be positive")


# ---------------------------------------------------------------- estimator protocol


class SklearnCompatMixin:
    """``get_params``/``set_params`` and the hooks scikit-learn calls, without importing it."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        """Constructor parameter names, in signature order (scikit-learn's classmethod)."""
        signature = inspect.signature(cls.__init__)
        return [p for p in signature.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters, as scikit-learn's ``get_params``.

        Parameters
        ----------
        deep : bool, default=True
            Also list ``name__sub`` parameters of parameters that are estimators.
        """
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params: Any) -> SklearnCompatMixin:
        """Set constructor parameters; an unknown name raises ``ValueError`` as scikit-learn's.

        Returns
        -------
        self
        """
        valid = self._get_param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {self}. "
                    f"Valid parameters are: {valid!r}."
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def _validate_params(self) -> None:
        """scikit-learn's hook: check the constructor parameters (see :func:`validate_params`)."""
        validate_params(self)

    def __repr__(self) -> str:
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if name != "self"
        }
        changed = []
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name, inspect.Parameter.empty)
            same = value is default or (
                not isinstance(value, np.ndarray)
                and not isinstance(default, np.ndarray)
                and type(value) is type(default)
                and value == default
            )
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    # Hooks only scikit-learn calls: the imports below run with scikit-learn already loaded.

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: a density estimator that needs no ``y`` (as its GaussianMixture)."""
        from sklearn.utils import Tags, TargetTags

        return Tags(
            estimator_type="density_estimator",
            target_tags=TargetTags(required=False),
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=None,
        )

    def __sklearn_clone__(self) -> Any:
        """A new unfitted estimator with the same parameters (scikit-learn's ``clone``)."""
        from sklearn.base import _clone_parametrized

        return _clone_parametrized(self)
