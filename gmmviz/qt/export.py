"""Image exports: the canvas (PNG 1x/2x, SVG) and the whole window.

Model and data are written by the Qt-free :mod:`gmmviz.app.exports`. Images are rendered
from the widgets after they have been laid out (export only after ``processEvents``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsView, QWidget

#: Qt's PNG "quality": 0 is zlib's strongest compression (the files are a third smaller).
PNG_QUALITY = 0
IMAGE_FORMATS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}


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
        # The legend ignores transformations (pyqtgraph sets it for legends in a view box),
        # so it would stay at 1x in a 2x export; in our layout it scales like the rest.
        fixed_size = [
            i
            for i in scene.items()
            if i.flags() & QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
        ]
        for item in items:
            item.setExportMode(True, opts)
        for item in fixed_size:
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, False)
        try:
            source = widget.mapToScene(widget.viewport().rect()).boundingRect()
            scene.render(painter, QRectF(image.rect()), source)
        finally:
            for item in fixed_size:
                item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            for item in items:
                item.setExportMode(False)
    else:
        painter.scale(scale, scale)
        widget.render(painter)
    painter.end()
    return image


def save_png(widget: QWidget, path: str | Path, scale: float = 1.0) -> Path:
    """Write the widget as a PNG at ``scale`` (1 or 2)."""
    return write_png(render_widget(widget, scale), path)


def write_png(image: QImage, path: str | Path) -> Path:
    """Encode ``image`` as PNG into ``path``. Touches no widget, so it may run on a worker
    (the strongest compression takes 0.1 s for a 1x canvas, 0.6 s at 2x)."""
    path = Path(path)
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
    "render_widget",
    "save_png",
    "save_svg",
    "save_window_png",
    "write_png",
]
