"""Data sets on disk: :func:`load_data` reads points, :func:`save_labelled_data_csv` exports them.

:func:`load_data` reads CSV / TSV / TXT (header optional), ``.npy`` and ``.npz`` and returns
``(X, y)``: float64 points and, when the file has them, integer true labels. Every problem is
reported as ``ValueError("<path>: <what is wrong>")``, naming the line and column where there
is one. :func:`save_labelled_data_csv` writes points with true labels, EM labels and
responsibilities as CSV, every float as ``repr`` writes it (the shortest text that reads back
to the same double); :func:`load_data` reads such an export back as its points and true labels.
Large exports format floats with a numba port of Ryu, the shortest-digits algorithm, which
writes the same bytes as ``repr`` several times faster.

Model files are :mod:`gmmviz.core.model_io`; the public entry point for both is
:mod:`gmmviz.io`.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

try:  # numba is a declared dependency; without it the export formats floats with repr.
    import numba
    from numba import njit
except ImportError:  # pragma: no cover - exercised only on machines without numba
    numba = None

from gmmviz.core.files import (
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
    "save_labelled_data_csv",
]

DATA_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt", ".npy", ".npz")
#: Header names (case-insensitive) that mark the column of true labels in a text data file.
#: ``y`` counts only when no column is named ``x`` (then ``x, y`` are coordinates).
LABEL_COLUMN_NAMES: tuple[str, ...] = ("label", "labels", "y", "target", "class", "true_label")


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
    if label_col is None:
        return X, None
    if labels_raw is None:
        labels_raw = data[:, label_col]
    y = _labels_from_values(labels_raw, path, f"labels in {column_name(label_col)}", line_of)
    return X, y


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
          ``x`` --, ``target``, ``class``, ``true_label``; any case) is returned as ``y``; its
          values may be integers or class names (mapped to 0..C-1 in sorted order). The EM
          output columns ``em_label`` and ``resp_<k>`` written by
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
    path = Path(path)
    suffix = check_suffix(path, DATA_SUFFIXES, "data")
    if suffix == ".npy":
        return _load_npy(path)
    if suffix == ".npz":
        return _load_npz(path)
    return _load_text(path)


# ================================================================================ CSV export

#: Rows formatted at a time: bounded memory for millions of rows.
_EXPORT_BLOCK_ROWS = 65536
#: Exports of at least this many cells use the compiled formatter. Below it ``repr`` takes
#: under half a second, about what loading the compiled code from numba's cache costs a fresh
#: process (the very first use on a machine compiles it: some seconds, once).
_FAST_EXPORT_MIN_VALUES = 500_000


def _fast_export_available() -> bool:
    """Whether the compiled formatter may be used.

    It may unless numba is missing or ``GMMVIZ_BACKEND=numpy`` (the opt-out from numba that
    :mod:`gmmviz.core.kernels` honours too) is set.
    """
    wanted = os.environ.get("GMMVIZ_BACKEND", "").strip().lower()
    return numba is not None and wanted != "numpy"


def _csv_block_python(X: np.ndarray, labels: np.ndarray, resp: np.ndarray) -> bytes:
    """CSV rows ``X..., labels..., resp...`` with Python's ``repr`` of each float."""
    columns = [list(map(repr, X[:, j].tolist())) for j in range(X.shape[1])]
    columns += [list(map(str, labels[:, j].tolist())) for j in range(labels.shape[1])]
    columns += [list(map(repr, resp[:, k].tolist())) for k in range(resp.shape[1])]
    text = "".join(",".join(row) + "\n" for row in zip(*columns, strict=True))
    return text.encode("ascii")


def _csv_block_compiled(X: np.ndarray, labels: np.ndarray, resp: np.ndarray) -> np.ndarray:
    """The bytes of :func:`_csv_block_python` (identical), formatted by compiled code.

    ``X`` and ``resp`` must be C-contiguous float64, ``labels`` C-contiguous int64; returns a
    uint8 array to write as it is.
    """
    # At most 24 characters per float ("-2.2250738585072014e-308"), 20 per int64, 1 separator.
    width = 25 * (X.shape[1] + resp.shape[1]) + 21 * labels.shape[1]
    out = np.empty(X.shape[0] * width, dtype=np.uint8)
    inv_table, table = _ryu_tables()
    end = _csv_rows_numba(X.view(np.uint64), labels, resp.view(np.uint64), inv_table, table, out)
    return out[:end]


@functools.cache
def _ryu_tables() -> tuple[np.ndarray, np.ndarray]:
    """Ryu's 125-bit multipliers, as (low, high) 64-bit halves, computed exactly.

    ``inv[q]`` = floor(2**(floor(log2 5**q) + 125) / 5**q) + 1 for q < 342 and ``pos[i]`` =
    5**i scaled to exactly 125 bits (truncated) for i < 326: ``DOUBLE_POW5_INV_SPLIT`` and
    ``DOUBLE_POW5_SPLIT`` of the reference implementation.
    """
    mask = (1 << 64) - 1
    inv = np.empty((342, 2), dtype=np.uint64)
    for q in range(342):
        pow5 = 5**q
        value = (1 << (pow5.bit_length() - 1 + 125)) // pow5 + 1
        inv[q] = value & mask, value >> 64
    pos = np.empty((326, 2), dtype=np.uint64)
    for i in range(326):
        pow5 = 5**i
        shift = pow5.bit_length() - 125
        value = pow5 >> shift if shift >= 0 else pow5 << -shift
        pos[i] = value & mask, value >> 64
    return inv, pos


if numba is not None:
    # Shortest round-trip digits of a double: Ryu (Ulf Adams, "Ryu: fast float-to-string
    # conversion", PLDI 2018), ported from the reference C implementation, ryu/d2s.c of
    # https://github.com/ulfjack/ryu (Apache-2.0 or BSL-1.0), with 128-bit products built from
    # 64-bit halves. It yields the digits Python's repr yields (the shortest that read back to
    # the same double, the closest of those to it); _write_float lays them out as repr does.
    # All bit arithmetic is uint64: numba turns mixed int64/uint64 arithmetic into float64.
    _U = np.uint64
    _NAN = np.frombuffer(b"nan", dtype=np.uint8)
    _INF = np.frombuffer(b"inf", dtype=np.uint8)
    _ZERO = np.frombuffer(b"0.0", dtype=np.uint8)

    @njit(cache=True, nogil=True, error_model="numpy")
    def _umul128(a, b):  # pragma: no cover
        """(low, high) 64-bit halves of the 128-bit product a * b."""
        m32 = _U(0xFFFFFFFF)
        s32 = _U(32)
        a_lo = a & m32
        a_hi = a >> s32
        b_lo = b & m32
        b_hi = b >> s32
        b00 = a_lo * b_lo
        mid1 = a_hi * b_lo + (b00 >> s32)
        mid2 = a_lo * b_hi + (mid1 & m32)
        high = a_hi * b_hi + (mid1 >> s32) + (mid2 >> s32)
        low = ((mid2 & m32) << s32) | (b00 & m32)
        return low, high

    @njit(cache=True, nogil=True, error_model="numpy")
    def _mul_shift64(m, mul_lo, mul_hi, j):  # pragma: no cover
        """(m * (mul_hi * 2**64 + mul_lo)) >> j, for 64 < j < 128."""
        low1, high1 = _umul128(m, mul_hi)
        high0 = _umul128(m, mul_lo)[1]
        total = high0 + low1
        if total < high0:
            high1 += _U(1)
        dist = _U(j - 64)
        return (high1 << (_U(64) - dist)) | (total >> dist)

    @njit(cache=True, nogil=True, error_model="numpy")
    def _pow5_factor(value):  # pragma: no cover
        """How many times 5 divides ``value`` (> 0)."""
        inv5 = _U(14757395258967641293)  # 5 * inv5 == 1 (mod 2**64)
        limit = _U(3689348814741910323)  # 2**64 // 5
        count = 0
        while True:
            value = value * inv5
            if value > limit:
                break
            count += 1
        return count

    @njit(cache=True, nogil=True, error_model="numpy")
    def _shortest_digits(ieee_mantissa, ieee_exponent, inv_table, table):  # pragma: no cover
        """(digits, e10): the shortest decimal digits * 10**e10 that reads back to the double.

        The double is finite and not zero, given by its 52 mantissa bits and biased exponent.
        """
        if ieee_exponent == 0:
            e2 = 1 - 1023 - 52 - 2
            m2 = ieee_mantissa
        else:
            e2 = ieee_exponent - 1023 - 52 - 2
            m2 = (_U(1) << _U(52)) | ieee_mantissa
        accept_bounds = (m2 & _U(1)) == _U(0)
        # The interval of decimals that read back as the double: 4*m2 - 1 - mm_shift (below)
        # to 4*m2 + 2 (above), in units of 2**e2.
        mv = _U(4) * m2
        mm_shift = _U(1) if (ieee_mantissa != _U(0) or ieee_exponent <= 1) else _U(0)
        vm_trailing_zeros = False
        vr_trailing_zeros = False
        if e2 >= 0:
            q = ((e2 * 78913) >> 18) - (1 if e2 > 3 else 0)  # about log10(2**e2)
            e10 = q
            shift = -e2 + q + 125 + ((q * 1217359) >> 19)
            lo = inv_table[q, 0]
            hi = inv_table[q, 1]
            vr = _mul_shift64(mv, lo, hi, shift)
            vp = _mul_shift64(mv + _U(2), lo, hi, shift)
            vm = _mul_shift64(mv - _U(1) - mm_shift, lo, hi, shift)
            if q <= 21:
                # At most one of mp, mv and mm is a multiple of 5.
                if mv % _U(5) == _U(0):
                    vr_trailing_zeros = _pow5_factor(mv) >= q
                elif accept_bounds:
                    vm_trailing_zeros = _pow5_factor(mv - _U(1) - mm_shift) >= q
                elif _pow5_factor(mv + _U(2)) >= q:
                    vp -= _U(1)
        else:
            q = ((-e2 * 732923) >> 20) - (1 if -e2 > 1 else 0)  # about log10(5**-e2)
            e10 = q + e2
            i = -e2 - q
            shift = q - (((i * 1217359) >> 19) + 1 - 125)
            lo = table[i, 0]
            hi = table[i, 1]
            vr = _mul_shift64(mv, lo, hi, shift)
            vp = _mul_shift64(mv + _U(2), lo, hi, shift)
            vm = _mul_shift64(mv - _U(1) - mm_shift, lo, hi, shift)
            if q <= 1:
                # mv = 4 * m2 has at least 2 trailing zero bits.
                vr_trailing_zeros = True
                if accept_bounds:
                    vm_trailing_zeros = mm_shift == _U(1)
                else:
                    vp -= _U(1)
            elif q < 63:
                vr_trailing_zeros = (mv & ((_U(1) << _U(q)) - _U(1))) == _U(0)

        # Drop digits while the interval still holds a shorter decimal.
        ten = _U(10)
        removed = 0
        last_removed = _U(0)
        if vm_trailing_zeros or vr_trailing_zeros:  # the rare general case
            while vp // ten > vm // ten:
                vm_trailing_zeros = vm_trailing_zeros and vm % ten == _U(0)
                vr_trailing_zeros = vr_trailing_zeros and last_removed == _U(0)
                last_removed = vr % ten
                vr //= ten
                vp //= ten
                vm //= ten
                removed += 1
            if vm_trailing_zeros:
                while vm % ten == _U(0):
                    vr_trailing_zeros = vr_trailing_zeros and last_removed == _U(0)
                    last_removed = vr % ten
                    vr //= ten
                    vp //= ten
                    vm //= ten
                    removed += 1
            if vr_trailing_zeros and last_removed == _U(5) and (vr & _U(1)) == _U(0):
                last_removed = _U(4)  # exactly half way: round to even
            round_up = (
                vr == vm and (not accept_bounds or not vm_trailing_zeros)
            ) or last_removed >= _U(5)
        else:
            round_up = False
            hundred = _U(100)
            if vp // hundred > vm // hundred:
                round_up = vr % hundred >= _U(50)
                vr //= hundred
                vp //= hundred
                vm //= hundred
                removed += 2
            while vp // ten > vm // ten:
                round_up = vr % ten >= _U(5)
                vr //= ten
                vp //= ten
                vm //= ten
                removed += 1
            round_up = round_up or vr == vm
        return vr + (_U(1) if round_up else _U(0)), e10 + removed

    @njit(cache=True, nogil=True, error_model="numpy")
    def _write_digits(out, pos, value):  # pragma: no cover
        """The uint64 ``value`` in decimal at ``out[pos:]``; returns the end position."""
        ten = _U(10)
        n = 1
        bound = ten
        while n < 20 and value >= bound:
            n += 1
            bound *= ten
        for k in range(pos + n - 1, pos - 1, -1):
            out[k] = 48 + np.uint8(value % ten)
            value //= ten
        return pos + n

    @njit(cache=True, nogil=True, error_model="numpy")
    def _write_float(out, pos, bits, inv_table, table):  # pragma: no cover
        """``repr`` of the double with IEEE ``bits`` at ``out[pos:]``; returns the end."""
        ieee_mantissa = bits & _U(0xFFFFFFFFFFFFF)
        ieee_exponent = np.int64((bits >> _U(52)) & _U(0x7FF))
        negative = (bits >> _U(63)) != _U(0)
        if ieee_exponent == 0x7FF and ieee_mantissa != _U(0):
            out[pos : pos + 3] = _NAN  # repr drops the sign of a NaN
            return pos + 3
        if negative:
            out[pos] = 45  # -
            pos += 1
        if ieee_exponent == 0x7FF:
            out[pos : pos + 3] = _INF
            return pos + 3
        if ieee_exponent == 0 and ieee_mantissa == _U(0):
            out[pos : pos + 3] = _ZERO
            return pos + 3
        digits, e10 = _shortest_digits(ieee_mantissa, ieee_exponent, inv_table, table)
        n = 1
        bound = _U(10)
        while n < 17 and digits >= bound:
            n += 1
            bound *= _U(10)
        decpt = n + e10  # the value is 0.<digits> * 10**decpt
        # repr's layout (float_repr_style "short", format code "r"): d.ddde+XX when
        # decpt <= -4 or decpt > 16; else 0.000ddd, ddd.ddd or ddd000.0.
        scientific = decpt <= -4 or decpt > 16
        if scientific:
            start, dot = pos, 1
        elif decpt <= 0:
            out[pos] = 48
            out[pos + 1] = 46
            for k in range(pos + 2, pos + 2 - decpt):
                out[k] = 48
            start, dot = pos + 2 - decpt, n
        else:
            start, dot = pos, decpt
        ten = _U(10)
        for k in range(n - 1, -1, -1):  # digit k goes after the point when k >= dot
            out[start + k + (1 if k >= dot else 0)] = 48 + np.uint8(digits % ten)
            digits //= ten
        end = start + n
        if scientific:
            if n > 1:
                out[pos + 1] = 46
                end += 1
            exponent = decpt - 1
            out[end] = 101  # e
            out[end + 1] = 45 if exponent < 0 else 43
            exponent = abs(exponent)
            end += 2
            if exponent < 10:  # at least two exponent digits
                out[end] = 48
                end += 1
            return _write_digits(out, end, _U(exponent))
        if decpt <= 0:
            return end
        if dot < n:
            out[pos + dot] = 46
            return end + 1
        for k in range(end, pos + decpt):
            out[k] = 48
        end = pos + decpt
        out[end] = 46
        out[end + 1] = 48
        return end + 2

    @njit(cache=True, nogil=True, error_model="numpy")
    def _write_int(out, pos, value):  # pragma: no cover
        """The int64 ``value`` in decimal at ``out[pos:]``; returns the end."""
        if value < 0:
            out[pos] = 45
            return _write_digits(out, pos + 1, _U(-(value + 1)) + _U(1))  # also for -2**63
        return _write_digits(out, pos, _U(value))

    @njit(cache=True, nogil=True, error_model="numpy")
    def _csv_rows_numba(x_bits, labels, resp_bits, inv_table, table, out):  # pragma: no cover
        """CSV rows ``x..., labels..., resp...`` into ``out``; returns the length written."""
        pos = 0
        for i in range(x_bits.shape[0]):
            for j in range(x_bits.shape[1]):
                pos = _write_float(out, pos, x_bits[i, j], inv_table, table)
                out[pos] = 44  # ,
                pos += 1
            for j in range(labels.shape[1]):
                pos = _write_int(out, pos, labels[i, j])
                out[pos] = 44
                pos += 1
            for j in range(resp_bits.shape[1]):
                pos = _write_float(out, pos, resp_bits[i, j], inv_table, table)
                out[pos] = 44
                pos += 1
            out[pos - 1] = 10  # the last separator becomes the newline
        return pos


def save_labelled_data_csv(
    path: PathLike,
    X: np.ndarray,
    y_true: np.ndarray | None,
    em_labels: np.ndarray,
    responsibilities: np.ndarray,
) -> None:
    """Write points with their true labels, EM labels and responsibilities as CSV.

    Header: ``x,y`` (``x0,...,x{d-1}`` when d != 2), ``true_label`` (omitted when ``y_true``
    is None), ``em_label``, ``resp_0,...,resp_{K-1}``. Floats are written as ``repr`` writes
    them, the shortest text that reads back to the identical double. Large exports (from
    500,000 cells) format them with compiled code (numba) that writes the identical bytes;
    the first such export on a machine compiles it, later ones load it from numba's cache.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; replaced atomically.
    X : array-like of shape (N, d)
    y_true : array-like of shape (N,) or None
        Integer labels.
    em_labels : array-like of shape (N,)
        Integer labels.
    responsibilities : array-like of shape (N, K)

    Raises
    ------
    ValueError
        If shapes disagree or labels are not integers.
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
    label_columns.append(("em_label", labels(em_labels, "em_labels")))

    x_names = ["x", "y"] if d == 2 else [f"x{j}" for j in range(d)]
    header = [*x_names, *(name for name, _ in label_columns)]
    header += [f"resp_{k}" for k in range(resp.shape[1])]

    label_array = np.column_stack([lab for _, lab in label_columns])  # (N, L) int64
    format_block = _csv_block_python
    if n * len(header) >= _FAST_EXPORT_MIN_VALUES and _fast_export_available():
        format_block = _csv_block_compiled
        X, resp = np.ascontiguousarray(X), np.ascontiguousarray(resp)
    with atomic_writer(path, "wb") as fh:
        fh.write((",".join(header) + "\n").encode("utf-8"))
        for start in range(0, n, _EXPORT_BLOCK_ROWS):
            stop = min(start + _EXPORT_BLOCK_ROWS, n)
            fh.write(format_block(X[start:stop], label_array[start:stop], resp[start:stop]))
