"""Painted points exist nowhere else: ask before something replaces them or the window closes.

After painting, until the points are saved in a session, Generate, a preset, opening a data
file or a session, and closing the window ask first: *Save session…* (the action goes on
once the session is written), *Discard* (it goes on now) or *Cancel* (nothing happens).
The question is a window-modal box opened with ``open()``: it never blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from gmmviz.qt import dialogs


class UnsavedPainting(QObject):
    """Tracks painted points not yet saved, and asks before they are thrown away.

    Attributes
    ----------
    pending : bool
        Points were painted since the last saved session.
    ask : bool
        Whether to ask at all (tests that drive the window without a person switch it off).
    """

    def __init__(self, presenter: Any) -> None:
        super().__init__(presenter)
        self.presenter = presenter
        self.pending = False
        self.ask = True
        self._then: Callable[[], None] | None = None

    def painted(self, n_points: int) -> None:
        """The data on the canvas were just edited by painting (``n_points`` remain)."""
        self.pending = n_points > 0

    def saved(self) -> None:
        """A session holding the current data was written: nothing is lost any more; the
        action waiting on the save goes on."""
        self.pending = False
        then, self._then = self._then, None
        if then is not None:
            then()

    def save_failed(self) -> None:
        self._then = None  # the error is shown; the points stay, and so does the user

    def blocks(self, what: str, then: Callable[[], None]) -> bool:
        """Whether the action ``what`` (e.g. "Generating new data") must wait for an answer.

        When it must, the question is shown and ``then()`` runs after *Save session…* has
        written the session, or at once on *Discard*. Returns False (go ahead) when there
        is nothing unsaved or nobody to ask.
        """
        if not (self.pending and self.ask):
            return False
        if dialogs.open_boxes(self.presenter.w):
            return True  # a question (or an error) is already waiting for an answer
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved painted points",
            f"{what} would discard the painted points, which are not saved anywhere.\n\n"
            "Save them in a session first?",
            parent=self.presenter.w,
        )
        save = box.addButton("Save session…", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.buttonClicked.connect(lambda button: self._answered(button, save, discard, then))
        dialogs.open_box(box)
        return True

    def _answered(self, button, save, discard, then: Callable[[], None]) -> None:
        if button is discard:
            self.pending = False
            then()
        elif button is save:
            self._then = then
            if not self.presenter.sessions.save_dialog():
                self._then = None  # the file dialog was cancelled: stay
