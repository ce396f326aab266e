"""Opening a data file: read it on the task thread with a progress bar and Cancel, ask
which columns to fit when the person should decide, then hand the data to the presenter.

The steps, each off the GUI thread where it costs anything:

1. :func:`gmmviz.io.read_table` on the task runner (slot ``"table"``), reporting progress
   through a queued signal and polling a cancel flag between chunks;
2. on the GUI thread: the :class:`~gmmviz.qt.import_dialog.ImportDialog` when asked to (File
   ▸ Open, a dropped file) or when the default choice cannot be used as it is (bad rows,
   text columns left out, an ambiguous label column);
3. :func:`gmmviz.app.runs.source_from_table` on the task runner (slot ``"data"``), whose
   answer the presenter turns into the new data, as for a generated dataset.

Any failure is one message; the data, model and history on screen stay as they were.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog

from gmmviz.app.runs import source_from_table
from gmmviz.qt.tasks import TaskResult

if TYPE_CHECKING:
    from gmmviz.io import Table, TableChoice
    from gmmviz.qt.import_dialog import ImportDialog

_PROGRESS_STEPS = 1000


def _read(path: str, progress: Any, cancelled: threading.Event) -> Table | None:
    """The file's table, or None when the person cancelled."""
    from gmmviz.io import LoadCancelled, read_table

    try:
        return read_table(path, progress=progress, cancelled=cancelled.is_set)
    except LoadCancelled:
        return None


def needs_a_decision(table: Table) -> bool:
    """Whether the default choice of columns would refuse the file or leave something out
    silently: bad rows, a text column that is not the labels, two label columns by name."""
    if sum(c.kind == "number" for c in table.columns) < 2 or table.n_rows < 2:
        return False  # no choice makes a data set: the message says why
    try:
        choice = table.default_choice()
    except ValueError:
        return True
    text = [j for j, c in enumerate(table.columns) if c.kind == "text" and j != choice.label]
    return bool(text) or len(choice.features) < 2 or bool(table.bad_rows(choice).any())


class DataImporter(QObject):
    """Reads data files for the presenter (see the module's description).

    Attributes
    ----------
    dialog : ImportDialog or None
        The column dialog while it is open.
    progress : QProgressDialog or None
        The progress dialog while a file is read.
    """

    _advanced = Signal(float)  # emitted on the task thread, queued to the GUI thread

    def __init__(self, presenter: Any) -> None:
        super().__init__(presenter)
        self.presenter = presenter
        self.window = presenter.w
        self.tasks = presenter.tasks
        self.dialog: ImportDialog | None = None
        self.progress: QProgressDialog | None = None
        self._cancel = threading.Event()
        self._pending: tuple[str, bool, bool] | None = None  # (path, play, ask)
        self.interactive = True  # False: never ask (a scripted run takes the default choice)
        self._advanced.connect(self._on_advanced)
        self.tasks.finished.connect(self._on_task_finished)

    def open(self, path: str | Path, play: bool = False, ask: bool = False) -> None:
        """Read ``path`` in the background; with ``ask`` the column dialog always shows."""
        self._close_dialog()
        self._cancel.set()  # an older read stops at its next chunk
        self._cancel = threading.Event()
        path = str(path)
        self._pending = (path, play, ask)
        self.presenter.status(f"Reading {path}…")
        self._show_progress(Path(path).name)
        self.tasks.submit("table", partial(_read, path, self._advanced.emit, self._cancel))

    def cancel(self) -> None:
        """Stop reading; the data on screen stay."""
        self._cancel.set()
        self.tasks.forget("table")
        self._close_progress()
        if self._pending is not None:
            name = Path(self._pending[0]).name
            self.presenter.status(f"Opening {name} cancelled; the data on screen stay.")
        self._pending = None

    def abandon(self) -> None:
        """Forget a read in progress and its dialog, quietly (newer data were asked for)."""
        self._cancel.set()
        self.tasks.forget("table")
        self._pending = None
        self._close_progress()
        self._close_dialog()

    def choose(self, table: Table, choice: TableChoice, play: bool = False) -> None:
        """Make the data set ``choice`` describes (on the task thread) and show it."""
        self.presenter.data_what = f"open {table.path.name}"
        self.presenter.status(f"Preparing {table.path.name}…")
        make = partial(source_from_table, table, choice)
        self.tasks.submit("data", partial(self.presenter.data_job, make, play))

    # ------------------------------------------------------------------ progress

    def _show_progress(self, name: str) -> None:
        self._close_progress()
        bar = QProgressDialog(f"Reading {name}…", "Cancel", 0, _PROGRESS_STEPS, self.window)
        bar.setObjectName("readProgress")
        bar.setWindowTitle("gmmviz")
        bar.setWindowModality(Qt.WindowModality.WindowModal)
        bar.setMinimumDuration(400)  # small files never flash a dialog
        bar.setAutoClose(False)
        bar.setAutoReset(False)
        bar.canceled.connect(self.cancel)
        self.progress = bar

    def _close_progress(self) -> None:
        if self.progress is not None:
            bar, self.progress = self.progress, None
            bar.canceled.disconnect(self.cancel)
            bar.close()
            bar.deleteLater()

    @Slot(float)
    def _on_advanced(self, fraction: float) -> None:
        if self.progress is not None:
            self.progress.setValue(int(fraction * _PROGRESS_STEPS))

    # ------------------------------------------------------------------ answers

    def _on_task_finished(self, result: TaskResult) -> None:
        if result.slot != "table" or self._pending is None:
            return
        path, play, ask = self._pending
        self._pending = None
        self._close_progress()
        name = Path(path).name
        if result.error is not None:
            message = result.error.removeprefix(f"{path}: ")  # the file is named once
            self.presenter.error(f"Could not open {name}: {message}")
            return
        table = result.value
        if table is None:
            self.presenter.status(f"Opening {name} cancelled; the data on screen stay.")
            return
        if self.interactive and (ask or needs_a_decision(table)):
            self._ask(table, play)
        else:
            self.choose(table, table.default_choice(), play)

    def _ask(self, table: Table, play: bool) -> None:
        from gmmviz.qt.import_dialog import ImportDialog

        self.dialog = ImportDialog(table, self.window)
        self.dialog.chosen.connect(lambda t, c: self.choose(t, c, play))
        self.dialog.rejected.connect(self._on_dialog_rejected)
        self.dialog.finished.connect(self._forget_dialog)
        self.presenter.status(f"Choose the columns of {table.path.name} to open it.")
        self.dialog.open()

    def _on_dialog_rejected(self) -> None:
        if self.presenter.state.data is None:
            self.presenter.status("Nothing opened: press Generate, or open a data file.")
        else:
            self.presenter.status("Nothing opened; the data on screen stay.")

    def _forget_dialog(self, *_: object) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.finished.disconnect(self._forget_dialog)
            dialog.rejected.disconnect(self._on_dialog_rejected)
            dialog.close()
            dialog.deleteLater()

    def shutdown(self) -> None:
        """Stop a read in progress and close the dialogs (the window is closing)."""
        self._cancel.set()
        self._pending = None
        self._close_progress()
        self._close_dialog()
