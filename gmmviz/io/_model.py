"""Fitted mixtures on disk: :func:`save_model` and :func:`load_model`.

Model files
-----------
Both formats hold the same record, version :data:`FORMAT_VERSION`:

=================  ==========================================================================
``format``         ``"gmmviz-model"``
``version``        ``1``
``params``         constructor parameters (``get_params()``; arrays as nested lists)
``n_features_in``  d
``weights``        (K,)
``means``          (K, d)
``covariances``    (K, d, d) full, (d, d) tied, (K, d) diag, (K,) spherical
``converged``      bool
``n_iter``         int
``lower_bound``    float (JSON ``null`` stands for ``-inf``, the value of a model not yet
                   evaluated)
``lower_bounds``   optional, per-iteration lower bounds of the fit
=================  ==========================================================================

JSON is indented and human-readable; Python writes floats with ``repr``, the shortest string
that reads back to the same double, so a round trip is exact. NPZ stores the arrays as they
are and ``params`` as a JSON string (no pickles: files load with ``allow_pickle=False``).
Precisions are not stored; they are derived from the covariances on load with
:func:`gmmviz.core.gaussian.compute_precision_cholesky`. Every problem found when loading is
reported as ``ValueError("<path>: <what is wrong>")``.

:func:`gmmviz.io.to_sklearn` (in :mod:`gmmviz.io._sklearn`) turns a fitted model into an
equivalent fitted ``sklearn.mixture.GaussianMixture``. Data files are :mod:`gmmviz.io._data`;
the public entry point for both is :mod:`gmmviz.io`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from gmmviz.core.gaussian import (
    COVARIANCE_TYPES,
    compute_precision_cholesky,
    covariance_shape,
    precisions_from_cholesky,
)
from gmmviz.core.init import INIT_METHODS
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io._files import (
    NPZ_ERRORS,
    PathLike,
    atomic_writer,
    check_suffix,
    corrupt_npz_error,
    open_npz,
    read_nonempty,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MODEL_SUFFIXES",
    "load_model",
    "save_model",
]

FORMAT_NAME = "gmmviz-model"
FORMAT_VERSION = 1
MODEL_SUFFIXES: tuple[str, ...] = (".json", ".npz")

#: Tolerance on ``sum(weights) == 1`` when loading.
WEIGHT_SUM_TOL = 1e-6
#: Relative tolerance on the symmetry of full/tied covariances when loading.
SYMMETRY_RTOL = 1e-8

_REQUIRED_KEYS: tuple[str, ...] = (
    "params",
    "n_features_in",
    "weights",
    "means",
    "covariances",
    "converged",
    "n_iter",
    "lower_bound",
)
# Constructor parameters that hold arrays; stored as nested lists, restored as float arrays.
_ARRAY_PARAMS: tuple[str, ...] = ("weights_init", "means_init", "precisions_init")


# ==================================================================================== helpers


def _plain(value: Any, name: str) -> Any:
    """A JSON-ready copy of a constructor parameter (numpy scalars and arrays made plain)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"parameter {name}={value!r} is not finite and cannot be saved")
        return value
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError(f"parameter {name} contains NaN or infinite values")
        return array.tolist()
    if isinstance(value, (np.random.RandomState, np.random.Generator)):
        raise ValueError(
            f"parameter {name} is a {type(value).__name__}, which cannot be saved; "
            f"set {name} to an int seed or None first (model.set_params({name}=0))"
        )
    raise ValueError(f"parameter {name} of type {type(value).__name__} cannot be saved")


def _check_fitted(model: Any) -> None:
    missing = [a for a in ("weights_", "means_", "covariances_") if not hasattr(model, a)]
    if missing:
        raise ValueError(f"the model is not fitted (no {', '.join(missing)}); fit it first")


def _dumps_readable(value: Any, indent: int = 0) -> str:
    """JSON text indented by level, with each innermost list of numbers on one line.

    ``json.dumps(indent=...)`` would put every number of a covariance matrix on its own line;
    one matrix row per line reads much better. Numbers are written by ``json`` itself (floats
    as ``repr``: exact round trip); NaN and infinity are refused.
    """
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{pad}{json.dumps(str(key))}: {_dumps_readable(item, indent + 2)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and any(isinstance(item, (list, dict)) for item in value):
        items = [pad + _dumps_readable(item, indent + 2) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value, allow_nan=False)


def _model_record(model: Any) -> dict[str, Any]:
    """Everything saved about ``model``, as plain Python values (arrays as nested lists)."""
    _check_fitted(model)
    params = {name: _plain(value, name) for name, value in model.get_params().items()}
    means = np.asarray(model.means_, dtype=np.float64)
    lower_bound = float(getattr(model, "lower_bound_", -math.inf))
    if math.isnan(lower_bound) or lower_bound == math.inf:
        raise ValueError(f"lower_bound_ is {lower_bound!r} and cannot be saved")
    record: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "params": params,
        "n_features_in": int(getattr(model, "n_features_in_", means.shape[1])),
        "weights": np.asarray(model.weights_, dtype=np.float64).tolist(),
        "means": means.tolist(),
        "covariances": np.asarray(model.covariances_, dtype=np.float64).tolist(),
        "converged": bool(getattr(model, "converged_", False)),
        "n_iter": int(getattr(model, "n_iter_", 0)),
        # JSON has no -inf; null stands for it (an unevaluated model's lower bound).
        "lower_bound": lower_bound if math.isfinite(lower_bound) else None,
    }
    lower_bounds = getattr(model, "lower_bounds_", None)
    if lower_bounds is not None:
        record["lower_bounds"] = [float(v) for v in lower_bounds]
    return record


# ============================================================================== save and load


def save_model(model: Any, path: PathLike) -> None:
    """Write a fitted mixture to ``path``; the suffix picks the format.

    Parameters
    ----------
    model : GaussianMixture
        A fitted :class:`gmmviz.core.mixture.GaussianMixture` (a fitted
        ``sklearn.mixture.GaussianMixture`` works too: same attributes).
    path : str or os.PathLike
        ``*.json`` (indented, human-readable) or ``*.npz``. The file is replaced atomically.

    Raises
    ------
    ValueError
        If the suffix is neither, the model is not fitted, or a parameter cannot be stored
        (e.g. ``random_state`` is a ``RandomState`` object rather than an int).
    OSError
        If the file cannot be written.
    """
    path = Path(path)
    suffix = check_suffix(path, MODEL_SUFFIXES, "model")
    record = _model_record(model)
    if suffix == ".json":
        text = _dumps_readable(record) + "\n"
        with atomic_writer(path, "w") as fh:
            fh.write(text)
        return
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT_NAME),
        "version": np.array(FORMAT_VERSION, dtype=np.int64),
        "params": np.array(json.dumps(record["params"], allow_nan=False)),
        "n_features_in": np.array(record["n_features_in"], dtype=np.int64),
        "weights": np.asarray(model.weights_, dtype=np.float64),
        "means": np.asarray(model.means_, dtype=np.float64),
        "covariances": np.asarray(model.covariances_, dtype=np.float64),
        "converged": np.array(record["converged"]),
        "n_iter": np.array(record["n_iter"], dtype=np.int64),
        "lower_bound": np.array(
            -math.inf if record["lower_bound"] is None else record["lower_bound"]
        ),
    }
    if "lower_bounds" in record:
        arrays["lower_bounds"] = np.asarray(record["lower_bounds"], dtype=np.float64)
    with atomic_writer(path, "wb") as fh:
        np.savez(fh, **arrays)


def _read_json_record(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file (is it really JSON?)") from None
    if not text.strip():
        raise ValueError(f"{path}: the file is empty")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "the file may be truncated or corrupt"
        ) from None
    except RecursionError:
        raise ValueError(f"{path}: JSON nested too deeply") from None
    if not isinstance(record, dict):
        raise ValueError(
            f"{path}: not a gmmviz model file (top level is a {type(record).__name__}, "
            "expected an object)"
        )
    return record


def _npz_scalar(value: np.ndarray) -> Any:
    """A 0-d array from an NPZ file as a Python value (arrays of other shapes unchanged)."""
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def _read_npz_record(path: Path) -> dict[str, Any]:
    raw = read_nonempty(path)
    try:
        with open_npz(raw, path) as archive:
            record = {key: archive[key] for key in archive.files}
    except NPZ_ERRORS as exc:
        raise corrupt_npz_error(exc, path) from None
    out: dict[str, Any] = {key: _npz_scalar(value) for key, value in record.items()}
    if "params" in out:
        params = out["params"]
        if not isinstance(params, str):
            raise ValueError(f"{path}: 'params' must be a JSON string")
        try:
            out["params"] = json.loads(params)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: 'params' is not valid JSON ({exc.msg})") from None
    return out


def _float_array(value: Any, key: str, where: Path) -> np.ndarray:
    """A float64 array from a record entry; strict: numbers only, rectangular."""
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{where}: {key!r} is not a rectangular array of numbers") from None
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{where}: {key!r} must contain numbers only")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{where}: {key!r} contains NaN or infinite values")
    return array


def _int_value(value: Any, key: str, where: Path, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{where}: {key!r} must be an integer; got {value!r}")
    if value < minimum:
        raise ValueError(f"{where}: {key!r} must be >= {minimum}; got {value}")
    return int(value)


def _check_params(params: Any, where: Path, n_features: int) -> dict[str, Any]:
    """Validate stored constructor parameters and turn array parameters back into arrays.

    Checks types and ranges of the parameters scikit-learn defines (those decide what a later
    ``fit`` does); unknown names are refused.
    """
    if not isinstance(params, dict):
        raise ValueError(f"{where}: 'params' must be an object of constructor parameters")
    allowed = set(GaussianMixture().get_params())
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(
            f"{where}: unknown parameter(s) {', '.join(map(repr, unknown))} in 'params'; "
            f"known: {', '.join(sorted(allowed))}"
        )
    params = dict(params)
    if "n_components" not in params or "covariance_type" not in params:
        raise ValueError(f"{where}: 'params' must give n_components and covariance_type")
    _int_value(params["n_components"], "n_components", where, 1)
    if params["covariance_type"] not in COVARIANCE_TYPES:
        raise ValueError(
            f"{where}: covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; "
            f"got {params['covariance_type']!r}"
        )
    for name, minimum in (("max_iter", 0), ("n_init", 1), ("verbose", 0), ("verbose_interval", 1)):
        if name in params:
            _int_value(params[name], f"params.{name}", where, minimum)
    for name in ("tol", "reg_covar"):
        if name in params:
            value = params[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (math.isfinite(value) and value >= 0)
            ):
                raise ValueError(f"{where}: params.{name} must be a number >= 0; got {value!r}")
    if "init_params" in params and params["init_params"] not in INIT_METHODS:
        raise ValueError(
            f"{where}: params.init_params must be one of {', '.join(INIT_METHODS)}; "
            f"got {params['init_params']!r}"
        )
    if "warm_start" in params and not isinstance(params["warm_start"], bool):
        raise ValueError(f"{where}: params.warm_start must be true or false")
    if params.get("random_state") is not None:
        _int_value(params["random_state"], "params.random_state", where, 0)
    k = int(params["n_components"])
    expected = {
        "weights_init": (k,),
        "means_init": (k, n_features),
        "precisions_init": covariance_shape(params["covariance_type"], k, n_features),
    }
    for name in _ARRAY_PARAMS:
        if params.get(name) is not None:
            array = _float_array(params[name], f"params.{name}", where)
            if array.shape != expected[name]:
                raise ValueError(
                    f"{where}: params.{name} has shape {array.shape}, expected {expected[name]}"
                )
            params[name] = array
    return params


def _check_positive_definite(cov: np.ndarray, covariance_type: str, where: Path) -> None:
    """``ValueError`` naming the first component whose covariance is not positive definite."""
    if covariance_type in ("diag", "spherical"):
        bad = np.flatnonzero((cov <= 0.0).reshape(cov.shape[0], -1).any(axis=1))
        if bad.size:
            raise ValueError(
                f"{where}: covariances of component {int(bad[0])} are not all > 0 "
                f"({covariance_type} variances must be positive)"
            )
        return
    stack = cov if covariance_type == "full" else cov[np.newaxis]
    for k, matrix in enumerate(stack):
        name = f"component {k}" if covariance_type == "full" else "the tied covariance"
        scale = float(np.max(np.abs(matrix)))
        if float(np.max(np.abs(matrix - matrix.T))) > SYMMETRY_RTOL * scale:
            raise ValueError(f"{where}: covariance of {name} is not symmetric")
        try:
            np.linalg.cholesky(matrix)
        except np.linalg.LinAlgError:
            raise ValueError(f"{where}: covariance of {name} is not positive definite") from None


def _check_normal_variances(cov: np.ndarray, covariance_type: str, where: Path) -> None:
    """``ValueError`` for a variance below the smallest normal float64 (subnormal): its
    precision overflows or keeps only a few digits, so every score would be wrong."""
    if covariance_type in ("diag", "spherical"):
        variances = cov.reshape(cov.shape[0], -1)
    else:
        stack = cov if covariance_type == "full" else cov[np.newaxis]
        variances = np.diagonal(stack, axis1=1, axis2=2)
    tiny = np.finfo(np.float64).tiny
    bad = np.argwhere(variances < tiny)
    if bad.size:
        k, j = (int(v) for v in bad[0])
        name = "the tied covariance" if covariance_type == "tied" else f"component {k}"
        raise ValueError(
            f"{where}: variance {float(variances[k, j]):.3g} of {name} is subnormal (below "
            f"{tiny:.3g}); its precision cannot be computed in float64"
        )


def _model_from_record(record: dict[str, Any], where: Path) -> GaussianMixture:
    """Validate a record read from disk and build the fitted model it describes."""
    fmt = record.get("format")
    if fmt is None:
        raise ValueError(f"{where}: no 'format' entry; not a gmmviz model file")
    if fmt != FORMAT_NAME:
        raise ValueError(f"{where}: format is {fmt!r}, expected {FORMAT_NAME!r}")
    version = record.get("version")
    if isinstance(version, bool) or not isinstance(version, (int, np.integer)):
        raise ValueError(f"{where}: 'version' must be an integer; got {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{where}: written by a newer gmmviz (format version {version}); "
            f"this one reads version {FORMAT_VERSION}"
        )
    if version < 1:
        raise ValueError(f"{where}: unsupported format version {version}")
    missing = [key for key in _REQUIRED_KEYS if key not in record]
    if missing:
        raise ValueError(
            f"{where}: missing entr{'y' if len(missing) == 1 else 'ies'} "
            f"{', '.join(map(repr, missing))}"
        )

    d = _int_value(record["n_features_in"], "n_features_in", where, 1)
    params = _check_params(record["params"], where, d)
    k = int(params["n_components"])
    covariance_type = params["covariance_type"]

    weights = _float_array(record["weights"], "weights", where)
    means = _float_array(record["means"], "means", where)
    covariances = _float_array(record["covariances"], "covariances", where)
    expected = {
        "weights": (k,),
        "means": (k, d),
        "covariances": covariance_shape(covariance_type, k, d),
    }
    for key, array in (("weights", weights), ("means", means), ("covariances", covariances)):
        if array.shape != expected[key]:
            raise ValueError(
                f"{where}: {key!r} has shape {array.shape}, expected {expected[key]} for "
                f"n_components={k}, n_features_in={d}, covariance_type={covariance_type!r}"
            )
    if np.any(weights < 0.0):
        raise ValueError(f"{where}: 'weights' has negative entries")
    if abs(float(weights.sum()) - 1.0) > WEIGHT_SUM_TOL:
        raise ValueError(
            f"{where}: 'weights' sum to {float(weights.sum()):.10g}, not 1 "
            f"(tolerance {WEIGHT_SUM_TOL:g})"
        )
    _check_positive_definite(covariances, covariance_type, where)

    converged = record["converged"]
    if not isinstance(converged, (bool, np.bool_)):
        raise ValueError(f"{where}: 'converged' must be true or false; got {converged!r}")
    n_iter = _int_value(record["n_iter"], "n_iter", where, 0)
    lower_bound = record["lower_bound"]
    if lower_bound is None:
        lower_bound = -math.inf
    if isinstance(lower_bound, (bool, np.bool_)) or not isinstance(
        lower_bound, (int, float, np.integer, np.floating)
    ):
        raise ValueError(f"{where}: 'lower_bound' must be a number; got {lower_bound!r}")
    lower_bound = float(lower_bound)
    if math.isnan(lower_bound) or lower_bound == math.inf:
        raise ValueError(f"{where}: 'lower_bound' is {lower_bound!r}")
    lower_bounds: list[float] = []
    if record.get("lower_bounds") is not None:
        stored = _float_array(record["lower_bounds"], "lower_bounds", where)
        if stored.ndim != 1:
            raise ValueError(f"{where}: 'lower_bounds' must be a list of numbers")
        lower_bounds = stored.tolist()

    _check_normal_variances(covariances, covariance_type, where)
    try:
        precisions_cholesky = compute_precision_cholesky(covariances, covariance_type)
    except ValueError as exc:  # numerically singular though it passed Cholesky above
        raise ValueError(f"{where}: covariances are not usable: {exc}") from None
    model = GaussianMixture(**params)
    model.weights_ = weights
    model.means_ = means
    model.covariances_ = covariances
    model.precisions_cholesky_ = precisions_cholesky
    model.precisions_ = precisions_from_cholesky(precisions_cholesky, covariance_type)
    model.converged_ = bool(converged)
    model.n_iter_ = n_iter
    model.lower_bound_ = lower_bound
    model.lower_bounds_ = lower_bounds
    model.n_features_in_ = d
    return model


def load_model(path: PathLike) -> GaussianMixture:
    """Read a model written by :func:`save_model` and check every part of it.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.json`` or ``.npz`` model file.

    Returns
    -------
    GaussianMixture
        A fitted :class:`gmmviz.core.mixture.GaussianMixture`; ``precisions_cholesky_`` and
        ``precisions_`` are recomputed from the covariances.

    Raises
    ------
    ValueError
        ``"<path>: <what is wrong>"`` for an unsupported suffix, a corrupt or truncated file,
        a wrong format or version, missing entries, shapes that do not match
        ``n_components`` / ``n_features_in`` / ``covariance_type``, NaN or infinite values,
        negative weights or weights not summing to 1 (tolerance 1e-6), or covariances that are
        not symmetric positive definite.
    OSError
        If the file cannot be read (e.g. ``FileNotFoundError``).
    """
    path = Path(path)
    suffix = check_suffix(path, MODEL_SUFFIXES, "model")
    record = _read_json_record(path) if suffix == ".json" else _read_npz_record(path)
    return _model_from_record(record, path)
