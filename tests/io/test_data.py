"""Tests of gmmviz.io._data (through the public gmmviz.io): data files, labelled export."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from gmmviz.core.datasets import make_dataset
from gmmviz.core.mixture import GaussianMixture
from gmmviz.io import load_data, save_labelled_data_csv

# ====================================================================== load_data: text


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("plain.csv", "1,2\n3,4\n5,6\n"),
        ("header.csv", "a,b\n1,2\n3,4\n5,6\n"),
        ("quoted.csv", '"a","b"\n1,2\n3,"4"\n5,6\n'),
        ("crlf.csv", "a,b\r\n1,2\r\n3,4\r\n5,6\r\n"),
        ("comments.csv", "# made by hand\n\na,b\n1,2\n# half way\n3,4\n\n5,6  # last\n"),
        ("spaces.csv", "a , b\n 1 , 2\n3,4 \n5 ,6\n"),
        ("semicolon.csv", "a;b\n1;2\n3;4\n5;6\n"),
        ("tabs.tsv", "a\tb\n1\t2\n3\t4\n5\t6\n"),
        ("tabs.txt", "1\t2\n3\t4\n5\t6\n"),
        ("white.txt", "  1  2\n3 4\n\t5   6\n"),
        ("comma.txt", "1,2\n3,4\n5,6\n"),
    ],
)
def test_text_without_labels(tmp_path, name, text) -> None:
    X, y = load_data(_write(tmp_path, name, text))
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6]])
    assert X.dtype == np.float64 and X.flags.c_contiguous
    assert y is None


def test_bom_is_ignored(tmp_path) -> None:
    X, y = load_data(_write(tmp_path, "bom.csv", "x,y,label\n1,2,0\n3,4,1\n", "utf-8-sig"))
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(y, [0, 1])


@pytest.mark.parametrize("label", ["label", "labels", "Target", "CLASS", "true_label", "y"])
def test_label_column_by_name(tmp_path, label) -> None:
    text = f"a,{label},b\n1.5,2,-1\n3,0,4e3\n-5,1,6\n"
    X, y = load_data(_write(tmp_path, "l.csv", text))
    np.testing.assert_array_equal(X, [[1.5, -1], [3, 4000], [-5, 6]])
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, [2, 0, 1])


def test_x_y_header_means_coordinates(tmp_path) -> None:
    X, y = load_data(_write(tmp_path, "xy.csv", "x,y\n1,2\n3,4\n"))
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    assert y is None
    X, y = load_data(_write(tmp_path, "xyl.csv", "x,y,class\n1,2,0\n3,4,1\n"))
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(y, [0, 1])


def test_class_names_become_sorted_codes(tmp_path) -> None:
    text = "sepal,petal,class\n1,2,virginica\n3,4,setosa\n5,6,virginica\n7,8,versicolor\n"
    X, y = load_data(_write(tmp_path, "iris.csv", text))
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    np.testing.assert_array_equal(y, [2, 0, 2, 1])


def test_many_feature_columns(tmp_path) -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(50, 5))
    labels = rng.integers(0, 3, 50)
    path = tmp_path / "wide.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["f0", "f1", "target", "f2", "f3", "f4"])
        for row, label in zip(data, labels, strict=True):
            writer.writerow([*map(repr, row[:2].tolist()), label, *map(repr, row[2:].tolist())])
    X, y = load_data(path)
    np.testing.assert_array_equal(X, data)  # repr text reads back exactly
    np.testing.assert_array_equal(y, labels)


def test_single_column(tmp_path) -> None:
    X, y = load_data(_write(tmp_path, "one.csv", "v\n1\n2\n3\n"))
    assert X.shape == (3, 1) and y is None


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("empty.csv", "", "the file is empty"),
        ("blank.csv", "\n\n  \n# only a comment\n", "the file is empty"),
        ("header_only.csv", "a,b\n", "has a header but no data rows"),
        ("one_row.csv", "a,b\n1,2\n", "needs at least 2 data rows; found 1"),
        ("one_row_no_header.txt", "1 2\n", "needs at least 2 data rows; found 1"),
        ("word.csv", "a,b\n1,2\n3,four\n", r"line 3, column 2 \('b'\): 'four' is not a number"),
        ("word_noheader.csv", "1,2\n3,4\n5,x\n", "line 3, column 2: 'x' is not a number"),
        (
            "ragged.csv",
            "a,b\n1,2\n3,4,5\n6,7\n",
            r"line 3 has 3 fields, expected 2 \(ragged rows\)",
        ),
        ("short.csv", "1,2\n\n3\n", "line 3 has 1 fields, expected 2"),
        (
            "nan.csv",
            "a,b\n1,2\nnan,4\n5,6\n7,inf\n",
            r"2 rows contain .*of 4; first at line 3",
        ),
        ("missing.csv", "a,b\n1,2\n,4\n5,6\n", r"1 row contains missing.*of 3; first at line 3"),
        ("nan_noheader.txt", "1 2\n3 -inf\n", r"1 row contains .*of 2; first at line 2"),
        ("float_label.csv", "a,label\n1,0\n2,1.5\n", r"must be integers; line 3 has 1.5"),
        ("nan_label.csv", "a,label\n1,0\n2,nan\n", r"line 3: empty label .*NaN"),
        ("empty_label.csv", "a,label\n1,0\n2,\n", "line 3: empty label"),
        ("two_labels.csv", "a,label,class\n1,0,0\n2,1,1\n", "more than one label column"),
        ("only_label.csv", "label\n0\n1\n", "no feature columns"),
        ("nul.csv", "a,b\n1,2\x00\n3,4\n", "NUL bytes"),
    ],
)
def test_bad_text_files(tmp_path, name, text, match) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(ValueError, match=match) as info:
        load_data(path)
    assert str(info.value).startswith(f"{path}: ")


def test_non_utf8_text(tmp_path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("a,b\n1,2\n3,4\n\xe9t\xe9,5\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8 text"):
        load_data(path)


def test_unsupported_suffix_and_missing_file(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"unsupported data file type '.xlsx'.*\.csv, \.tsv"):
        load_data(tmp_path / "sheet.xlsx")
    with pytest.raises(FileNotFoundError):
        load_data(tmp_path / "absent.csv")


def test_large_numeric_csv(tmp_path) -> None:
    X0, y0 = make_dataset("blobs", 200_000, seed=1)
    path = tmp_path / "big.csv"
    save_labelled_data_csv(path, X0, y0, y0, np.eye(3)[y0])  # em labels = components 0..2
    X, y = load_data(path)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# ====================================================================== load_data: npy, npz


def test_npy(tmp_path) -> None:
    path = tmp_path / "x.npy"
    np.save(path, np.arange(12, dtype=np.int32).reshape(6, 2))
    X, y = load_data(path)
    assert X.dtype == np.float64 and X.shape == (6, 2) and y is None
    np.testing.assert_array_equal(X, np.arange(12).reshape(6, 2))
    np.save(path, np.array([1.0, 2.0, 3.0]))
    X, _ = load_data(path)
    assert X.shape == (3, 1)
    Xf = np.asfortranarray(np.random.default_rng(0).normal(size=(5, 3)))
    np.save(path, Xf)
    X, _ = load_data(path)
    assert X.flags.c_contiguous
    np.testing.assert_array_equal(X, Xf)


@pytest.mark.parametrize(
    ("array", "match"),
    [
        (np.zeros((2, 2, 2)), r"2-D array .*got shape \(2, 2, 2\)"),
        (np.zeros((1, 2)), "needs at least 2 data rows; found 1"),
        (np.zeros((5, 0)), "no feature columns"),
        (np.array([["a", "b"], ["c", "d"]]), "must be numeric"),
        (np.ones((3, 2), dtype=complex), "must be numeric"),
        (
            np.array([[1.0, np.nan], [2.0, 3.0], [np.inf, 1.0]]),
            r"2 rows contain .*of 3; first at row 0",
        ),
    ],
)
def test_bad_npy(tmp_path, array, match) -> None:
    path = tmp_path / "bad.npy"
    np.save(path, array)
    with pytest.raises(ValueError, match=match):
        load_data(path)


def test_corrupt_npy(tmp_path) -> None:
    path = tmp_path / "x.npy"
    np.save(path, np.arange(100.0).reshape(50, 2))
    good = path.read_bytes()
    for content in (b"", good[:100], b"not an npy file"):
        path.write_bytes(content)
        with pytest.raises(ValueError, match=f"^{path}: "):
            load_data(path)
    np.save(path, np.array([[1, None], [2, 3]], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"holds Python objects \(pickled\)"):
        load_data(path)


def test_npz(tmp_path) -> None:
    path = tmp_path / "d.npz"
    X0 = np.random.default_rng(0).normal(size=(10, 3))
    y0 = np.arange(10) % 3
    np.savez(path, X=X0, y=y0)
    X, y = load_data(path)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert y.dtype == np.int64
    np.savez(path, X=X0)
    X, y = load_data(path)
    assert y is None
    np.savez(path, X=X0, y=y0.astype(float))
    np.testing.assert_array_equal(load_data(path)[1], y0)


@pytest.mark.parametrize(
    ("arrays", "match"),
    [
        ({"data": np.zeros((3, 2))}, r"no array named 'X' \(found: data\)"),
        ({"X": np.zeros((3, 2)), "y": np.zeros(4)}, r"y must have shape \(3,\)"),
        ({"X": np.zeros((3, 2)), "y": np.array([0.0, 0.5, 1.0])}, "must be integers; row 1"),
        ({"X": np.array([[0.0, np.nan], [1, 1]])}, "1 row contains"),
    ],
)
def test_bad_npz_data(tmp_path, arrays, match) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=match):
        load_data(path)


def test_corrupt_npz_data(tmp_path) -> None:
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((100, 2)))
    good = path.read_bytes()
    for content in (b"", good[: len(good) // 2], b"garbage"):
        path.write_bytes(content)
        with pytest.raises(ValueError, match=f"^{path}: "):
            load_data(path)


# ====================================================================== labelled export


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_export_columns_and_exact_values(tmp_path) -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(20, 2)) * 1e-7 + 1e5  # digits that only a full repr keeps
    y_true = rng.integers(0, 3, 20)
    em = rng.integers(0, 4, 20)
    resp = rng.dirichlet(np.ones(4), size=20)
    path = tmp_path / "out.csv"
    save_labelled_data_csv(path, X, y_true, em, resp)
    rows = _read_csv(path)
    assert rows[0] == ["x", "y", "true_label", "em_label", "resp_1", "resp_2", "resp_3", "resp_4"]
    body = rows[1:]
    assert len(body) == 20
    np.testing.assert_array_equal([[float(v) for v in r[:2]] for r in body], X)
    np.testing.assert_array_equal([int(r[2]) for r in body], y_true)
    np.testing.assert_array_equal([int(r[3]) for r in body], em + 1)  # components from 1
    np.testing.assert_array_equal([[float(v) for v in r[4:]] for r in body], resp)
    assert body[0][0] == repr(float(X[0, 0]))  # shortest round-trip form


def test_export_without_true_labels_and_other_dimensions(tmp_path) -> None:
    path = tmp_path / "out.csv"
    save_labelled_data_csv(path, np.zeros((3, 3)), None, [0, 1, 1], np.ones((3, 2)) / 2)
    assert _read_csv(path)[0] == ["x0", "x1", "x2", "em_label", "resp_1", "resp_2"]
    save_labelled_data_csv(path, np.zeros((3, 1)), None, [0, 0, 0], np.ones((3, 1)))
    assert _read_csv(path)[0] == ["x0", "em_label", "resp_1"]


def test_export_reads_back_as_data_and_true_labels(tmp_path) -> None:
    X0, y0 = make_dataset("moons", 300, seed=2)
    model = GaussianMixture(2, random_state=0).fit(X0)
    path = tmp_path / "labelled.csv"
    save_labelled_data_csv(path, X0, y0, model.predict(X0), model.predict_proba(X0))
    X, y = load_data(path)
    np.testing.assert_array_equal(X, X0)  # EM columns are not taken as features
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros(3), None, [0, 0, 0], np.ones((3, 1))), "X must have shape"),
        ((np.zeros((3, 2)), None, [0, 0], np.ones((3, 1))), r"em_labels must have shape \(3,\)"),
        ((np.zeros((3, 2)), [0, 1], [0, 0, 0], np.ones((3, 1))), r"y_true must have shape"),
        ((np.zeros((3, 2)), None, [0, 0, 0], np.ones((2, 1))), "responsibilities must have shape"),
        ((np.zeros((3, 2)), None, [0, 0.5, 0], np.ones((3, 1))), "em_labels must be integers"),
    ],
)
def test_export_validates(tmp_path, args, match) -> None:
    path = tmp_path / "bad.csv"
    with pytest.raises(ValueError, match=match):
        save_labelled_data_csv(path, *args)
    assert not os.path.exists(path)


def test_a_single_text_column_is_the_labels_whatever_its_name(tmp_path):
    """iris saved as CSV with its text ``species`` column opens, with the species as labels."""
    rows = ["sepal length,sepal width,petal length,petal width,species"]
    species = ["setosa", "versicolor", "virginica"]
    for i in range(30):
        rows.append(f"{5 + i * 0.1:.1f},{3 + (i % 3) * 0.2:.1f},{1 + i % 5},{0.2 * (i % 4)},"
                    f"{species[i % 3]}")  # fmt: skip
    path = tmp_path / "iris.csv"
    path.write_text("\n".join(rows) + "\n")
    X, y = load_data(path)
    assert X.shape == (30, 4)
    assert list(y[:3]) == [0, 1, 2]  # class names in sorted order
