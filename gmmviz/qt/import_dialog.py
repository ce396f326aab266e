"""The dialog between a data file and the canvas: preview, columns, labels, bad rows.

It shows the first rows as written, lets the person tick the feature columns and pick an
optional label column (a text column such as iris's ``species`` can be the labels), lists the
text columns that are left out, and counts the rows with missing, NaN or infinite values in
the chosen columns; those rows are dropped only when the person ticks the box that says so.
It never blocks the event loop (``open()``, not ``exec()``) and computes nothing heavier
than a count of bad rows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gmmviz.io import Table, TableChoice


class ImportDialog(QDialog):
    """Choose what to fit from a data file's :class:`~gmmviz.io.Table`.

    Signals
    -------
    chosen(Table, TableChoice)
        The person pressed Open with a choice that :meth:`Table.select` accepts as far as
        columns and bad rows go.
    """

    chosen = Signal(object, object)

    def __init__(self, table: Table, parent: QWidget | None = None,
                 choice: TableChoice | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.table = table
        self.setWindowTitle(f"Open data — {table.path.name}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setObjectName("importDialog")
        try:
            start = choice or table.default_choice()
        except ValueError:  # e.g. two label columns by name: let the person pick one
            start = TableChoice(tuple(j for j, c in enumerate(table.columns) if c.kind == "number"))

        n_cols = len(table.columns)
        summary = QLabel(
            f"<b>{table.n_rows:,} rows × {n_cols} columns.</b> Tick the features EM fits "
            "(two or more) and, if the file has them, the column of true labels."
        )
        summary.setWordWrap(True)

        self.preview = self._preview_table()
        self.features = QListWidget()
        self.features.setObjectName("featureColumns")
        for j, column in enumerate(table.columns):
            item = QListWidgetItem(self._describe(j))
            if column.kind == "number":
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = j in start.features
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            else:
                item.setFlags(Qt.ItemFlag.NoItemFlags)  # text: can be the labels only
            self.features.addItem(item)
        self.label = QComboBox()
        self.label.setObjectName("labelColumn")
        self.label.addItem("none", None)
        for j, column in enumerate(table.columns):
            self.label.addItem(column.name, j)
        self.label.setCurrentIndex(0 if start.label is None else start.label + 1)
        self.left_out = QLabel()
        self.left_out.setWordWrap(True)
        self.bad = QLabel()
        self.bad.setWordWrap(True)
        self.bad.setObjectName("badRows")
        self.drop = QCheckBox()
        self.drop.setObjectName("dropBadRows")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("True labels:", self.label)
        columns_row = QHBoxLayout()
        columns_row.addWidget(self.features, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.preview, 2)
        layout.addWidget(QLabel("Features:"))
        layout.addLayout(columns_row, 1)
        layout.addLayout(form)
        layout.addWidget(self.left_out)
        layout.addWidget(self.bad)
        layout.addWidget(self.drop)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(760, 560)

        self.features.itemChanged.connect(self._update)
        self.label.currentIndexChanged.connect(self._update)
        self.drop.toggled.connect(self._update)
        self._update()

    # ------------------------------------------------------------------ parts

    def _describe(self, j: int) -> str:
        column = self.table.columns[j]
        if column.kind == "text":
            return f"{column.name} — text (can be the labels)"
        if column.n_bad:
            return f"{column.name} — numbers, {column.n_bad:,} missing or not numbers"
        return f"{column.name} — numbers"

    def _preview_table(self) -> QTableWidget:
        rows = self.table.preview[1:] if self.table.has_header else self.table.preview
        view = QTableWidget(len(rows), len(self.table.columns))
        view.setObjectName("preview")
        view.setHorizontalHeaderLabels(self.table.names)
        italic = QFont()
        italic.setItalic(True)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row[: len(self.table.columns)]):
                item = QTableWidgetItem(cell)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                if self.table.columns[j].kind == "text":
                    item.setFont(italic)
                view.setItem(i, j, item)
        view.resizeColumnsToContents()
        return view

    def choice(self) -> TableChoice:
        """The columns ticked, the label chosen and whether to drop the bad rows."""
        label = self.label.currentData()
        features = tuple(
            j for j in range(self.features.count())
            if j != label and self.features.item(j).checkState() == Qt.CheckState.Checked
        )  # fmt: skip
        return TableChoice(features, label, self.drop.isChecked())

    def _update(self, *_: object) -> None:
        choice = self.choice()
        text = [c.name for j, c in enumerate(self.table.columns)
                if c.kind == "text" and j != choice.label]  # fmt: skip
        self.left_out.setText(f"Left out (text): {', '.join(text)}" if text else "")
        self.left_out.setVisible(bool(text))
        problem = ""
        n_bad = 0
        if len(choice.features) < 2:
            problem = "Tick at least two feature columns: the window shows EM on two or more."
        else:
            try:
                bad = self.table.bad_rows(choice)
            except ValueError as exc:
                problem = str(exc).split(": ", 1)[-1]
            else:
                n_bad = int(bad.sum())
                if n_bad:
                    first = self.table.row_name(int(bad.argmax()))
                    self.bad.setText(
                        f"{n_bad:,} of {self.table.n_rows:,} rows have missing, NaN, infinite "
                        f"or non-numeric values in the chosen columns (first at {first})."
                    )
                    self.drop.setText(f"Drop these {n_bad:,} rows")
                    if not choice.drop_bad_rows:
                        problem = "Tick the box to drop them, or untick the columns that hold them."
                    elif self.table.n_rows - n_bad < 2:
                        problem = "Fewer than two rows would be left."
        self.bad.setVisible(n_bad > 0)
        self.drop.setVisible(n_bad > 0)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(not problem)

    def _accept(self) -> None:
        self.chosen.emit(self.table, self.choice())
        self.accept()
