"""The one render request cycle between the canvas, the state and the snapshot runner.

1. something the canvas shows changes (the shown snapshot, the colouring, the visible
   rectangle, the data);
2. :meth:`RenderCycle.request` builds the :class:`~gmmviz.scene.ViewRequest` on the GUI thread
   (cheap), gives it to the runner for the snapshots it sends from now on, and asks for the
   shown snapshot's display; the answer carries a token, and only the newest token that is
   still the shown snapshot is drawn (one generation counter);
3. an update of a run carries a display computed for the request it was made for: it is
   drawn (and makes every pending answer stale) when that request is still current,
   otherwise step 2 runs again;
4. the worker may send the next snapshot once this one is painted (back-pressure, not a
   timer), or after :data:`PAINT_TIMEOUT_MS` when nothing can be painted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from gmmviz.app.state import AppState
from gmmviz.qt.runner import Rendered, SnapshotRunner, Update
from gmmviz.scene import Display, SceneRenderer

#: Longest wait for a paint before the worker is released anyway (hidden or minimised window).
PAINT_TIMEOUT_MS = 250


class RenderCycle(QObject):
    """Requests displays from the runner and puts the newest on the canvas.

    Signals
    -------
    frameShown(int)
        The display of a snapshot (its iteration) was put on the canvas.
    displayShown(Display)
        Any display was put on the canvas (its metrics go to the metrics panel).
    """

    frameShown = Signal(int)
    displayShown = Signal(object)

    def __init__(
        self, parent: QObject, runner: SnapshotRunner, canvas, state: AppState,
        can_paint: Callable[[], bool],
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.runner, self.canvas, self.state = runner, canvas, state
        self._can_paint = can_paint
        self._renderer: SceneRenderer | None = None
        self._token = 0
        self._awaiting_paint: int | None = None
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(PAINT_TIMEOUT_MS)
        self._paint_timer.timeout.connect(self.release_worker)
        runner.rendered.connect(self._on_rendered)
        canvas.painted.connect(self.release_worker)

    def set_renderer(self, renderer: SceneRenderer) -> None:
        """New data: its renderer; whatever was pending belongs to the old data."""
        self._renderer = renderer
        self._awaiting_paint = None
        self.runner.set_renderer(renderer)

    def request(self) -> None:
        """Step 2: ask for the shown snapshot (or the bare data) as the canvas now wants it."""
        if self.runner.is_closed or self._renderer is None:
            return
        run = self.state.run
        slots = () if run is None else run.colour_slots
        request = replace(self.canvas.view_request(), colour_slots=slots)
        self.runner.set_request(request)
        self._token = self.runner.render(self.state.shown_step, request)

    def show_update(self, update: Update) -> None:
        """Step 3: draw an update's display, or ask again when the view changed meanwhile."""
        if update.display is not None:
            self._show(update.display)
        if update.request != self.runner.request:
            self.request()  # the view changed while this was computed
        else:
            self._token = 0  # this display is newer than any pending answer
        self._await_paint(update.run_id)

    @Slot(object)
    def _on_rendered(self, rendered: Rendered) -> None:
        if rendered.token == self._token and rendered.snapshot is self.state.shown_step:
            self._show(rendered.display)

    def _show(self, display: Display) -> None:
        self.canvas.show_display(display)
        self.displayShown.emit(display)
        if display.snapshot is not None:
            self.frameShown.emit(display.snapshot.iteration)

    def _await_paint(self, run_id: int) -> None:
        if self._can_paint():
            self._awaiting_paint = run_id
            self._paint_timer.start()
        else:
            self.canvas.take_frame_pending()
            self.runner.frame_done(run_id)

    @Slot()
    def release_worker(self) -> None:
        """Step 4: the frame was painted (or can't be): the worker may send the next."""
        if self._awaiting_paint is not None:
            run_id, self._awaiting_paint = self._awaiting_paint, None
            self._paint_timer.stop()
            self.runner.frame_done(run_id)

    def stop(self) -> None:
        self._paint_timer.stop()
        self._awaiting_paint = None
