"""Everything that imports PySide6 or pyqtgraph: the runners, the presenter, the widgets."""
