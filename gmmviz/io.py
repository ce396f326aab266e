"""Models and data on disk (public entry point; the implementation is :mod:`gmmviz.core.io`).

>>> from gmmviz.io import save_model, load_model, to_sklearn  # doctest: +SKIP
"""

from gmmviz.core.io import (
    DATA_SUFFIXES,
    FORMAT_NAME,
    FORMAT_VERSION,
    LABEL_COLUMN_NAMES,
    MODEL_SUFFIXES,
    load_data,
    load_model,
    save_labelled_data_csv,
    save_model,
    to_sklearn,
)

__all__ = [
    "DATA_SUFFIXES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LABEL_COLUMN_NAMES",
    "MODEL_SUFFIXES",
    "load_data",
    "load_model",
    "save_labelled_data_csv",
    "save_model",
    "to_sklearn",
]
