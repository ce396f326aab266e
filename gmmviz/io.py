"""Models and data on disk: the public entry point.

Model files (:func:`save_model`, :func:`load_model`, :func:`to_sklearn`) are implemented in
:mod:`gmmviz.core.model_io`; data files (:func:`load_data`, :func:`save_labelled_data_csv`)
in :mod:`gmmviz.core.data_io`. Everything public in either is re-exported here.

>>> from gmmviz.io import save_model, load_model, to_sklearn  # doctest: +SKIP
"""

from gmmviz.core.data_io import (
    DATA_SUFFIXES,
    LABEL_COLUMN_NAMES,
    load_data,
    save_labelled_data_csv,
)
from gmmviz.core.model_io import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MODEL_SUFFIXES,
    load_model,
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
