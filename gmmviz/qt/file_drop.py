"""Which data file a drag onto the window carries, if any."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData

from gmmviz.app.session import SESSION_SUFFIX
from gmmviz.io import DATA_SUFFIXES


def dropped_data_file(mime: QMimeData) -> Path | None:
    """The one local data file a drag carries.

    Parameters
    ----------
    mime : QMimeData
        What is being dragged.

    Returns
    -------
    Path or None
        The file when the drag holds exactly one local file with a data suffix
        (CSV/TSV/TXT/NPY/NPZ) or a session (``.gmmviz``); otherwise None, so the drop is
        refused and the cursor says so before anything is let go.
    """
    files = [url for url in mime.urls() if url.isLocalFile()]
    if len(files) != 1:
        return None
    path = Path(files[0].toLocalFile())
    return path if path.suffix.lower() in (*DATA_SUFFIXES, SESSION_SUFFIX) else None
