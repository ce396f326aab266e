"""The app's style sheet (kept in the package so that every install has it)."""

STYLE_SHEET = """
QMainWindow { background: #f4f5f7; }
QGroupBox {
    font-weight: 600;
    border: 1px solid #d5d8de;
    border-radius: 6px;
    margin-top: 14px;
    padding: 8px 8px 6px 8px;
    background: #ffffff;
}
QGroupBox::title {
    subcontrol-origin: margin;
    left: 10px;
    padding: 0 4px;
    color: #2b3a55;
}
QLabel#sectionTitle { font-weight: 600; color: #2b3a55; }
QLabel#hint { color: #5d6677; font-size: 11px; }
QLabel#readout { font-family: monospace; color: #1d2433; }
QLabel#badge {
    border-radius: 4px;
    padding: 4px 8px;
    font-weight: 600;
    color: #ffffff;
    background: #8a93a6;
}
QLabel#badge[state="running"] { background: #1f77b4; }
QLabel#badge[state="converged"] { background: #2ca02c; }
QLabel#badge[state="stopped"] { background: #d98c1a; }
QLabel#badge[state="error"] { background: #d62728; }
QPushButton#primary {
    background: #1f77b4;
    color: white;
    border: none;
    border-radius: 4px;
    padding: 5px 12px;
    font-weight: 600;
}
QPushButton#primary:hover { background: #2a88c8; }
QPushButton#primary:disabled { background: #9bb7d0; }
QToolButton[objectName^="em_"] {
    padding: 4px 6px;
    border: 1px solid #c9cdd5;
    border-radius: 4px;
    background: #f7f8fa;
}
QToolButton[objectName^="em_"]:hover { background: #e8eef6; }
QToolButton[objectName^="em_"]:checked { background: #dbe8f5; border-color: #1f77b4; }
QToolButton[objectName^="em_"]:disabled { color: #a0a6b1; }
QStatusBar { background: #e9ebef; color: #1d2433; }
"""
