"""File ▸ Save session / Open session: the window's whole state in one ``.gmmviz`` file.

Saving takes a record of the state on the GUI thread (cheap: the snapshots are K × d arrays;
the data are referenced, not copied) and writes it on the task thread. Opening reads and
validates the file on the task thread; only a valid session replaces what the window shows,
then the same data, settings, view, curve and shown iteration come back. A run that was
paused when saved continues where it stopped when Step or Play is pressed.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from gmmviz.app.session import SESSION_SUFFIX, Session, read_session, session_writer
from gmmviz.app.state import RunStatus
from gmmviz.qt import dialogs
from gmmviz.qt.tasks import TaskResult


def is_session(path: str | Path) -> bool:
    return Path(path).suffix.lower() == SESSION_SUFFIX


class SessionKeeper(QObject):
    """Saves and opens session files for the presenter."""

    def __init__(self, presenter: Any) -> None:
        super().__init__(presenter)
        self.presenter = presenter
        self.state = presenter.state
        self.tasks = presenter.tasks
        self._opening: str | None = None
        self._play = False
        self._saving: str | None = None
        self.tasks.finished.connect(self._on_task_finished)

    # ------------------------------------------------------------------ save

    def save_dialog(self) -> bool:
        """Ask where, then save; returns whether a save was started."""
        if self.state.data is None:
            self.presenter.error("There is nothing to save yet: generate data or open a file.")
            return False
        target = dialogs.export_path(self.presenter.w, "session")
        return target is not None and self.save(target)

    def save(self, path: str | Path) -> bool:
        """Write the session to ``path`` in the background (the state is taken now);
        returns whether the writing was started."""
        path = str(path)
        try:
            dialogs.check_folder(path)
            (x0, x1), (y0, y1) = self.presenter.w.canvas.view.viewRange()
            writer = session_writer(path, self.state, (x0, x1, y0, y1))
        except (OSError, ValueError) as exc:
            self.presenter.unsaved.save_failed()
            self.presenter.error(f"Could not save the session: {exc}")
            return False
        self._saving = path
        self.presenter.status(f"Saving the session to {path}…")
        self.tasks.submit("session-save", writer)
        return True

    # ------------------------------------------------------------------ open

    def open_dialog(self) -> None:
        path = dialogs.open_session_path(self.presenter.w)
        if path:
            self.open(path)

    def open(self, path: str | Path, play: bool = False) -> None:
        """Read and check a session file in the background; show it if it is valid."""
        if self.presenter.unsaved.blocks("Opening a session", partial(self.open, path, play)):
            return
        path = str(path)
        self.presenter.runner.pause()
        self.presenter.importer.abandon()
        self.tasks.forget("data")  # an older Generate or Open must not land after it
        self._opening = path
        self._play = play
        self.presenter.status(f"Opening the session {path}…")
        self.tasks.submit("session", partial(read_session, path))

    def apply(self, session: Session) -> None:
        """Show ``session``: data, settings, view, run and shown iteration."""
        p = self.presenter
        p.runner.cancel()
        p.set_data(session.source, restart=False)
        self.state.apply_record(session.settings)
        run = session.run
        if run is not None:
            run.run_id = next(p.loaded_ids)
            self.state.put_run(run, *session.selection)
            p.restored_run_id = run.run_id if run.status is RunStatus.RUNNING else None
            p.w.canvas.set_colour_slots(run.colour_slots)
            p.report.badge_for(run)
            step = self.state.shown_step
            if step is not None:
                p.readouts.show_step(step)
        if session.view_rect is not None:
            x0, x1, y0, y1 = session.view_rect
            p.w.canvas.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        p.render.request()
        p.w.update_actions()
        if run is None and not p.importer.interactive:
            p.reset(play=self._play)  # a script asked for a model: fit one

    def forget(self) -> None:
        """Drop a session still being read (newer data were asked for)."""
        self.tasks.forget("session")
        self._opening = None

    # ------------------------------------------------------------------ answers

    def _on_task_finished(self, result: TaskResult) -> None:
        if result.slot == "session-save" and self._saving is not None:
            path, self._saving = self._saving, None
            if result.error is not None:
                self.presenter.unsaved.save_failed()
                self.presenter.error(f"Could not save the session: {result.error}")
            else:
                self.presenter.status(f"Saved the session to {path}.")
                self.presenter.unsaved.saved()  # the painted points are kept there
        elif result.slot == "session" and self._opening is not None:
            path, self._opening = self._opening, None
            name = Path(path).name
            if result.error is not None:
                self.presenter.error(f"Could not open the session {name}: {result.error}")
                return
            self.apply(result.value)
            step = self.state.shown_step
            where = "" if step is None else f", showing iteration {step.iteration}"
            self.presenter.status(f"Opened the session {name}{where}.")
