"""Exports: the model, the labelled data, the canvas (PNG 1x/2x, SVG) and the whole window.

Model and data go through :mod:`gmmviz.io`, so what the app writes is what ``gmmviz fit``
and ``load_model`` read. Images are rendered from the widgets after they have been laid
out (DESIGN.md: export only after ``processEvents``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget

from gmmviz.core import GaussianMixture, responsibilities
from gmmviz.ui.session import ModelSettings

#: Qt's PNG "quality": 0 is zlib's strongest compression (the files are a third smaller).
PNG_QUALITY = 0
IMAGE_FORMATS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}


def model_from_step(step, settings: ModelSettings | None) -> GaussianMixture:
    """A fitted :class:`GaussianMixture` holding a snapshot's parameters.

    Parameters
    ----------
    step : EMStep
    settings : ModelSettings or None
        The run's settings, stored as the estimator's constructor parameters.
    """
    extra = {}
    if settings is not None:
        extra = {
            "tol": settings.tol,
            "reg_covar": settings.reg_covar,
            "max_iter": settings.max_iter,
            "init_params": settings.init_params,
            "random_state": settings.seed,
        }
    return GaussianMixture.from_params(
        step.params,
        converged_=bool(step.converged),
        n_iter_=int(step.iteration),
        lower_bound_=float(step.log_likelihood),
        **extra,
    )


def write_model(path: str | Path, step, settings: ModelSettings | None) -> Path:
    """Save a snapshot as a model file (``.json`` or ``.npz``, by suffix)."""
    from gmmviz.io import save_model

    path = Path(path)
    save_model(model_from_step(step, settings), path)
    return path


def labelled_arrays(X: np.ndarray, params, chunk: int = 262_144) -> tuple[np.ndarray, np.ndarray]:
    """EM labels and responsibilities of every point for a snapshot's parameters.

    Returns
    -------
    labels : ndarray of shape (N,), int64
    resp : ndarray of shape (N, K), float64
    """
    resp = np.empty((X.shape[0], params.n_components))
    for start in range(0, X.shape[0], chunk):
        resp[start : start + chunk] = responsibilities(X[start : start + chunk], params)
    return resp.argmax(axis=1), resp


def write_labelled_csv(path: str | Path, X: np.ndarray, y_true, params) -> Path:
    """CSV with the coordinates, true label, EM label and every responsibility (worker)."""
    from gmmviz.io import save_labelled_data_csv

    path = Path(path)
    labels, resp = labelled_arrays(X, params)
    save_labelled_data_csv(path, X, y_true, labels, resp)
    return path


def _settle() -> None:
    app = QApplication.instance()
    if app is not None:
        app.processEvents()


def render_widget(widget: QWidget, scale: float = 1.0) -> QImage:
    """The widget as it looks, at ``scale`` times its pixel size (vector items stay sharp).

    A graphics view (the canvas) is rendered from its scene, so that a scaled export
    contains the whole view; other widgets are rendered through a scaled painter.
    """
    _settle()
    size = widget.size()
    image = QImage(
        QSize(round(size.width() * scale), round(size.height() * scale)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    if isinstance(widget, QGraphicsView) and widget.scene() is not None:
        # pyqtgraph's export mode: pixel-sized things (markers, means) scale too
        scene = widget.scene()
        items = [i for i in scene.items() if hasattr(i, "setExportMode")]
        opts = {"antialias": True, "painter": painter, "resolutionScale": scale}
        for item in items:
            item.setExportMode(True, opts)
        try:
            source = widget.mapToScene(widget.viewport().rect()).boundingRect()
            scene.render(painter, QRectF(image.rect()), source)
        finally:
            for item in items:
                item.setExportMode(False)
    else:
        painter.scale(scale, scale)
        widget.render(painter)
    painter.end()
    return image


def save_png(widget: QWidget, path: str | Path, scale: float = 1.0) -> Path:
    """Write the widget as a PNG at ``scale`` (1 or 2)."""
    path = Path(path)
    image = render_widget(widget, scale)
    if not image.save(str(path), "PNG", PNG_QUALITY):
        raise OSError(f"could not write {path}")
    return path


def save_svg(widget: QWidget, path: str | Path, title: str = "gmmviz") -> Path:
    """Write the widget as an SVG drawing (points, ellipses, axes and legend as vectors,
    except a rasterised point cloud, which is embedded as an image)."""
    path = Path(path)
    _settle()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title)
    generator.setDescription("Gaussian mixture drawn by gmmviz")
    painter = QPainter(generator)
    if not painter.isActive():
        raise OSError(f"could not write {path}")
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    widget.render(painter)
    painter.end()
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"could not write {path}")
    return path


def save_window_png(window: QWidget, path: str | Path) -> Path:
    """Write the whole window as it is on screen."""
    path = Path(path)
    _settle()
    pixmap = window.grab()
    if pixmap.isNull() or not pixmap.save(str(path), "PNG", PNG_QUALITY):
        raise OSError(f"could not write {path}")
    return path


def image_is_blank(image: QImage) -> bool:
    """Whether every pixel has the same colour (a failed render)."""
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=image.sizeInBytes()).reshape(
        image.height(), image.bytesPerLine()
    )[:, : image.width() * 4]
    return bool((arr == arr[0, :4].tolist() * image.width()).all())


__all__ = [
    "IMAGE_FORMATS",
    "image_is_blank",
    "labelled_arrays",
    "model_from_step",
    "render_widget",
    "save_png",
    "save_svg",
    "save_window_png",
    "write_labelled_csv",
    "write_model",
]
