"""The lecture's side-by-side figure, live: true labels, EM labels, one membership map per
component (small multiples with a shared colour bar), exportable as one picture."""

from __future__ import annotations

from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gmmviz.scene import palette
from gmmviz.scene.memberships import MembershipPanels, membership_panels

#: Columns of the grid of small multiples.
COLUMNS = 4
#: Most pixels of a panel's longer side (the panels are rasters of the data's extent).
PANEL_PIXELS = 160


def panel_pixels(n_points: int) -> int:
    """Fewer, bigger pixels for few points: they then read as dots, as in the lecture's
    scatter plots (200 points: 56 pixels a side; 1,500: 154)."""
    return int(np.clip(4 * np.sqrt(n_points), 48, PANEL_PIXELS))


class MembershipsWindow(QWidget):
    """Small multiples of the shown snapshot, recomputed on the task thread as EM runs.

    Parameters
    ----------
    main_window : MainWindow
    """

    def __init__(self, main_window) -> None:
        super().__init__(main_window, Qt.WindowType.Tool)
        self.setWindowTitle("gmmviz — memberships side by side")
        self.resize(980, 620)
        self.main = main_window
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.caption = QLabel("")
        self.caption.setObjectName("hint")
        self.save = QPushButton("Save as PNG…")
        self.save.clicked.connect(self._save_dialog)
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
        row.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.graphics, 1)
        self.panels: MembershipPanels | None = None
        self._token = 0
        self._key: tuple | None = None
        presenter = main_window.presenter
        presenter.frameShown.connect(lambda _: self.request())
        presenter.tasks.finished.connect(self._on_result)

    def request(self) -> None:
        """Compute the panels of the shown snapshot (an older pending answer goes stale)."""
        state = self.main.state
        step, data = state.shown_step, state.data
        if not self.isVisible() or step is None or data is None:
            return
        view = self.main.canvas.xy
        key = (id(step), id(view))
        if key == self._key or not len(view):
            return
        self._key = key
        lo, hi = view.min(axis=0), view.max(axis=0)
        span = np.maximum(hi - lo, 1e-9)
        lo, hi = lo - 0.05 * span, hi + 0.05 * span
        box = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
        scale = panel_pixels(len(view)) / max(hi - lo)
        shape = (max(int((hi[1] - lo[1]) * scale), 8), max(int((hi[0] - lo[0]) * scale), 8))
        job = partial(membership_panels, data.X, view, data.y_true, step, box, shape)
        self._token = self.main.presenter.tasks.submit("memberships", job)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._key = None
        self.request()

    def _on_result(self, result) -> None:
        if result.slot != "memberships" or result.token != self._token:
            return
        if result.error is not None:
            self.caption.setText(f"Could not compute the memberships: {result.error}")
            return
        self.show_panels(result.value)

    def show_panels(self, panels: MembershipPanels) -> None:
        self.panels = panels
        g = self.graphics
        g.clear()
        images = []
        if panels.true_labels is not None:
            images.append(("True (unknown) labels", panels.true_labels))
        images.append(("Predicted labels by GMM", panels.em_labels))
        images += [
            (f"Membership in component {j + 1}", m) for j, m in enumerate(panels.memberships)
        ]
        x0, y0, x1, y1 = panels.rect
        for i, (title, rgba) in enumerate(images):
            plot = g.addPlot(row=i // COLUMNS, col=i % COLUMNS, title=title)
            plot.setMenuEnabled(False)
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            plot.setAspectLocked(True)
            image = pg.ImageItem(rgba, axisOrder="row-major")
            image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            plot.addItem(image)
            plot.titleLabel.setText(title, size="8pt", color="#333")
        bar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=pg.ColorMap(np.linspace(0, 1, 64), palette.viridis(64)),
            interactive=False,
            width=14,
            colorMapMenu=False,
            label="membership",
        )
        bar.getAxis("right").setTextPen("k")
        g.addItem(bar, row=0, col=COLUMNS, rowspan=max(1, (len(images) + COLUMNS - 1) // COLUMNS))
        self.caption.setText(
            f"Iteration {panels.iteration}: each map colours the points by their responsibility "
            "for one component (the lecture's GMM_predict_plot), live while EM runs."
        )

    def _save_dialog(self) -> None:
        from gmmviz.qt import dialogs, export

        target = dialogs.export_path(self, "memberships")
        if target is None:
            return
        try:
            dialogs.check_folder(target)
            export.save_png(self.graphics, target)
        except (OSError, ValueError) as exc:
            self.main.presenter.error(f"Export failed: {exc}")
