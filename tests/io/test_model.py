"""Tests of gmmviz.io._model and _sklearn (via the public gmmviz.io): model files, to_sklearn."""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from gmmviz.core.datasets import make_dataset
from gmmviz.core.gaussian import compute_precision_cholesky, precisions_from_cholesky
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io import (
    FORMAT_NAME,
    FORMAT_VERSION,
    load_model,
    save_model,
    to_sklearn,
)

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
FORMATS = (".json", ".npz")


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    X, _ = make_dataset("varied", 600, seed=3)
    return X


@pytest.fixture(scope="module", params=COVARIANCE_TYPES)
def fitted(request, data) -> GaussianMixture:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GaussianMixture(3, covariance_type=request.param, random_state=0).fit(data)


@pytest.fixture(scope="module")
def full_model(data) -> GaussianMixture:
    """A full-covariance fit with K=3, d=2: the layout the bad-record tables are written for."""
    return GaussianMixture(3, covariance_type="full", random_state=0).fit(data)


def assert_same_params(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray) or isinstance(b[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key])
        else:
            assert a[key] == b[key], key


def assert_same_model(loaded: GaussianMixture, original: GaussianMixture) -> None:
    """Exact equality (not approximate) of everything stored and everything derived."""
    assert isinstance(loaded, GaussianMixture)
    assert_same_params(loaded.get_params(), original.get_params())
    for attr in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"):
        got, want = getattr(loaded, attr), getattr(original, attr)
        assert got.dtype == np.float64 and got.shape == want.shape, attr
        np.testing.assert_array_equal(got, want, err_msg=attr)
    assert loaded.converged_ is bool(original.converged_)
    assert loaded.n_iter_ == original.n_iter_
    assert loaded.lower_bound_ == original.lower_bound_
    assert list(loaded.lower_bounds_) == list(original.lower_bounds_)
    assert loaded.n_features_in_ == original.n_features_in_


# ====================================================================== model round trip


@pytest.mark.parametrize("suffix", FORMATS)
def test_round_trip_is_exact(fitted, data, tmp_path, suffix) -> None:
    path = tmp_path / f"model{suffix}"
    save_model(fitted, path)
    loaded = load_model(path)
    assert_same_model(loaded, fitted)
    np.testing.assert_array_equal(loaded.predict(data), fitted.predict(data))
    np.testing.assert_array_equal(loaded.predict_proba(data), fitted.predict_proba(data))
    np.testing.assert_array_equal(loaded.score_samples(data), fitted.score_samples(data))
    assert loaded.bic(data) == fitted.bic(data)


@pytest.mark.parametrize("suffix", FORMATS)
def test_round_trip_keeps_array_params_and_str_paths(data, tmp_path, suffix) -> None:
    model = GaussianMixture(
        2,
        covariance_type="diag",
        weights_init=np.array([0.25, 0.75]),
        means_init=np.array([[0.1, -3.0], [1e-300, 7.5]]),
        precisions_init=np.array([[1.0, 2.0], [0.5, 3.0]]),
        random_state=7,
        tol=1e-7,
        max_iter=5,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(data)
    path = str(tmp_path / f"m{suffix}")
    save_model(model, path)
    loaded = load_model(path)
    assert_same_model(loaded, model)
    assert isinstance(loaded.means_init, np.ndarray)


def test_json_is_versioned_and_readable(fitted, tmp_path) -> None:
    path = tmp_path / "m.json"
    save_model(fitted, path)
    text = path.read_text(encoding="utf-8")
    record = json.loads(text)
    assert record["format"] == FORMAT_NAME == "gmmviz-model"
    assert record["version"] == FORMAT_VERSION == 1
    assert record["params"]["covariance_type"] == fitted.covariance_type
    for key in (
        "weights",
        "means",
        "covariances",
        "converged",
        "n_iter",
        "lower_bound",
        "n_features_in",
    ):
        assert key in record
    assert "precisions" not in record and "precisions_cholesky" not in record
    assert text.count("\n") > 10  # indented, not one line
    assert record["weights"] == fitted.weights_.tolist()  # exact floats


def test_npz_holds_no_pickles(fitted, tmp_path) -> None:
    path = tmp_path / "m.npz"
    save_model(fitted, path)
    with np.load(path, allow_pickle=False) as archive:
        assert str(archive["format"]) == FORMAT_NAME
        assert json.loads(str(archive["params"]))["n_components"] == 3
        np.testing.assert_array_equal(archive["covariances"], fitted.covariances_)


@st.composite
def random_models(draw) -> GaussianMixture:
    """Valid fitted-model attributes, including awkward floats, built without EM."""
    k = draw(st.integers(1, 4))
    d = draw(st.integers(1, 4))
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=True)
    raw_weights = np.array(draw(st.lists(st.floats(1e-3, 1.0), min_size=k, max_size=k)))
    weights = raw_weights / raw_weights.sum()
    means = np.array(draw(st.lists(finite, min_size=k * d, max_size=k * d))).reshape(k, d)
    positive = st.floats(1e-6, 1e3)

    def spd() -> np.ndarray:
        A = np.array(draw(st.lists(st.floats(-3, 3), min_size=d * d, max_size=d * d)))
        A = A.reshape(d, d)
        return A @ A.T + draw(positive) * np.eye(d)

    if covariance_type == "full":
        covariances = np.stack([spd() for _ in range(k)])
    elif covariance_type == "tied":
        covariances = spd()
    elif covariance_type == "diag":
        covariances = np.array(draw(st.lists(positive, min_size=k * d, max_size=k * d)))
        covariances = covariances.reshape(k, d)
    else:
        covariances = np.array(draw(st.lists(positive, min_size=k, max_size=k)))
    model = GaussianMixture(
        k,
        covariance_type=covariance_type,
        tol=draw(st.floats(0, 1)),
        reg_covar=draw(st.floats(0, 1e-3)),
        random_state=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
        n_init=draw(st.integers(1, 5)),
    )
    model.weights_ = weights
    model.means_ = means
    model.covariances_ = covariances
    model.precisions_cholesky_ = compute_precision_cholesky(covariances, covariance_type)
    model.precisions_ = precisions_from_cholesky(model.precisions_cholesky_, covariance_type)
    model.converged_ = draw(st.booleans())
    model.n_iter_ = draw(st.integers(0, 10_000))
    model.lower_bound_ = draw(st.one_of(st.just(-math.inf), finite))
    model.lower_bounds_ = draw(st.lists(finite, max_size=5))
    model.n_features_in_ = d
    return model


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(model=random_models(), suffix=st.sampled_from(FORMATS))
def test_round_trip_property(model, suffix, tmp_path) -> None:
    path = tmp_path / f"h{suffix}"
    save_model(model, path)
    assert_same_model(load_model(path), model)


@pytest.mark.parametrize("suffix", FORMATS)
def test_unevaluated_lower_bound_round_trips(fitted, tmp_path, suffix) -> None:
    fitted_copy = load_model(_saved(fitted, tmp_path / f"a{suffix}"))
    fitted_copy.lower_bound_ = -math.inf
    path = tmp_path / f"b{suffix}"
    save_model(fitted_copy, path)
    assert load_model(path).lower_bound_ == -math.inf


def _saved(model, path: Path) -> Path:
    save_model(model, path)
    return path


def test_sklearn_model_can_be_saved(data, tmp_path) -> None:
    sk = SklearnGaussianMixture(3, covariance_type="full", random_state=0).fit(data)
    loaded = load_model(_saved(sk, tmp_path / "sk.json"))
    np.testing.assert_array_equal(loaded.means_, sk.means_)
    np.testing.assert_array_equal(loaded.predict(data), sk.predict(data))
    np.testing.assert_allclose(loaded.score_samples(data), sk.score_samples(data), rtol=1e-12)


# ====================================================================== save errors


@pytest.mark.parametrize("name", ["m.pkl", "m", "m.json.gz", "m.csv"])
def test_save_refuses_unknown_suffix(fitted, tmp_path, name) -> None:
    with pytest.raises(ValueError, match=r"unsupported model file type .*\.json, \.npz"):
        save_model(fitted, tmp_path / name)
    assert not list(tmp_path.iterdir())


def test_save_refuses_unfitted_model(tmp_path) -> None:
    with pytest.raises(ValueError, match="not fitted"):
        save_model(GaussianMixture(2), tmp_path / "m.json")


def test_save_refuses_random_state_objects(fitted, tmp_path) -> None:
    model = load_model(_saved(fitted, tmp_path / "ok.json"))
    model.set_params(random_state=np.random.RandomState(0))
    with pytest.raises(ValueError, match="random_state is a RandomState"):
        save_model(model, tmp_path / "m.json")


def test_failed_save_leaves_existing_file_and_no_temporaries(fitted, tmp_path) -> None:
    path = _saved(fitted, tmp_path / "m.json")
    before = path.read_bytes()
    broken = load_model(path)
    broken.set_params(random_state=np.random.RandomState(0))
    with pytest.raises(ValueError):
        save_model(broken, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_save_to_missing_directory_is_oserror(fitted, tmp_path) -> None:
    with pytest.raises(OSError):
        save_model(fitted, tmp_path / "no" / "such" / "m.json")


# ====================================================================== bad model files


def _json_record(fitted, tmp_path) -> dict:
    return json.loads(_saved(fitted, tmp_path / "good.json").read_text())


FULL_BAD_JSON = [
    # (mutation of the record, expected message)
    (lambda r: r.update(format="something-else"), "format is 'something-else'"),
    (lambda r: r.pop("format"), "no 'format' entry"),
    (lambda r: r.update(version=2), "newer gmmviz .format version 2"),
    (lambda r: r.update(version=0), "unsupported format version 0"),
    (lambda r: r.update(version="1"), "'version' must be an integer"),
    (lambda r: r.pop("weights"), "missing entry 'weights'"),
    (lambda r: (r.pop("means"), r.pop("params")), "missing entries 'params', 'means'"),
    (lambda r: r["params"].update(colour="red"), "unknown parameter.*'colour'"),
    (lambda r: r.update(params=[1, 2]), "'params' must be an object"),
    (lambda r: r["params"].update(covariance_type="banana"), "covariance_type must be one of"),
    (lambda r: r["params"].update(n_components=0), "'n_components' must be >= 1"),
    (lambda r: r["params"].update(n_components=2.5), "'n_components' must be an integer"),
    (lambda r: r["params"].update(init_params="magic"), "init_params must be one of"),
    (lambda r: r["params"].update(tol=-1.0), "tol must be a number >= 0"),
    (lambda r: r["params"].update(max_iter="many"), "max_iter' must be an integer"),
    (lambda r: r["params"].update(means_init=[[0.0, 0.0]]), r"means_init has shape \(1, 2\)"),
    (lambda r: r["params"].update(random_state=-4), "random_state' must be >= 0"),
    (lambda r: r.update(n_features_in=3), r"'means' has shape \(3, 2\), expected \(3, 3\)"),
    (lambda r: r.update(weights=r["weights"][:2]), r"'weights' has shape \(2,\)"),
    (lambda r: r.update(means=r["means"][0]), r"'means' has shape \(2,\)"),
    (lambda r: r.update(covariances=r["covariances"][:2]), "'covariances' has shape"),
    (lambda r: r.update(weights=[1.2, -0.1, -0.1]), "'weights' has negative entries"),
    (lambda r: r.update(weights=[0.3, 0.3, 0.3]), "'weights' sum to 0.9"),
    (lambda r: r["means"][1].__setitem__(0, "a"), "'means' must contain numbers only"),
    (lambda r: r["means"][1].append(0.0), "'means' is not a rectangular array"),
    (lambda r: r["means"][1].__setitem__(0, None), "'means' must contain numbers only"),
    (lambda r: r.update(converged="yes"), "'converged' must be true or false"),
    (lambda r: r.update(n_iter=-1), "'n_iter' must be >= 0"),
    (lambda r: r.update(lower_bound="low"), "'lower_bound' must be a number"),
    (lambda r: r.update(lower_bounds=[[1.0]]), "'lower_bounds' must be a list of numbers"),
]


@pytest.mark.parametrize(("mutate", "match"), FULL_BAD_JSON)
def test_bad_json_records(full_model, tmp_path, mutate, match) -> None:
    record = _json_record(full_model, tmp_path)
    mutate(record)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(record))
    with pytest.raises(ValueError, match=match) as info:
        load_model(path)
    assert str(info.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("covariance_type", "covariances", "match"),
    [
        ("full", [[[1.0, 2.0], [2.0, 1.0]]] * 3, "component 0 is not positive definite"),
        (
            "full",
            [[[1.0, 0.0], [0.0, 1.0]]] * 2 + [[[1.0, 0.5], [0.0, 1.0]]],
            "component 2 is not symmetric",
        ),
        ("tied", [[1.0, 0.0], [0.0, -1.0]], "the tied covariance is not positive definite"),
        ("diag", [[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]], "component 1 are not all > 0"),
        ("spherical", [1.0, 1.0, -2.0], "component 2 are not all > 0"),
    ],
)
def test_covariances_must_be_positive_definite(
    data, tmp_path, covariance_type, covariances, match
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(data)
    record = json.loads(_saved(model, tmp_path / "good.json").read_text())
    record["covariances"] = covariances
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(record))
    with pytest.raises(ValueError, match=match):
        load_model(path)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_values_are_refused(fitted, tmp_path, token) -> None:
    text = _saved(fitted, tmp_path / "good.json").read_text()
    record = json.loads(text)
    first_mean = json.dumps(record["means"][0][0])
    path = tmp_path / "bad.json"
    path.write_text(text.replace(first_mean, token, 1))
    with pytest.raises(ValueError, match="'means' contains NaN or infinite values"):
        load_model(path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"[1, 2, 3]", "top level is a list"),
        (
            b'{"format": "gmmviz-model", "version": 1, "weig',
            "not valid JSON .*truncated or corrupt",
        ),
        (b"\xff\xfe\x00garbage", "not a UTF-8 text file"),
        (b"{" * 100_000, "not valid JSON|nested too deeply"),
    ],
)
def test_corrupt_json_files(tmp_path, content, match) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load_model(path)


def test_truncated_json_file(fitted, tmp_path) -> None:
    good = _saved(fitted, tmp_path / "good.json").read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="not valid JSON"):
        load_model(path)


def _npz_arrays(fitted, tmp_path) -> dict[str, np.ndarray]:
    with np.load(_saved(fitted, tmp_path / "good.npz")) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda a: a.update(format=np.array("other")), "format is 'other'"),
        (lambda a: a.update(version=np.array(7)), "format version 7"),
        (lambda a: a.pop("covariances"), "missing entry 'covariances'"),
        (lambda a: a.update(params=np.array("{not json")), "'params' is not valid JSON"),
        (lambda a: a.update(params=np.array(3.0)), "'params' must be a JSON string"),
        (lambda a: a.update(means=a["means"][:, :1]), r"'means' has shape \(3, 1\)"),
        (lambda a: a.update(weights=a["weights"] * 2), "'weights' sum to"),
        (lambda a: a["covariances"].flat.__setitem__(0, np.nan), "'covariances' contains NaN"),
        (lambda a: a.update(means=a["means"].astype(str)), "'means' must contain numbers only"),
        (lambda a: a.update(converged=np.array(1)), "'converged' must be true or false"),
    ],
)
def test_bad_npz_records(full_model, tmp_path, mutate, match) -> None:
    arrays = _npz_arrays(full_model, tmp_path)
    mutate(arrays)
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=match) as info:
        load_model(path)
    assert str(info.value).startswith(f"{path}: ")


def test_corrupt_npz_files(fitted, tmp_path) -> None:
    good = _saved(fitted, tmp_path / "good.npz").read_bytes()
    cases = {
        "empty.npz": b"",
        "truncated.npz": good[: len(good) // 2],
        "garbage.npz": b"this is not a zip archive at all",
        "flipped.npz": good[:200] + bytes(b ^ 0xFF for b in good[200:400]) + good[400:],
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=f"^{path}: ") as info:
            load_model(path)
        assert "Traceback" not in str(info.value)


def test_npy_file_named_npz(tmp_path) -> None:
    path = tmp_path / "array.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.eye(2))
    with pytest.raises(ValueError, match=r"a \.npy array, not an \.npz archive"):
        load_model(path)


def test_pickled_object_in_npz_is_refused(fitted, tmp_path) -> None:
    arrays = _npz_arrays(fitted, tmp_path)
    arrays["params"] = np.array([{"evil": 1}], dtype=object)
    path = tmp_path / "pickle.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"not a readable \.npz archive"):
        load_model(path)


def test_load_model_suffix_and_missing_file(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"unsupported model file type '\.txt'"):
        load_model(tmp_path / "m.txt")
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.json")


# ====================================================================== to_sklearn


def test_to_sklearn_predicts_like_the_original(fitted, data) -> None:
    sk = to_sklearn(fitted)
    assert isinstance(sk, SklearnGaussianMixture)
    np.testing.assert_array_equal(sk.predict(data), fitted.predict(data))
    # Two implementations of the same log-density: equal to rounding, not bit for bit.
    np.testing.assert_allclose(
        sk.predict_proba(data), fitted.predict_proba(data), rtol=1e-12, atol=1e-13
    )
    np.testing.assert_allclose(
        sk.score_samples(data), fitted.score_samples(data), rtol=1e-13, atol=0
    )
    assert sk.bic(data) == pytest.approx(fitted.bic(data), rel=1e-13)
    params = sk.get_params()
    for name, value in fitted.get_params().items():
        if name in params:
            assert params[name] == value
    assert "backend" not in params


def test_to_sklearn_is_independent_of_the_original(fitted, data) -> None:
    sk = to_sklearn(fitted)
    sk.means_[0, 0] += 100.0
    assert fitted.means_[0, 0] != sk.means_[0, 0]


def test_to_sklearn_of_loaded_model(fitted, data, tmp_path) -> None:
    loaded = load_model(_saved(fitted, tmp_path / "m.npz"))
    np.testing.assert_array_equal(to_sklearn(loaded).predict(data), fitted.predict(data))


def test_to_sklearn_refuses_unfitted() -> None:
    with pytest.raises(ValueError, match="not fitted"):
        to_sklearn(GaussianMixture(2))


def test_to_sklearn_without_sklearn(fitted, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.mixture", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"to_sklearn needs scikit-learn.*pip install"):
        to_sklearn(fitted)
