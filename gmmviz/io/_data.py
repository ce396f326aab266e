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
from collections.abc import Callable, Sequence
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
from gmmviz.io._table import (
    LABEL_COLUMN_NAMES,
    PREVIEW_ROWS,
    ColumnInfo,
    Table,
    parse_text_table,
)

__all__ = [
    "DATA_SUFFIXES",
    "LABEL_COLUMN_NAMES",
    "load_data",
    "load_table",
    "read_table",
    "save_labelled_data_csv",
]

DATA_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt", ".npy", ".npz")


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


def _as_feature_array(array: np.ndarray, where: Path, what: str) -> np.ndarray:
    """``array`` as float64 (N, d), checked for kind and shape (not for finiteness)."""
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
    return np.ascontiguousarray(array, dtype=np.float64)


def _array_table(path: Path, X: np.ndarray, y: np.ndarray | None) -> Table:
    """A :class:`Table` of an array's columns (and its labels ``y`` as the last column)."""
    n, d = X.shape
    columns = [
        ColumnInfo(f"column {j + 1}", "number", int((~np.isfinite(X[:, j])).sum()))
        for j in range(d)
    ]
    numbers, texts = X, {}
    if y is not None:
        if y.dtype.kind in "US":
            texts = {d: y.astype(str)}
            label_numbers = np.full(n, np.nan)
            columns.append(ColumnInfo("y", "text", int((texts[d] == "").sum())))
        elif y.dtype.kind in "biuf":
            label_numbers = y.astype(np.float64)
            columns.append(ColumnInfo("y", "number", int((~np.isfinite(label_numbers)).sum())))
        else:
            raise ValueError(f"{path}: labels y have unsupported type {y.dtype}")
        numbers = np.column_stack([X, label_numbers])
    preview = [[repr(float(v)) for v in row] for row in numbers[:PREVIEW_ROWS]]
    label = d if y is not None else None
    return Table(path, columns, numbers, texts, None, preview, has_header=False, label_column=label)


def _looks_like_text(raw: bytes) -> bool:
    try:
        raw[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in raw[:4096]


def _npy_shape_check(raw: bytes, path: Path) -> None:
    """Refuse an ``.npy`` whose header claims more data than the file holds, before numpy
    allocates it (a crafted header could ask for terabytes)."""
    if not raw.startswith(b"\x93NUMPY") and _looks_like_text(raw):
        raise ValueError(f"{path}: is text, not a NumPy array; give it the .csv or .txt suffix")
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read_header(stream)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as exc:
        raise ValueError(
            f"{path}: not a readable .npy array ({exc}); the file may be truncated or corrupt"
        ) from None
    if dtype.hasobject:
        raise ValueError(f"{path}: holds Python objects (pickled); only numeric arrays are read")
    claimed = math.prod(shape) * dtype.itemsize
    if claimed > len(raw) - stream.tell():
        raise ValueError(
            f"{path}: its header claims {shape} values ({claimed:,} bytes) but the file holds "
            f"{len(raw) - stream.tell():,} bytes of data; it is truncated or corrupt"
        )


def _npy_table(path: Path) -> Table:
    raw = read_nonempty(path)
    _npy_shape_check(raw, path)
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(
            f"{path}: not a readable .npy array ({exc}); the file may be truncated or corrupt"
        ) from None
    if not isinstance(array, np.ndarray):
        array.close()
        raise ValueError(f"{path}: is an .npz archive; give it the .npz suffix")
    return _array_table(path, _as_feature_array(array, path, "the array"), None)


def _npz_table(path: Path) -> Table:
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
    if y_raw is not None and (y_raw.ndim != 1 or y_raw.shape[0] != X.shape[0]):
        raise ValueError(f"{path}: y must have shape ({X.shape[0]},) to match X; got {y_raw.shape}")
    return _array_table(path, X, y_raw)


def read_table(
    path: PathLike,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Table:
    """Read a data file as a :class:`~gmmviz.io.Table` of columns, before choosing what to
    fit (see :func:`load_data` for the formats).

    Parameters
    ----------
    path : str or os.PathLike
    progress : callable, optional
        Called with the fraction read (0..1) as a large text file is parsed, in chunks.
    cancelled : callable, optional
        Polled between chunks; when it returns True, :class:`~gmmviz.io.LoadCancelled` is
        raised.

    Raises
    ------
    ValueError
        ``"<path>: <problem>"`` for what no choice of columns can fix: an unsupported suffix,
        an empty, binary or corrupt file, ragged rows, a bad array.
    LoadCancelled
    OSError
        If the file cannot be read.
    """
    path = Path(path)
    suffix = check_suffix(path, DATA_SUFFIXES, "data")
    if suffix == ".npy":
        return _npy_table(path)
    if suffix == ".npz":
        return _npz_table(path)
    return parse_text_table(path, progress, cancelled)


def load_data(path: PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a data set from disk.

    Parameters
    ----------
    path : str or os.PathLike
        * ``.csv`` / ``.tsv`` / ``.txt``: columns separated by commas, tabs, semicolons or
          whitespace (detected from the first row), quoted fields, UTF-8 (with or without a
          BOM) or UTF-16 with its BOM; an optional header row; blank lines and lines
          starting with ``#`` are skipped. A column whose header is one of
          :data:`LABEL_COLUMN_NAMES` (``label``, ``labels``, ``y`` -- unless a column is named
          ``x`` --, ``target``, ``class``, ``true_label``, ``component``; any case) is
          returned as ``y``, and so is the only text column when there is no such name
          (iris's ``species``); label values may be integers or class names (mapped to
          0..C-1 in sorted order). The EM output columns ``em_label`` and ``resp_<k>``
          written by :func:`save_labelled_data_csv` are skipped, so an export reads back as
          its data and true labels. All other number columns are features. Empty cells
          count as missing values.
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
        labels. To drop bad rows or choose other columns, use :func:`read_table` and
        :meth:`Table.select <gmmviz.io.Table.select>`.
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
    table = read_table(path)
    return table.select(table.default_choice())


def _cells(labels: np.ndarray) -> list[str]:
    """Label cells as CSV text: integers as they are, names quoted when they need it."""
    if labels.dtype.kind in "iu":
        return list(map(str, labels.tolist()))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[v] for v in labels.tolist()])
    return out.getvalue().splitlines()


def save_labelled_data_csv(
    path: PathLike,
    X: np.ndarray,
    y_true: np.ndarray | None,
    em_labels: np.ndarray,
    responsibilities: np.ndarray,
    feature_names: Sequence[str] = (),
    class_names: Sequence[str] = (),
) -> None:
    """Write points with their true labels, EM labels and responsibilities as CSV.

    Header: the ``feature_names`` when given (d names), else ``x,y`` (``x0,...,x{d-1}``
    when d != 2), ``true_label`` (omitted when ``y_true`` is None; the ``class_names`` of
    the codes when given, so that iris's species stay words), ``em_label``,
    ``resp_1,...,resp_K``. Floats are written with ``repr``, the
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
    if len(feature_names) == d:
        x_names = [str(name) for name in feature_names]
    header = [*x_names, *(name for name, _ in label_columns)]
    if class_names and y_true is not None:
        codes = label_columns[0][1]
        if codes.min() >= 0 and codes.max() < len(class_names):
            label_columns[0] = ("true_label", np.asarray([str(c) for c in class_names])[codes])
    header += [f"resp_{k}" for k in range(1, n_components + 1)]

    block = 16384  # rows formatted at a time: bounded memory, short holds of the GIL
    with atomic_writer(path, "w") as fh:
        csv.writer(fh, lineterminator="\n").writerow(header)  # names may hold commas
        for start in range(0, n, block):
            stop = min(start + block, n)
            # Python's float repr is the shortest round-tripping form.
            columns = [list(map(repr, X[start:stop, j].tolist())) for j in range(d)]
            columns += [_cells(lab[start:stop]) for _, lab in label_columns]
            columns += [list(map(repr, resp[start:stop, k].tolist())) for k in range(n_components)]
            fh.write("".join(",".join(row) + "\n" for row in zip(*columns, strict=True)))
