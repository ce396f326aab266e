"""The settings records and the one table of bounds (gmmviz.app.settings; no Qt)."""

from __future__ import annotations

import json

import pytest

from gmmviz.app.settings import (
    BOUNDS,
    ModelSettings,
    check_setting,
    dataset_spec_from_dict,
    dataset_spec_to_dict,
)
from gmmviz.core.datasets import DATASETS, DatasetSpec


def test_every_bound_is_ordered_typed_and_explained():
    for name, bound in BOUNDS.items():
        assert bound.low < bound.high, name
        assert bound.kind in (int, float), name
        assert isinstance(bound.low, bound.kind) or bound.kind is float, name
        assert ". " in bound.help and bound.what, f"{name}: say what it is, then why"


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_limits_are_inclusive(name):
    bound = BOUNDS[name]
    assert check_setting(name, bound.low) == bound.low
    assert check_setting(name, bound.high) == bound.high
    step = 1 if bound.kind is int else bound.high * 1e-6 + 1e-9
    for outside in (bound.low - step, bound.high + step):
        with pytest.raises(ValueError, match=f"^{name} must be .* between "):
            check_setting(name, outside)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("n_components", "51", "K must be an integer between 1 and 50; got 51"),
        ("n_components", "two", "K must be an integer; got 'two'"),
        ("n_components", 2.5, "K must be an integer; got 2.5"),
        ("n_components", True, "K must be an integer; got True"),
        ("n_samples", "5", "K must be an integer between 10 and 1,000,000; got 5"),
        ("tol", "nan", "K must be a number between 0 and 1; got nan"),
        ("tol", "-1", "K must be a number between 0 and 1; got -1"),
    ],
)
def test_messages_name_the_setting_and_the_range(name, value, message):
    with pytest.raises(ValueError) as exc:
        check_setting(name, value, "K")
    assert str(exc.value) == message


def test_text_forms_are_read():
    assert check_setting("n_samples", "1,000") == 1000
    assert check_setting("n_samples", "1_000") == 1000
    assert check_setting("tol", "1e-4") == 1e-4


def test_model_settings_validate_against_the_table():
    assert ModelSettings().validated() == ModelSettings()
    top = ModelSettings(n_components=BOUNDS["n_components"].high)
    assert top.validated() is top
    for bad in (
        ModelSettings(n_components=BOUNDS["n_components"].high + 1),
        ModelSettings(n_components=0),
        ModelSettings(max_iter=0),
        ModelSettings(tol=-1.0),
        ModelSettings(reg_covar=float("inf")),
        ModelSettings(seed=-1),
        ModelSettings(covariance_type="round"),
        ModelSettings(init_params="guess"),
    ):
        with pytest.raises(ValueError):
            bad.validated()


def test_model_settings_round_trip_through_json():
    settings = ModelSettings(7, "diag", "random", 30, 1e-5, 1e-4, 9)
    again = ModelSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again == settings


@pytest.mark.parametrize(
    "data",
    [{"n_components": 999}, {"max_iter": "x"}, {"tol": -1}, {"covariance_type": "round"}],
)
def test_bad_model_records_give_the_defaults(data):
    assert ModelSettings.from_dict(data) == ModelSettings()
    assert ModelSettings.from_dict({"n_components": 5, "junk": 1}).n_components == 5


def test_dataset_specs_round_trip_and_are_clamped():
    spec = DatasetSpec("moons", 2000, 0.1, 4)
    assert dataset_spec_from_dict(json.loads(json.dumps(dataset_spec_to_dict(spec)))) == spec
    low, high = BOUNDS["n_samples"].low, BOUNDS["n_samples"].high
    assert dataset_spec_from_dict({"name": "blobs", "n_samples": 1}).n_samples == low
    assert dataset_spec_from_dict({"name": "blobs", "n_samples": 10**9}).n_samples == high
    assert dataset_spec_from_dict({"name": "blobs", "noise": 1e6}).noise == BOUNDS["noise"].high
    assert dataset_spec_from_dict({"name": "blobs", "seed": -3}).seed == 0
    assert dataset_spec_from_dict({"name": "spiral"}).name == "blobs"
    assert dataset_spec_from_dict({"name": "blobs", "noise": "nan"}) == DatasetSpec("blobs", 1500)
    assert dataset_spec_from_dict({"n_samples": "many"}) == DatasetSpec("blobs", 1500)


@pytest.mark.parametrize("info", DATASETS.values(), ids=list(DATASETS))
def test_every_datasets_defaults_are_within_the_bounds(info):
    """The window and the command line must accept the lecture's own settings."""
    assert BOUNDS["n_samples"].check(info.default_n_samples, "n_samples") == info.default_n_samples
    assert BOUNDS["noise"].check(info.default_noise, "noise") == info.default_noise
    assert BOUNDS["n_samples"].low >= info.min_samples
