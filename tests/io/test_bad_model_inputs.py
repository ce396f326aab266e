"""Bad model files and bad estimator parameters, as one table each: every case names the
message it must give, and none may end in anything but that ``ValueError`` (no other
exception, no MemoryError, no hang, no NaN result).

Data files (CSV, NPY, NPZ parsing) are tested in ``tests/io/test_data.py``; the command line
and output paths in ``tests/cli/test_bad_arguments.py``.
"""

from __future__ import annotations

import json
import pickle
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pytest

from gmmviz import GaussianMixture
from gmmviz.io import load_model, save_model

pytestmark = pytest.mark.timeout(60)  # a hang fails the case, it does not stall the run


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(size=(100, 2)), rng.normal(size=(100, 2)) + 5.0])


@pytest.fixture(scope="module")
def records(X, tmp_path_factory) -> dict[str, dict[str, Any]]:
    """A good JSON record and a good NPZ record (arrays) for each covariance type used."""
    folder = tmp_path_factory.mktemp("good")
    out = {}
    for cov in ("full", "spherical"):
        model = GaussianMixture(2, covariance_type=cov, random_state=0).fit(X)
        save_model(model, folder / f"{cov}.json")
        save_model(model, folder / f"{cov}.npz")
        out[f"{cov}.json"] = json.loads((folder / f"{cov}.json").read_text())
        with np.load(folder / f"{cov}.npz", allow_pickle=False) as archive:
            out[f"{cov}.npz"] = {key: archive[key] for key in archive.files}
    return out


def _set(key: str, value: Any) -> Callable[[dict], None]:
    return lambda r: r.__setitem__(key, value)


def _set_param(key: str, value: Any) -> Callable[[dict], None]:
    return lambda r: r["params"].__setitem__(key, value)


def _set_cov(index: int, value: Any) -> Callable[[dict], None]:
    def mutate(r: dict) -> None:
        covs = np.array(r["covariances"], dtype=np.float64)
        covs[index] = value
        r["covariances"] = covs.tolist()

    return mutate


# (id, good record to start from, change, message it must give)
JSON_CASES = [
    ("missing covariances", "full", lambda r: r.pop("covariances"), "missing entry 'covariances'"),
    (
        "missing several",
        "full",
        lambda r: [r.pop(k) for k in ("means", "n_iter")],
        "missing entries 'means', 'n_iter'",
    ),
    ("no format", "full", lambda r: r.pop("format"), "no 'format' entry"),
    ("other format", "full", _set("format", "sklearn"), "format is 'sklearn'"),
    ("newer version", "full", _set("version", 2), "newer gmmviz (format version 2)"),
    ("version zero", "full", _set("version", 0), "unsupported format version 0"),
    ("version as text", "full", _set("version", "1"), "'version' must be an integer"),
    ("weights too few", "full", _set("weights", [1.0]), "'weights' has shape (1,), expected (2,)"),
    (
        "means wrong shape",
        "full",
        _set("means", [[0.0, 0.0]]),
        "'means' has shape (1, 2), expected (2, 2)",
    ),
    ("means a number", "full", _set("means", 3), "'means' has shape (), expected (2, 2)"),
    ("ragged means", "full", _set("means", [[0.0, 1.0], [2.0]]), "not a rectangular array"),
    (
        "covariances of another type",
        "full",
        _set("covariances", [1.0, 1.0]),
        "'covariances' has shape (2,), expected (2, 2, 2)",
    ),
    ("weights sum to 0.8", "full", _set("weights", [0.4, 0.4]), "'weights' sum to 0.8, not 1"),
    ("negative weight", "full", _set("weights", [1.5, -0.5]), "'weights' has negative entries"),
    ("weights as text", "full", _set("weights", ["a", "b"]), "'weights' must contain numbers only"),
    (
        "NaN mean",
        "full",
        lambda r: r["means"][0].__setitem__(0, float("nan")),
        "'means' contains NaN or infinite values",
    ),
    (
        "not positive definite",
        "full",
        _set_cov(0, [[1.0, 2.0], [2.0, 1.0]]),
        "covariance of component 0 is not positive definite",
    ),
    (
        "not symmetric",
        "full",
        _set_cov(1, [[1.0, 0.5], [0.0, 1.0]]),
        "covariance of component 1 is not symmetric",
    ),
    (
        "subnormal full covariance",
        "full",
        _set_cov(0, [[1e-320, 0.0], [0.0, 1e-320]]),
        "variance 1e-320 of component 0 is subnormal",
    ),
    (
        "subnormal spherical variance",
        "spherical",
        _set_cov(1, 1e-320),
        "variance 1e-320 of component 1 is subnormal",
    ),
    (
        "negative spherical variance",
        "spherical",
        _set_cov(0, -1.0),
        "covariances of component 0 are not all > 0",
    ),
    (
        "huge n_components",
        "full",
        _set_param("n_components", 10**12),
        "'weights' has shape (2,), expected (1000000000000,)",
    ),
    ("huge n_features_in", "full", _set("n_features_in", 10**12), "expected (2, 1000000000000)"),
    (
        "n_components as text",
        "full",
        _set_param("n_components", "2"),
        "'n_components' must be an integer; got '2'",
    ),
    (
        "unknown covariance type",
        "full",
        _set_param("covariance_type", "round"),
        "covariance_type must be one of",
    ),
    ("negative tol", "full", _set_param("tol", -1), "params.tol must be a number >= 0"),
    ("unknown parameter", "full", _set_param("colour", "red"), "unknown parameter(s) 'colour'"),
    (
        "random_state as text",
        "full",
        _set_param("random_state", "abc"),
        "'params.random_state' must be an integer",
    ),
    ("converged as 1", "full", _set("converged", 1), "'converged' must be true or false"),
    ("lower bound as text", "full", _set("lower_bound", "x"), "'lower_bound' must be a number"),
    ("top level a list", "full", lambda r: None, "top level is a list"),  # see _write_json
]


def _write_json(path, record: dict, case_id: str) -> None:
    text = json.dumps([record] if case_id == "top level a list" else record)
    path.write_text(text)


def _check_refused(path, message: str) -> None:
    """``load_model(path)`` raises a ValueError naming the file and containing ``message``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow on the way is a defect too
        with pytest.raises(ValueError) as info:
            load_model(path)
    assert type(info.value) is ValueError
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("start", "mutate", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in JSON_CASES],
)
def test_bad_json_model_file(records, tmp_path, request, start, mutate, message) -> None:
    record = json.loads(json.dumps(records[f"{start}.json"]))  # a deep copy
    mutate(record)
    path = tmp_path / "model.json"
    _write_json(path, record, request.node.callspec.id)
    _check_refused(path, message)


def _npz_drop(key: str) -> Callable[[dict], None]:
    return lambda a: a.pop(key)


def _npz_set(key: str, value: Any) -> Callable[[dict], None]:
    return lambda a: a.__setitem__(key, value)


NPZ_CASES = [
    ("missing means", _npz_drop("means"), "missing entry 'means'"),
    (
        "covariances cut short",
        lambda a: a.__setitem__("covariances", a["covariances"][:1]),
        "'covariances' has shape (1, 2, 2), expected (2, 2, 2)",
    ),
    ("weights not summing to 1", _npz_set("weights", np.array([0.7, 0.7])), "sum to 1.4"),
    (
        "NaN in covariances",
        lambda a: a["covariances"].__setitem__((0, 0, 0), np.nan),
        "'covariances' contains NaN or infinite values",
    ),
    (
        "subnormal covariance",
        lambda a: a.__setitem__("covariances", a["covariances"] * 1e-320),
        "is subnormal",
    ),
    ("params not JSON", _npz_set("params", np.array("{not json")), "'params' is not valid JSON"),
    ("params as numbers", _npz_set("params", np.arange(3.0)), "'params' must be a JSON string"),
    ("version 7", _npz_set("version", np.array(7)), "format version 7"),
    (
        "means as strings",
        _npz_set("means", np.array([["a", "b"], ["c", "d"]])),
        "'means' must contain numbers only",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), [pytest.param(*c[1:], id=c[0]) for c in NPZ_CASES])
def test_bad_npz_model_file(records, tmp_path, mutate, message) -> None:
    arrays = {key: np.array(value) for key, value in records["full.npz"].items()}
    mutate(arrays)
    path = tmp_path / "model.npz"
    np.savez(path, **arrays)
    _check_refused(path, message)


class _Bomb:
    """Unpickling this object would record that it happened."""

    exploded: ClassVar[list[str]] = []

    def __reduce__(self):
        return (_Bomb.exploded.append, ("unpickled",))


def test_pickled_object_array_in_npz_is_never_unpickled(records, tmp_path) -> None:
    arrays = dict(records["full.npz"])
    arrays["weights"] = np.array([_Bomb(), _Bomb()], dtype=object)
    path = tmp_path / "model.npz"
    np.savez(path, **arrays)  # numpy pickles object arrays into the archive
    assert pickle.dumps(_Bomb())  # the payload is real
    _check_refused(path, "Object arrays cannot be loaded when allow_pickle=False")
    assert _Bomb.exploded == []


def test_truncated_model_files(records, tmp_path, X) -> None:
    model = GaussianMixture(2, random_state=0).fit(X)
    for suffix, message in ((".json", "not valid JSON"), (".npz", "not a readable .npz")):
        path = tmp_path / f"m{suffix}"
        save_model(model, path)
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) // 2])
        _check_refused(path, message)


# ===================================================================== estimator parameters

# (id, constructor parameters, data or None for the good data, message)
ESTIMATOR_CASES = [
    ("n_components 0", {"n_components": 0}, None, "'n_components' parameter"),
    ("n_components negative", {"n_components": -3}, None, "range [1, inf). Got -3"),
    ("n_components float", {"n_components": 1.5}, None, "Got 1.5 instead"),
    ("n_components text", {"n_components": "3"}, None, "Got '3' instead"),
    ("n_components bool", {"n_components": True}, None, "n_components must be an integer"),
    (
        "n_components a billion",
        {"n_components": 10**9},
        None,
        "n_samples >= n_components but got n_components = 1000000000",
    ),
    ("unknown covariance", {"covariance_type": "round"}, None, "'covariance_type' parameter"),
    ("negative tol", {"tol": -1.0}, None, "'tol' parameter"),
    ("NaN tol", {"tol": float("nan")}, None, "Got nan instead"),
    ("negative reg_covar", {"reg_covar": -1e-6}, None, "'reg_covar' parameter"),
    ("negative max_iter", {"max_iter": -1}, None, "'max_iter' parameter"),
    ("n_init 0", {"n_init": 0}, None, "'n_init' parameter"),
    ("unknown init", {"init_params": "spectral"}, None, "'init_params' parameter"),
    ("random_state text", {"random_state": "abc"}, None, "'random_state' parameter"),
    ("weights_init not normalised", {"weights_init": [0.5, 0.6]}, None, "should be normalized"),
    (
        "means_init wrong shape",
        {"means_init": [[0.0, 0.0]]},
        None,
        "should have the shape of (2, 2), but got (1, 2)",
    ),
    ("means_init NaN", {"means_init": [[np.nan, 0.0], [1.0, 1.0]]}, None, "contains NaN"),
    (
        "precisions_init not PD",
        {"precisions_init": [[[1, 0], [0, -1]], [[1, 0], [0, 1]]]},
        None,
        "should be symmetric, positive-definite",
    ),
    ("X with NaN", {}, "nan", "X contains NaN or infinite values"),
    ("X 1-D", {}, "1d", "X must be 2-D"),
    ("X empty", {}, "empty", "0 sample(s)"),
    ("X text", {}, "text", "X must be a numeric array"),
    ("collapsed data without reg_covar", {"reg_covar": 0.0}, "same", "ill-defined empirical"),
]


def _data(kind: str | None, good: np.ndarray) -> Any:
    return {
        None: good,
        "nan": np.where(np.arange(200)[:, None] == 7, np.nan, good),
        "1d": good[:, 0],
        "empty": np.zeros((0, 2)),
        "text": np.array([["a", "b"]] * 10),
        "same": np.full((30, 2), 1.5),
    }[kind]


@pytest.mark.parametrize(
    ("params", "data", "message"), [pytest.param(*c[1:], id=c[0]) for c in ESTIMATOR_CASES]
)
def test_bad_estimator_input(X, params, data, message) -> None:
    model = GaussianMixture(**{"n_components": 2, "random_state": 0, **params})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning on the way is a defect too
        with pytest.raises(ValueError) as info:
            model.fit(_data(data, X))
    assert message in str(info.value), str(info.value)
    assert not hasattr(model, "means_")  # nothing half-fitted is left behind


def test_edge_parameters_that_are_allowed_give_finite_results(X) -> None:
    """What scikit-learn accepts at the edges (max_iter 0, infinite tol) fits without NaN."""
    for params in ({"max_iter": 0}, {"tol": float("inf")}, {"reg_covar": 1.0}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # "did not converge"
            model = GaussianMixture(2, random_state=0, **params).fit(X)
        assert np.all(np.isfinite(model.means_)) and np.all(np.isfinite(model.covariances_))
        assert np.all(np.isfinite(model.score_samples(X)))
