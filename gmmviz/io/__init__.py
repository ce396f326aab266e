"""Models and data on disk: the public face of the file formats.

Imports :mod:`gmmviz.core` only (never Qt). Each private module holds one format:

- :mod:`gmmviz.io._files`: atomic writer, safe ``.npz`` opening, suffix checks;
- :mod:`gmmviz.io._table`: a text data file read as columns (:class:`Table`, :class:`TableChoice`);
- :mod:`gmmviz.io._data`: data files (:func:`read_table`, :func:`load_data`,
  :func:`save_labelled_data_csv`);
- :mod:`gmmviz.io._model`: model files (:func:`save_model`, :func:`load_model`), versioned;
- :mod:`gmmviz.io._tables`: headless outputs (:func:`save_points_csv`, :func:`save_sweep_csv`);
- :mod:`gmmviz.io._sklearn`: :func:`to_sklearn`.

>>> from gmmviz.io import save_model, load_model, to_sklearn  # doctest: +SKIP
"""

from gmmviz.io._data import (
    DATA_SUFFIXES,
    LABEL_COLUMN_NAMES,
    load_data,
    load_table,
    read_table,
    save_labelled_data_csv,
)
from gmmviz.io._files import (
    NPZ_ERRORS,
    atomic_writer,
    corrupt_npz_error,
    open_npz,
    read_nonempty,
)
from gmmviz.io._model import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MODEL_SUFFIXES,
    load_model,
    save_model,
)
from gmmviz.io._sklearn import to_sklearn
from gmmviz.io._table import ColumnInfo, LoadCancelled, Table, TableChoice
from gmmviz.io._tables import SWEEP_COLUMNS, save_points_csv, save_sweep_csv

__all__ = [
    "DATA_SUFFIXES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LABEL_COLUMN_NAMES",
    "MODEL_SUFFIXES",
    "NPZ_ERRORS",
    "SWEEP_COLUMNS",
    "ColumnInfo",
    "LoadCancelled",
    "Table",
    "TableChoice",
    "atomic_writer",
    "corrupt_npz_error",
    "load_data",
    "load_model",
    "load_table",
    "open_npz",
    "read_nonempty",
    "read_table",
    "save_labelled_data_csv",
    "save_model",
    "save_points_csv",
    "save_sweep_csv",
    "to_sklearn",
]
