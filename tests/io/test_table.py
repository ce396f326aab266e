"""A data file as a table of columns: kinds, bad rows counted, the choice applied."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz.io import LoadCancelled, TableChoice, load_data, read_table


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_text_columns_are_listed_and_left_out_not_fatal(tmp_path) -> None:
    path = _write(
        tmp_path,
        "people.csv",
        'id,name,height,weight,city\n1,"Smith, Ann",1.7,60,Oslo\n2,Bob,1.8,80,Rome\n'
        "3,Eve,1.6,55,Oslo\n",
    )
    table = read_table(path)
    assert [(c.name, c.kind) for c in table.columns] == [
        ("id", "number"),
        ("name", "text"),
        ("height", "number"),
        ("weight", "number"),
        ("city", "text"),
    ]
    choice = table.default_choice()
    assert choice == TableChoice((0, 2, 3), None)  # two text columns: neither is guessed
    X, y, names = table.select(TableChoice((2, 3), label=4))
    np.testing.assert_array_equal(X, [[1.7, 60], [1.8, 80], [1.6, 55]])
    np.testing.assert_array_equal(y, [0, 1, 0])  # Oslo, Rome in sorted order
    assert names == ("height", "weight")
    assert table.preview[1][1] == "Smith, Ann"  # a quoted delimiter stays in its cell


def test_bad_rows_are_counted_and_dropped_only_when_chosen(tmp_path) -> None:
    text = "a,b,species\n1,2,x\nnan,4,y\n5,,x\n7,8,\n9,10,y\n11,inf,x\n"
    table = read_table(_write(tmp_path, "holes.csv", text))
    assert [c.n_bad for c in table.columns] == [1, 2, 1]
    choice = table.default_choice()
    assert choice == TableChoice((0, 1), 2)
    bad = table.bad_rows(choice)
    np.testing.assert_array_equal(bad, [False, True, True, True, False, True])
    with pytest.raises(ValueError, match=r"4 rows contain missing.*of 6; first at line 3"):
        table.select(choice)
    X, y, _ = table.select(TableChoice((0, 1), 2, drop_bad_rows=True))
    np.testing.assert_array_equal(X, [[1, 2], [9, 10]])
    np.testing.assert_array_equal(y, [0, 1])
    # only column a chosen, no labels: two rows go
    assert table.bad_rows(TableChoice((0,))).sum() == 1


def test_a_word_in_a_number_column_is_a_bad_cell_named_by_line(tmp_path) -> None:
    text = "a,b\n1,2\n3,n/a\n5,6\n7,8\n"
    table = read_table(_write(tmp_path, "na.csv", text))
    assert table.columns[1].kind == "number" and table.columns[1].n_bad == 1
    with pytest.raises(ValueError, match=r"line 3, column 2 \('b'\): 'n/a' is not a number"):
        table.select(table.default_choice())
    X, _, _ = table.select(TableChoice((0, 1), drop_bad_rows=True))
    assert X.shape == (3, 2)


def test_thousands_separators_get_a_hint(tmp_path) -> None:
    text = 'a,b\n"1,234","2,000"\n"3,400","5,600"\n'
    with pytest.raises(ValueError, match="thousands separators"):
        load_data(_write(tmp_path, "thousands.csv", text))


def test_utf16_with_bom_is_read(tmp_path) -> None:
    path = _write(tmp_path, "excel.txt", "a\tb\r\n1\t2\r\n3\t4\r\n", "utf-16")
    X, y = load_data(path)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    assert y is None


def test_ragged_rows_are_found_beside_text_columns(tmp_path) -> None:
    text = "a,b,s\n1,2,x\n3,4,y,5\n"
    with pytest.raises(ValueError, match=r"line 3 has 4 fields, expected 3 \(ragged rows\)"):
        read_table(_write(tmp_path, "r.csv", text))


def test_progress_reaches_one_and_cancel_stops(tmp_path) -> None:
    rows = "\n".join(f"{i},{i * 2}" for i in range(120_000))
    path = _write(tmp_path, "big.csv", "a,b\n" + rows + "\n")
    seen: list[float] = []
    table = read_table(path, progress=seen.append)
    assert table.n_rows == 120_000
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == 1.0
    calls = []

    def cancel_after_first_chunk() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(LoadCancelled):
        read_table(path, cancelled=cancel_after_first_chunk)


def test_npy_header_claiming_more_than_the_file_holds(tmp_path) -> None:
    path = tmp_path / "huge.npy"
    np.save(path, np.zeros((4, 2)))
    raw = path.read_bytes()
    header_length = int.from_bytes(raw[8:10], "little")
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000000, 2), }"
    header = header.ljust(header_length - 1) + b"\n"  # same length: a valid v1.0 header
    path.write_bytes(raw[:10] + header + raw[10 + header_length :])
    with pytest.raises(ValueError, match=r"claims .* but the file holds"):
        load_data(path)


def test_choice_record_round_trip_and_refusals() -> None:
    choice = TableChoice((0, 3), 2, True)
    assert TableChoice.from_record(choice.to_record()) == choice
    refused = (None, [], {"features": "0"}, {"features": [0, -1]}, {"features": [True]},
               {"features": [0], "label": "y"}, {"features": [0], "drop_bad_rows": 1})  # fmt: skip
    for bad in refused:
        with pytest.raises(ValueError, match="column choice"):
            TableChoice.from_record(bad)


@pytest.mark.parametrize(
    ("choice", "match"),
    [
        (TableChoice(()), "no feature columns"),
        (TableChoice((0, 7)), "has 3 columns; there is no column 8"),
        (TableChoice((0, 0)), "chosen twice"),
        (TableChoice((0, 1), 1), "cannot also be a feature"),
        (TableChoice((0, 2)), r"column 3 \('s'\) holds text"),
    ],
)
def test_impossible_choices_are_refused(tmp_path, choice, match) -> None:
    table = read_table(_write(tmp_path, "t.csv", "a,b,s\n1,2,x\n3,4,y\n"))
    with pytest.raises(ValueError, match=match):
        table.select(choice)


def test_npz_labels_are_the_default_label_column(tmp_path) -> None:
    path = tmp_path / "d.npz"
    np.savez(path, X=np.arange(6.0).reshape(3, 2), y=np.array(["b", "a", "b"]))
    table = read_table(path)
    assert table.default_choice() == TableChoice((0, 1), 2)
    X, y, names = table.select(table.default_choice())
    np.testing.assert_array_equal(X, [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(y, [1, 0, 1])
    assert names == ()
