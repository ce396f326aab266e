"""A data file read as a table of columns, before anyone has chosen what to fit.

:func:`read_table` parses a CSV / TSV / TXT file (header optional, any common delimiter,
quoted fields, a UTF-8 BOM or UTF-16 with its BOM), an ``.npy`` array or an ``.npz`` archive
into a :class:`Table`: every column with its kind (numbers or text), its bad cells counted,
and the first rows as text for a preview. Nothing is refused that a person could still fix
by choosing columns: text columns are listed, rows with missing, NaN or infinite values are
counted. :meth:`Table.select` then turns a :class:`TableChoice` (feature columns, an optional
label column, whether to drop the bad rows) into ``(X, y, names)``, and refuses with a clear
``ValueError`` whatever is still wrong. Large files are read in chunks, reporting progress
and stopping when asked (:class:`LoadCancelled`).
"""

from __future__ import annotations

import codecs
import csv
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "LABEL_COLUMN_NAMES",
    "ColumnInfo",
    "LoadCancelled",
    "Table",
    "TableChoice",
    "parse_text_table",
]

#: Header names (case-insensitive) that mark the column of true labels in a text data file.
#: ``y`` counts only when no column is named ``x`` (then ``x, y`` are coordinates).
#: ``component`` is the column of :func:`gmmviz.io.save_points_csv` (``gmmviz sample``).
LABEL_COLUMN_NAMES: tuple[str, ...] = (
    "label",
    "labels",
    "y",
    "target",
    "class",
    "true_label",
    "component",
)
PREVIEW_ROWS = 20
_KIND_SAMPLE = 200  # a column is text when most of its first 200 non-empty cells are
_CHUNK_LINES = 20_000  # lines parsed at a time: progress, Cancel, short holds of the GIL
_CHUNK_CHARS = 1 << 20  # text decoded and split at a time, for the same reasons
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,.' ]\d{3})+([.,]\d+)?$")

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


class LoadCancelled(Exception):
    """The person cancelled reading a file."""


@dataclass(frozen=True)
class TableChoice:
    """What to fit from a :class:`Table`.

    Attributes
    ----------
    features : tuple of int
        Column indices of the features, in order.
    label : int or None
        Column index of the true labels.
    drop_bad_rows : bool
        Drop rows with a missing, NaN, infinite or non-numeric cell among the chosen
        columns; when False such rows are an error.
    """

    features: tuple[int, ...]
    label: int | None = None
    drop_bad_rows: bool = False

    def to_record(self) -> dict[str, Any]:
        return {"features": list(self.features), "label": self.label,
                "drop_bad_rows": self.drop_bad_rows}  # fmt: skip

    @classmethod
    def from_record(cls, record: Any) -> TableChoice:
        """Inverse of :meth:`to_record`; ``ValueError`` for anything else."""
        if not isinstance(record, dict):
            raise ValueError("the column choice must be a mapping")
        features, label = record.get("features"), record.get("label")
        if not isinstance(features, list) or not all(
            isinstance(j, int) and not isinstance(j, bool) and j >= 0 for j in features
        ):
            raise ValueError("the column choice's features must be a list of column numbers")
        if label is not None and (not isinstance(label, int) or isinstance(label, bool)):
            raise ValueError("the column choice's label must be a column number or null")
        drop = record.get("drop_bad_rows", False)
        if not isinstance(drop, bool):
            raise ValueError("the column choice's drop_bad_rows must be true or false")
        return cls(tuple(features), label, drop)


@dataclass(frozen=True)
class ColumnInfo:
    """One column of a :class:`Table`.

    Attributes
    ----------
    name : str
        The header's name, else ``"column <j+1>"``.
    kind : {"number", "text"}
    n_bad : int
        Number column: cells that are empty, NaN, infinite or not a number. Text column:
        empty cells.
    first_text : str
        Number column: where the first cell that is not a number is (``"line 7: 'abc'"``),
        else ``""``.
    """

    name: str
    kind: str
    n_bad: int = 0
    first_text: str = ""


@dataclass(eq=False)
class Table:
    """A data file's columns, before the choice of features and labels.

    Attributes
    ----------
    path : Path
    columns : list of ColumnInfo
        C columns.
    numbers : ndarray of shape (N, C), float64
        Every cell as a number; NaN where a cell is empty or not a number (text columns are
        all NaN unless their cells are numbers).
    texts : dict of int to ndarray of shape (N,), str
        The cells of the text columns.
    line_numbers : ndarray of shape (N,), int64, or None
        Each row's line in a text file (for messages); None for arrays (rows count from 0).
    preview : list of list of str
        The first rows' cells as written, at most :data:`PREVIEW_ROWS`.
    has_header : bool
    label_column : int or None
        The labels' column when the file says which it is (an archive's ``y``).
    """

    path: Path
    columns: list[ColumnInfo]
    numbers: np.ndarray
    texts: dict[int, np.ndarray] = field(default_factory=dict)
    line_numbers: np.ndarray | None = None
    preview: list[list[str]] = field(default_factory=list)
    has_header: bool = False
    label_column: int | None = None

    @property
    def n_rows(self) -> int:
        return int(self.numbers.shape[0])

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def row_name(self, i: int) -> str:
        """How messages name row ``i``: its line in a text file, else ``row i``."""
        if self.line_numbers is None:
            return f"row {i}"
        return f"line {int(self.line_numbers[i])}"

    def column_name(self, j: int) -> str:
        if not self.has_header:
            return f"column {j + 1}"
        return f"column {j + 1} ({self.columns[j].name!r})"

    # ------------------------------------------------------------------ the choice

    def default_choice(self) -> TableChoice:
        """A label column by name (:data:`LABEL_COLUMN_NAMES`) or, failing that, the only
        text column (iris's ``species``); every other number column is a feature, except
        the EM output columns of an export (``em_label``, ``resp_<k>``).

        Raises
        ------
        ValueError
            When the header names more than one label column.
        """
        label = self.label_column if self.label_column is not None else self._named_label()
        text_cols = [j for j, c in enumerate(self.columns) if c.kind == "text"]
        if label is None and self.has_header and len(text_cols) == 1:
            label = text_cols[0]
        features = tuple(
            j for j, c in enumerate(self.columns)
            if j != label and c.kind == "number" and not _is_derived_column(c.name)
        )  # fmt: skip
        return TableChoice(features, label)

    def _named_label(self) -> int | None:
        if not self.has_header:
            return None
        names = [c.name.strip().lower() for c in self.columns]
        candidates = [i for i, n in enumerate(names) if n in LABEL_COLUMN_NAMES]
        if "x" in names:
            candidates = [i for i in candidates if names[i] != "y"]  # x, y are coordinates
        if len(candidates) > 1:
            listed = ", ".join(repr(self.columns[i].name) for i in candidates)
            raise ValueError(f"{self.path}: more than one label column ({listed}); keep one")
        return candidates[0] if candidates else None

    def bad_rows(self, choice: TableChoice) -> np.ndarray:
        """Rows (N,) bool with a bad cell among the chosen columns: a feature that is
        empty, NaN, infinite or not a number, or an empty or NaN label."""
        self._check_columns(choice)
        cols = list(choice.features)
        bad = ~np.isfinite(self.numbers[:, cols]).all(axis=1)
        if choice.label is not None:
            j = choice.label
            if j in self.texts:
                bad |= self.texts[j] == ""
            else:
                bad |= ~np.isfinite(self.numbers[:, j])
        return bad

    def _check_columns(self, choice: TableChoice) -> None:
        n = len(self.columns)
        if not choice.features:
            raise ValueError(f"{self.path}: no feature columns{self._left_out_note()}")
        for j in (*choice.features, *(() if choice.label is None else (choice.label,))):
            if not 0 <= j < n:
                raise ValueError(f"{self.path}: has {n} columns; there is no column {j + 1}")
        if len(set(choice.features)) != len(choice.features):
            raise ValueError(f"{self.path}: a feature column is chosen twice")
        if choice.label in choice.features:
            raise ValueError(f"{self.path}: the label column cannot also be a feature")
        for j in choice.features:
            if self.columns[j].kind != "number":
                raise ValueError(
                    f"{self.path}: {self.column_name(j)} holds text, not numbers; it can be the "
                    "labels but not a feature" + _thousands_hint(self.texts.get(j))
                )

    def _left_out_note(self) -> str:
        text = [j for j, c in enumerate(self.columns) if c.kind == "text"]
        if not text:
            return ""
        hint = next((h for j in text if (h := _thousands_hint(self.texts.get(j)))), "")
        listed = ", ".join(repr(self.columns[j].name) for j in text[:5])
        if len(text) > 5:
            listed += f" and {len(text) - 5} more"
        return f" (text columns left out: {listed}){hint}"

    def select(self, choice: TableChoice) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
        """The data set the choice describes.

        Returns
        -------
        X : ndarray of shape (M, d), float64, C-contiguous
            M >= 2 rows (after dropping the bad rows when the choice says so).
        y : ndarray of shape (M,), int64, or None
            Labels: integers keep their values, class names become 0..C-1 in sorted order.
        names : tuple of str
            The features' header names, or ``()`` without a header.

        Raises
        ------
        ValueError
            ``"<path>: <problem>"`` naming the line and column where there is one.
        """
        bad = self.bad_rows(choice)
        if bad.any() and not choice.drop_bad_rows:
            self._raise_bad(choice, bad)
        keep = ~bad
        n_kept = int(keep.sum())
        if self.n_rows == 0:
            raise ValueError(f"{self.path}: has a header but no data rows")
        if n_kept < 2:
            what = " after dropping the bad rows" if bad.any() else ""
            raise ValueError(f"{self.path}: needs at least 2 data rows{what}; found {n_kept}")
        all_kept = bool(keep.all())
        cols = list(choice.features)
        X = self.numbers[:, cols] if all_kept else self.numbers[keep][:, cols]
        X = np.ascontiguousarray(X, dtype=np.float64)
        names = tuple(self.columns[j].name for j in cols) if self.has_header else ()
        if choice.label is None:
            return X, None, names
        lines = self.line_numbers if all_kept or self.line_numbers is None else None
        y = self._labels(choice.label, keep, all_kept, lines)
        return X, y, names

    def _raise_bad(self, choice: TableChoice, bad: np.ndarray) -> None:
        first_row = int(np.flatnonzero(bad)[0])
        first_line = None if self.line_numbers is None else int(self.line_numbers[first_row])
        for j in choice.features:
            text = self.columns[j].first_text
            line, _, cell = text.partition(": ")
            if text and first_line is not None and int(line.split()[-1]) == first_line:
                # the first bad row holds a word where a number belongs: say which
                where = f"{self.path}: {line}, {self.column_name(j)}"
                raise ValueError(f"{where}: {cell} is not a number")
        if choice.label is not None and bad[first_row]:
            j = choice.label
            row_ok = np.isfinite(self.numbers[first_row, list(choice.features)]).all()
            if row_ok:
                raise ValueError(
                    f"{self.path}: {self.row_name(first_row)}: empty label in "
                    f"{self.column_name(j)} (empty, NaN or infinite)"
                )
        n_bad = int(bad.sum())
        rows = "1 row contains" if n_bad == 1 else f"{n_bad} rows contain"
        raise ValueError(
            f"{self.path}: {rows} missing, NaN, infinite or non-numeric values (of "
            f"{self.n_rows}; first at {self.row_name(first_row)}); the window's Open dialog "
            "can leave those columns out or drop those rows"
        )

    def class_names(self, choice: TableChoice) -> tuple[str, ...]:
        """The names of the classes of a text label column, in the order of their codes
        (0..C-1) among the rows :meth:`select` keeps; ``()`` for numeric labels or none."""
        j = choice.label
        if j is None or j not in self.texts:
            return ()
        values = self.texts[j]
        if choice.drop_bad_rows:
            values = values[~self.bad_rows(choice)]
        return tuple(str(v) for v in np.unique(values))

    def _labels(
        self, j: int, keep: np.ndarray, all_kept: bool, lines: np.ndarray | None
    ) -> np.ndarray:
        where = f"labels in {self.column_name(j)}"
        if j in self.texts:
            values = self.texts[j] if all_kept else self.texts[j][keep]
            _, codes = np.unique(values, return_inverse=True)
            return codes.reshape(-1).astype(np.int64)
        values = self.numbers[:, j] if all_kept else self.numbers[keep, j]
        fractional = values != np.round(values)
        if fractional.any():
            i = int(np.flatnonzero(fractional)[0])
            row = f"line {int(lines[i])}" if lines is not None else f"row {i}"
            raise ValueError(
                f"{self.path}: {where} must be integers; {row} has {float(values[i])!r}"
            )
        return values.astype(np.int64)


def _is_derived_column(name: str) -> bool:
    """True for the EM-output columns that :func:`save_labelled_data_csv` adds."""
    name = name.strip().lower()
    return name == "em_label" or (name.startswith("resp_") and name[5:].isdigit())


def _thousands_hint(cells: np.ndarray | None) -> str:
    if cells is None:
        return ""
    sample = next((c for c in cells[:_KIND_SAMPLE] if c), "")
    if _THOUSANDS.match(sample):
        return f"; {sample!r} looks like a number with thousands separators: save it without them"
    return ""


def _is_number(cell: str) -> bool:
    """Whether ``float`` accepts ``cell`` (which includes 'nan' and 'inf')."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _decoded_pieces(raw: bytes, path: Path) -> Iterator[str]:
    """The text of ``raw`` (UTF-8 with or without a BOM, or UTF-16 with its BOM), a piece
    at a time (decoding or joining hundreds of megabytes at once would hold the GIL)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            yield raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not valid UTF-16 text despite its byte-order mark") from None
        return
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    for start in range(0, len(raw) + 1, _CHUNK_CHARS):
        final = start + _CHUNK_CHARS > len(raw)
        try:
            piece = decoder.decode(raw[start : start + _CHUNK_CHARS], final=final)
        except UnicodeDecodeError as exc:
            where = start + exc.start - (3 if raw.startswith(codecs.BOM_UTF8) else 0)
            raise ValueError(
                f"{path}: not UTF-8 text (byte {max(where, 0)}); is it a text file? "
                "Save it as CSV (UTF-8)"
            ) from None
        if "\x00" in piece:
            raise ValueError(f"{path}: contains NUL bytes; not a text data file")
        yield piece


def _content_lines(pieces: Iterable[str]) -> tuple[list[str], list[int]]:
    """The lines holding data, comments (``#`` to the end) removed, and their 1-based
    numbers, splitting lines like a file opened in text mode. ``pieces`` are consecutive
    parts of the text; a line may run across them."""
    bodies: list[str] = []
    numbers: list[int] = []
    number = 0
    carry = ""

    def take(block: str) -> None:
        nonlocal number
        comments = "#" in block
        for line in block.splitlines():
            number += 1
            if comments:
                line = line.split("#", 1)[0]
            if line.strip():
                bodies.append(line)
                numbers.append(number)

    for piece in pieces:
        piece = carry + piece
        cut = piece.rfind("\n")  # after a newline, so a "\r\n" stays whole
        if cut < 0:
            carry = piece
            continue
        carry = piece[cut + 1 :]
        take(piece[: cut + 1])
    take(carry)
    return bodies, numbers


def _splitter(delimiter: str | None) -> Callable[[Sequence[str]], list[list[str]]]:
    if delimiter is None:
        return lambda lines: [line.split() for line in lines]

    def split(lines: Sequence[str]) -> list[list[str]]:
        rows = list(csv.reader(lines, delimiter=delimiter))
        if len(rows) != len(lines):
            # an unclosed quote ran on into the next lines: one row per line, as written
            rows = [next(csv.reader([line], delimiter=delimiter), []) for line in lines]
        return [[c.strip() for c in row] for row in rows]

    return split


def parse_text_table(
    path: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Table:
    """Read and parse a text data file into a :class:`Table` (see :func:`read_table`)."""
    from gmmviz.io._files import read_nonempty

    bodies, numbers = _content_lines(_decoded_pieces(read_nonempty(path), path))
    if progress is not None:
        progress(0.2)
    if not bodies:
        raise ValueError(f"{path}: the file is empty (no data rows)")
    first_line = bodies[0]
    default = {".csv": ",", ".tsv": "\t"}.get(path.suffix.lower())
    delimiter = next((c for c in (default, ",", "\t", ";") if c and c in first_line), None)
    split = _splitter(delimiter)
    first_cells = split([first_line])[0]
    n_cols = len(first_cells)
    has_header = not all(_is_number(c) for c in first_cells)
    start = 1 if has_header else 0
    names = [c or f"column {j + 1}" for j, c in enumerate(first_cells)] if has_header else [
        f"column {j + 1}" for j in range(n_cols)]  # fmt: skip
    rows = bodies[start:]
    line_numbers = np.asarray(numbers[start:], dtype=np.int64)
    del bodies, numbers

    sample = split(rows[:_KIND_SAMPLE])
    _check_ragged(sample, n_cols, line_numbers, path)
    kinds = []
    for j in range(n_cols):
        cells = [r[j] for r in sample if r[j]]
        n_text = sum(not _is_number(c) for c in cells)
        kinds.append("text" if n_text > len(cells) - n_text else "number")
    text_cols = [j for j in range(n_cols) if kinds[j] == "text"]
    number_cols = [j for j in range(n_cols) if kinds[j] == "number"]

    n = len(rows)
    values = np.full((n, n_cols), np.nan)
    texts = {j: np.empty(n, dtype=object) for j in text_cols}
    first_text = [""] * n_cols
    n_text_cells = [0] * n_cols
    # about a megabyte of text per chunk: numpy's parser holds the GIL while it works
    width = sum(len(r) for r in rows[:_KIND_SAMPLE]) / max(min(n, _KIND_SAMPLE), 1)
    chunk_lines = int(min(_CHUNK_LINES, max(500, _CHUNK_CHARS // max(width, 1))))
    for lo in range(0, n, chunk_lines):
        if cancelled is not None and cancelled():
            raise LoadCancelled(f"reading {path.name} was cancelled")
        chunk = rows[lo : lo + chunk_lines]
        fast = _fast_chunk(chunk, delimiter, number_cols, text_cols)
        if fast is not None:
            values[lo : lo + len(chunk), number_cols] = fast[0]
            for j, column in zip(text_cols, fast[1], strict=True):
                texts[j][lo : lo + len(chunk)] = column
        else:
            cells = split(chunk)
            _check_ragged(cells, n_cols, line_numbers[lo:], path)
            for j in number_cols:
                column, bad = _to_numbers([r[j] for r in cells])
                values[lo : lo + len(chunk), j] = column
                for i in bad:
                    n_text_cells[j] += 1
                    if not first_text[j]:
                        first_text[j] = f"line {int(line_numbers[lo + i])}: {cells[i][j]!r}"
            for j in text_cols:
                texts[j][lo : lo + len(chunk)] = [r[j] for r in cells]
        if progress is not None:
            progress(0.2 + 0.8 * min(1.0, (lo + len(chunk)) / max(n, 1)))
    columns = []
    for j in range(n_cols):
        if kinds[j] == "number":
            n_bad = int((~np.isfinite(values[:, j])).sum())
            columns.append(ColumnInfo(names[j], "number", n_bad, first_text[j]))
        else:
            texts[j] = texts[j].astype(str)
            columns.append(ColumnInfo(names[j], "text", int((texts[j] == "").sum())))
    preview = [first_cells] if has_header else []
    preview += split(rows[:PREVIEW_ROWS])
    return Table(path, columns, values, texts, line_numbers, preview, has_header)


def _check_ragged(cells: list[list[str]], n_cols: int, lines: np.ndarray, path: Path) -> None:
    for i, row in enumerate(cells):
        if len(row) != n_cols:
            raise ValueError(
                f"{path}: line {int(lines[i])} has {len(row)} fields, expected {n_cols} "
                "(ragged rows)"
            )


def _fast_chunk(
    chunk: list[str], delimiter: str | None, number_cols: list[int], text_cols: list[int]
) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """numpy's C parser on a well-formed chunk: the number columns (n, len(number_cols)) and
    each text column's stripped cells (n,); None when anything is off (a ragged row, an
    empty or non-numeric cell), and the chunk is parsed cell by cell to name it."""
    n = len(chunk)
    quotechar = '"' if delimiter is not None else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not text_cols:
                block = np.loadtxt(chunk, delimiter=delimiter, comments=None, ndmin=2,
                                   dtype=np.float64, quotechar=quotechar)  # fmt: skip
                return (block, []) if block.shape == (n, len(number_cols)) else None
            # all columns as text (numpy checks every row has them all), then the numbers
            cells = np.loadtxt(chunk, delimiter=delimiter, comments=None, ndmin=2, dtype=str,
                               quotechar=quotechar)  # fmt: skip
            if cells.shape != (n, len(number_cols) + len(text_cols)):
                return None
            numbers = cells[:, number_cols].astype(np.float64)
    except ValueError:
        return None
    return numbers, [np.char.strip(cells[:, j]) for j in text_cols]


def _to_numbers(cells: list[str]) -> tuple[np.ndarray, list[int]]:
    """Cells (n,) as float64 with NaN for empty or non-numeric cells, and the indices of
    the non-numeric ones."""
    try:
        return np.array(cells, dtype=np.float64), []  # numpy's own parser: all cells numbers
    except ValueError:
        pass
    out = np.empty(len(cells))
    bad: list[int] = []
    for i, cell in enumerate(cells):
        if not cell:
            out[i] = np.nan
            continue
        try:
            out[i] = float(cell)
        except ValueError:
            out[i] = np.nan
            bad.append(i)
    return out, bad
