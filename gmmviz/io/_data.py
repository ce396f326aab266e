"""Data sets on disk: :func:`load_data` reads points, :func:`save_labelled_data_csv` exports them.

:func:`load_data` reads CSV / TSV / TXT (header optional), ``.npy`` and ``.npz`` and returns
``(X, y)``: float64 points and, when the file has them, integer true labels. Every problem is
reported as ``ValueError("<path>: <what is wrong>")``, naming the line and column where there
is one. :func:`save_labelled_data_csv` writes points with true labels, EM labels and
responsibilities as CSV; :func:`load_data` reads such an export back as its points and true
labels.

Model files are :mod:`gmmviz.io._model`; the public entry point for both is
:mod:`gmmviz.io`.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

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
    "DATA_SUFFIXES",
    "LABEL_COLUMN_NAMES",
    "load_data",
    "load_table",
    "save_labelled_data_csv",
]

DATA_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt", ".npy", ".npz")
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


def _finite_rows_check(X: np.ndarray, where: Path, row_label: Callable[[int], str]) -> None:
    """``ValueError`` if any row of ``X`` (N, d) has NaN or inf, saying how many rows do."""
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        n_bad = int(bad.sum())
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{where}: {n_bad} row{'s' if n_bad != 1 else ''} of {X.shape[0]} contain "
            f"missing, NaN or infinite values (first at {row_label(first)})"
        )


def _check_rows(n_rows: int, where: Path) -> None:
    if n_rows < 2:
        raise ValueError(f"{where}: needs at least 2 data rows; found {n_rows}")


def _labels_from_values(
    values: np.ndarray,
    where: Path,
    what: str,
    row_label: Callable[[int], str] = lambda i: f"row {i}",
) -> np.ndarray:
    """Integer labels (N,) from numeric or string labels.

    Integral numbers keep their values; strings (class names) become 0..C-1 in sorted order.
    ``row_label`` names row ``i`` in error messages (e.g. by its line in a text file).
    """
    kind = values.dtype.kind
    if kind in "iub":
        return values.astype(np.int64)
    if kind == "f":
        bad = ~np.isfinite(values) | (values != np.round(values))
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{where}: {what} must be integers; {row_label(first)} has {float(values[first])!r}"
            )
        return values.astype(np.int64)
    if kind in "US":
        _, codes = np.unique(values, return_inverse=True)
        return codes.reshape(-1).astype(np.int64)
    raise ValueError(f"{where}: {what} have unsupported type {values.dtype}")


def _is_number(cell: str) -> bool:
    """Whether ``float`` accepts ``cell`` (which includes 'nan' and 'inf')."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _pick_label_column(header: list[str], where: Path) -> int | None:
    """Index of the true-label column named in ``header``, or None."""
    names = [h.strip().lower() for h in header]
    candidates = [i for i, n in enumerate(names) if n in LABEL_COLUMN_NAMES]
    if "x" in names:
        # "x, y" are coordinates, not features and labels.
        candidates = [i for i in candidates if names[i] != "y"]
    if len(candidates) > 1:
        raise ValueError(
            f"{where}: more than one label column "
            f"({', '.join(repr(header[i]) for i in candidates)}); keep one"
        )
    return candidates[0] if candidates else None


def _is_derived_column(name: str) -> bool:
    """True for the EM-output columns that :func:`save_labelled_data_csv` adds."""
    name = name.strip().lower()
    return name == "em_label" or (name.startswith("resp_") and name[5:].isdigit())


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of the lines holding data: not blank, comments removed.

    Lines are split like a file opened in text mode (``\n``, ``\r\n`` or ``\r``), the same
    way :func:`numpy.loadtxt` reads them, so line numbers agree; numbers are 1-based.
    """
    for number, line in enumerate(io.StringIO(text, newline=None), start=1):
        body = line.split("#", 1)[0].rstrip("\n")
        if body.strip():
            yield number, body


def _load_text(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """CSV / TSV / whitespace-separated text: see :func:`load_data`."""
    X, y, _ = _load_text_named(path)
    return X, y


def _load_text_named(path: Path) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """:func:`_load_text` with the feature columns' names (from the header, else ``()``)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}); is it a text file?") from None
    if "\x00" in text:
        raise ValueError(f"{path}: contains NUL bytes; not a text data file")
    lines = _content_lines(text)
    first = next(lines, None)
    if first is None:
        raise ValueError(f"{path}: the file is empty (no data rows)")
    first_number, first_line = first

    default = {".csv": ",", ".tsv": "\t"}.get(path.suffix.lower())
    delimiter: str | None = None
    for candidate in (default, ",", "\t", ";"):
        if candidate and candidate in first_line:
            delimiter = candidate
            break

    def split(line: str) -> list[str]:
        if delimiter is None:
            return line.split()
        return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]

    first_cells = split(first_line)
    n_cols = len(first_cells)
    header = None if all(_is_number(cell) for cell in first_cells) else first_cells
    label_col = _pick_label_column(header, path) if header is not None else None
    if header is not None and label_col is None:
        # iris's "species": a single text column is the true labels, whatever its name
        data_rows = _content_lines(text)
        next(data_rows, None)
        row = next(data_rows, None)
        if row is not None:
            cells = split(row[1])
            text_cols = [j for j, c in enumerate(cells) if c.strip() and not _is_number(c)]
            if len(text_cols) == 1 and len(cells) == n_cols:
                label_col = text_cols[0]
    feature_cols = [
        j
        for j in range(n_cols)
        if j != label_col and not (header is not None and _is_derived_column(header[j]))
    ]
    if not feature_cols:
        raise ValueError(f"{path}: no feature columns (header: {', '.join(header or [])})")

    def column_name(j: int) -> str:
        return f"column {j + 1}" + (f" ({header[j]!r})" if header is not None else "")

    # Fast path: numpy's C parser on a well-formed numeric file. Anything it refuses sends the
    # file to the slow parser below, which names the line at fault.
    data: np.ndarray | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": reported below
            data = np.loadtxt(
                path,
                delimiter=delimiter,
                comments="#",
                skiprows=first_number if header is not None else 0,
                ndmin=2,
                dtype=np.float64,
                encoding="utf-8-sig",
                quotechar='"' if delimiter is not None else None,
            )
        if data.shape[1] != n_cols:
            data = None
    except ValueError:
        data = None

    rows: list[tuple[int, str]] | None = None

    def line_of(i: int) -> str:
        """Physical line of data row ``i`` (only needed for error messages)."""
        nonlocal rows
        if rows is None:
            rows = list(_content_lines(text))[(1 if header is not None else 0) :]
        return f"line {rows[i][0]}"

    labels_raw: np.ndarray | None = None
    if data is None:
        rows = list(lines)
        if header is None:
            rows.insert(0, first)
        data = np.zeros((len(rows), n_cols), dtype=np.float64)
        label_cells: list[str] = []
        for i, (number, line) in enumerate(rows):
            cells = split(line)
            if len(cells) != n_cols:
                raise ValueError(
                    f"{path}: line {number} has {len(cells)} fields, expected {n_cols} "
                    "(ragged rows)"
                )
            if label_col is not None:
                if not cells[label_col]:
                    raise ValueError(
                        f"{path}: line {number}: empty label in {column_name(label_col)}"
                    )
                label_cells.append(cells[label_col])
            for j in feature_cols:
                cell = cells[j]
                if not cell:
                    data[i, j] = math.nan  # a missing value: reported with the NaN rows below
                    continue
                try:
                    data[i, j] = float(cell)
                except ValueError:
                    raise ValueError(
                        f"{path}: line {number}, {column_name(j)}: {cell!r} is not a number"
                    ) from None
        if label_col is not None:
            if all(_is_number(cell) for cell in label_cells):
                data[:, label_col] = np.array(label_cells, dtype=np.float64)
            else:
                labels_raw = np.array(label_cells)  # class names

    if data.shape[0] == 0:
        raise ValueError(f"{path}: has a header but no data rows")
    _check_rows(data.shape[0], path)
    X = np.ascontiguousarray(data[:, feature_cols])
    _finite_rows_check(X, path, line_of)
    names = tuple(header[j].strip() for j in feature_cols) if header is not None else ()
    if label_col is None:
        return X, None, names
    if labels_raw is None:
        labels_raw = data[:, label_col]
    y = _labels_from_values(labels_raw, path, f"labels in {column_name(label_col)}", line_of)
    return X, y, names


def _as_feature_array(array: np.ndarray, where: Path, what: str) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{where}: {what} must be numeric; got dtype {array.dtype}")
    if array.ndim == 1:
        array = array[:, np.newaxis]  # one feature
    if array.ndim != 2:
        raise ValueError(
            f"{where}: {what} must be a 2-D array (samples × features); got shape {array.shape}"
        )
    if array.shape[1] < 1:
        raise ValueError(f"{where}: {what} has no feature columns")
    _check_rows(array.shape[0], where)
    X = np.ascontiguousarray(array, dtype=np.float64)
    _finite_rows_check(X, where, lambda i: f"row {i}")
    return X


def _load_npy(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    raw = read_nonempty(path)
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(
            f"{path}: not a readable .npy array ({exc}); the file may be truncated or corrupt"
        ) from None
    if not isinstance(array, np.ndarray):
        array.close()
        raise ValueError(f"{path}: is an .npz archive; give it the .npz suffix")
    return _as_feature_array(array, path, "the array"), None


def _load_npz(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    raw = read_nonempty(path)
    try:
        with open_npz(raw, path) as archive:
            keys = list(archive.files)
            X_raw = archive["X"] if "X" in keys else None
            y_raw = archive["y"] if "y" in keys else None
    except NPZ_ERRORS as exc:
        raise corrupt_npz_error(exc, path) from None
    if X_raw is None:
        raise ValueError(
            f"{path}: no array named 'X' (found: {', '.join(keys) or 'nothing'}); "
            "store the data as X and the optional labels as y"
        )
    X = _as_feature_array(X_raw, path, "X")
    if y_raw is None:
        return X, None
    if y_raw.ndim != 1 or y_raw.shape[0] != X.shape[0]:
        raise ValueError(f"{path}: y must have shape ({X.shape[0]},) to match X; got {y_raw.shape}")
    return X, _labels_from_values(y_raw, path, "labels y")


def load_data(path: PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a data set from disk.

    Parameters
    ----------
    path : str or os.PathLike
        * ``.csv`` / ``.tsv`` / ``.txt``: numeric columns separated by commas, tabs, semicolons
          or whitespace (detected from the first row); an optional header row; blank lines and
          lines starting with ``#`` are skipped. A column whose header is one of
          :data:`LABEL_COLUMN_NAMES` (``label``, ``labels``, ``y`` -- unless a column is named
          ``x`` --, ``target``, ``class``, ``true_label``, ``component``; any case) is
          returned as ``y``; its values may be integers or class names (mapped to 0..C-1 in
          sorted order). The EM output columns ``em_label`` and ``resp_<k>`` written by
          :func:`save_labelled_data_csv` are skipped, so an export reads back as its data and
          true labels. All other columns are features. Empty cells count as missing values.
        * ``.npy``: a numeric 2-D array (a 1-D array is one feature).
        * ``.npz``: arrays ``X`` and optionally ``y``.

    Returns
    -------
    X : ndarray of shape (N, d), float64, C-contiguous
        N >= 2, d >= 1.
    y : ndarray of shape (N,), int64, or None
        The labels if the file has them.

    Raises
    ------
    ValueError
        ``"<path>: <problem>"`` for an unsupported suffix, an empty or corrupt file, a
        non-numeric cell (with line and column), ragged rows (with the line), rows with missing,
        NaN or infinite values (how many, and the first), fewer than 2 rows, or non-integer
        labels.
    OSError
        If the file cannot be read.
    """
    X, y, _ = load_table(path)
    return X, y


def load_table(path: PathLike) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """:func:`load_data` with the names of the feature columns (a text file's header; ``()``
    for NPY/NPZ or a file without a header), for axis labels and the view's choices.

    Returns
    -------
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,) or None
    names : tuple of str, d names or empty
    """
    path = Path(path)
    suffix = check_suffix(path, DATA_SUFFIXES, "data")
    if suffix == ".npy":
        return (*_load_npy(path), ())
    if suffix == ".npz":
        return (*_load_npz(path), ())
    return _load_text_named(path)


def save_labelled_data_csv(
    path: PathLike,
    X: np.ndarray,
    y_true: np.ndarray | None,
    em_labels: np.ndarray,
    responsibilities: np.ndarray,
) -> None:
    """Write points with their true labels, EM labels and responsibilities as CSV.

    Header: ``x,y`` (``x0,...,x{d-1}`` when d != 2), ``true_label`` (omitted when ``y_true``
    is None), ``em_label``, ``resp_1,...,resp_K``. Floats are written with ``repr``, the
    shortest text that reads back to the identical double.

    Components are numbered from 1 in the file, as the window numbers them ("component 1" is
    the first): ``em_label`` is 1..K and column ``resp_k`` is the responsibility of component
    k. True labels are written as given (they belong to the data, not to the model).

    Parameters
    ----------
    path : str or os.PathLike
        Destination; replaced atomically.
    X : array-like of shape (N, d)
    y_true : array-like of shape (N,) or None
        Integer labels.
    em_labels : array-like of shape (N,)
        Component indices 0..K-1, as :meth:`GaussianMixture.predict` returns them; written
        as 1..K.
    responsibilities : array-like of shape (N, K)

    Raises
    ------
    ValueError
        If shapes disagree, labels are not integers or an EM label is not a component
        index 0..K-1.
    """
    path = Path(path)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (N, d) with d >= 1; got {X.shape}")
    n, d = X.shape
    resp = np.asarray(responsibilities, dtype=np.float64)
    if resp.ndim != 2 or resp.shape[0] != n or resp.shape[1] < 1:
        raise ValueError(f"responsibilities must have shape ({n}, K); got {resp.shape}")

    def labels(values: Any, name: str) -> np.ndarray:
        array = np.asarray(values)
        if array.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},); got {array.shape}")
        return _labels_from_values(array, path, name)

    label_columns = []
    if y_true is not None:
        label_columns.append(("true_label", labels(y_true, "y_true")))
    n_components = resp.shape[1]
    em = labels(em_labels, "em_labels")
    if em.size and (em.min() < 0 or em.max() >= n_components):
        raise ValueError(
            f"em_labels must be component indices 0..{n_components - 1}; "
            f"got {int(em.min())}..{int(em.max())}"
        )
    # One convention with the window: component k is "component k", k = 1..K.
    label_columns.append(("em_label", em + 1))

    x_names = ["x", "y"] if d == 2 else [f"x{j}" for j in range(d)]
    header = [*x_names, *(name for name, _ in label_columns)]
    header += [f"resp_{k}" for k in range(1, n_components + 1)]

    block = 65536  # rows formatted at a time: bounded memory for millions of rows
    with atomic_writer(path, "w") as fh:
        fh.write(",".join(header) + "\n")
        for start in range(0, n, block):
            stop = min(start + block, n)
            # Python's float repr is the shortest round-tripping form.
            columns = [list(map(repr, X[start:stop, j].tolist())) for j in range(d)]
            columns += [list(map(str, lab[start:stop].tolist())) for _, lab in label_columns]
            columns += [list(map(repr, resp[start:stop, k].tolist())) for k in range(n_components)]
            fh.write("".join(",".join(row) + "\n" for row in zip(*columns, strict=True)))
