"""The window's dialogs: file choosers (remembering the last folder), errors, help."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

#: What each export writes: dialog title, default name, file filter, default suffix.
EXPORTS: dict[str, tuple[str, str, str, str]] = {
    "model": ("Export model", "model.json", "JSON model (*.json);;NumPy archive (*.npz)", ".json"),
    "data": ("Export labelled data", "labelled.csv", "CSV (*.csv)", ".csv"),
    "png": ("Export canvas image", "canvas.png", "PNG image (*.png)", ".png"),
    "svg": ("Export canvas image", "canvas.svg", "SVG drawing (*.svg)", ".svg"),
    "window": ("Save window screenshot", "gmmviz.png", "PNG image (*.png)", ".png"),
    "session": ("Save session", "session.gmmviz", "gmmviz session (*.gmmviz)", ".gmmviz"),
    "samples": ("Export sampled points", "samples.csv", "CSV (*.csv)", ".csv"),
    "memberships": ("Save the memberships", "memberships.png", "PNG image (*.png)", ".png"),
    "animation": (
        "Export the run as an animation",
        "em.gif",
        "GIF animation (*.gif);;MP4 video, needs imageio-ffmpeg (*.mp4)",
        ".gif",
    ),
}

_LAST_DIR_KEY = "paths/last_dir"
_boxes: list[QMessageBox] = []  # open non-modal boxes (kept alive until closed)


def _store(window: QWidget) -> QSettings:
    store = getattr(window, "store", None)
    return store if store is not None else QSettings()


def last_dir(window: QWidget) -> str:
    return str(_store(window).value(_LAST_DIR_KEY, str(Path.home())))


def remember_dir(window: QWidget, path: str) -> None:
    if getattr(window, "remember", True):
        _store(window).setValue(_LAST_DIR_KEY, str(Path(path).parent))


def open_data_path(window: QWidget) -> str:
    """Ask for a data file (or a session); ``""`` when cancelled."""
    from gmmviz.io import DATA_SUFFIXES

    patterns = " ".join(f"*{s}" for s in DATA_SUFFIXES)
    filters = f"Data files ({patterns});;gmmviz sessions (*.gmmviz);;All files (*)"
    return _ask_open(window, "Open data file", filters)


def open_session_path(window: QWidget) -> str:
    """Ask for a session file; ``""`` when cancelled."""
    return _ask_open(window, "Open session", "gmmviz sessions (*.gmmviz);;All files (*)")


def _ask_open(window: QWidget, title: str, filters: str) -> str:
    path, _ = QFileDialog.getOpenFileName(window, title, last_dir(window), filters)
    if path:
        remember_dir(window, path)
    return path


def export_path(window: QWidget, what: str, scale: float = 1.0) -> str | None:
    """Ask where to write an export (a suffix is added when missing); ``None`` if cancelled."""
    title, name, filters, suffix = EXPORTS[what]
    if scale == 2:
        name = name.replace(suffix, "@2x" + suffix)
    start = str(Path(last_dir(window)) / name)
    path, _ = QFileDialog.getSaveFileName(window, title, start, filters)
    if not path:
        return None
    remember_dir(window, path)
    return path if Path(path).suffix else path + suffix


def check_folder(path: str | Path) -> None:
    """Say plainly when the folder is missing or the target is a folder (a writer would
    name its temporary file)."""
    folder = Path(path).expanduser().parent
    if not folder.is_dir():
        raise ValueError(f"the folder {folder} does not exist")
    if Path(path).expanduser().is_dir():
        raise ValueError(f"{path} is a folder; choose a file name")


def _open(box: QMessageBox) -> QMessageBox:
    box.setTextFormat(Qt.TextFormat.RichText)
    return open_box(box)


def open_box(box: QMessageBox) -> QMessageBox:
    """Show ``box`` window-modal without blocking (the event loop keeps running); it is
    listed by :func:`open_boxes` until it closes."""
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.finished.connect(lambda *_: _boxes.remove(box) if box in _boxes else None)
    _boxes.append(box)
    box.open()
    return box


def show_error(window: QWidget, message: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, "gmmviz", message, parent=window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.finished.connect(lambda *_: _boxes.remove(box) if box in _boxes else None)
    _boxes.append(box)
    box.open()
    return box


def show_shortcuts(window: QWidget, rows: list[tuple[str, str]]) -> QMessageBox:
    text = (
        "<table>"
        + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )
    box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", text, parent=window)
    return _open(box)


def show_about(window: QWidget) -> QMessageBox:
    from gmmviz import __version__

    text = (
        f"<b>gmmviz {__version__}</b> lets you watch the EM algorithm fit a Gaussian mixture, one "
        "iteration at a time: E-step responsibilities as colours, M-step means and "
        "covariance ellipses (1, 2, 3 σ), and the log-likelihood climbing to convergence."
    )
    return _open(QMessageBox(QMessageBox.Icon.Information, "About gmmviz", text, parent=window))


def open_boxes(window: QWidget | None = None) -> list[QMessageBox]:
    """Message boxes still open (of ``window``, or all)."""
    return [b for b in _boxes if window is None or b.parent() is window]


def close_boxes(window: QWidget) -> None:
    """Close the message boxes of ``window`` (it is closing)."""
    for box in open_boxes(window):
        box.close()


def animation_options(window: QWidget) -> tuple[str, tuple[int, int], float] | None:
    """Ask for the GIF's size and frame rate, then its path; ``None`` if cancelled."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox

    dialog = QDialog(window)
    dialog.setWindowTitle("Export animation")
    width, height, fps = QSpinBox(), QSpinBox(), QSpinBox()
    for box, (lo, hi, value) in ((width, (240, 1920, 640)), (height, (180, 1440, 480)),
                                 (fps, (1, 30, 5))):  # fmt: skip
        box.setRange(lo, hi)
        box.setValue(value)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout(dialog)
    form.addRow("Width (px)", width)
    form.addRow("Height (px)", height)
    form.addRow("Frames per second", fps)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    path = export_path(window, "animation")
    if path is None:
        return None
    return path, (width.value(), height.value()), float(fps.value())
