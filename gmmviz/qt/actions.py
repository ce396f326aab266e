"""The window's commands as one table: text, keys, tip, icon, menu, toolbar, handler.

Menus, the toolbar and the keyboard-shortcut help are all generated from :data:`ACTIONS`, so
a command has one description wherever it appears (napari keeps its actions outside the
window in the same spirit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

from gmmviz.app.presets import PRESETS
from gmmviz.app.state import COLOUR_MODES

SP = QStyle.StandardPixmap

COLOUR_MODE_LABELS: dict[str, str] = {
    "true": "True labels",
    "hard": "EM labels (hard)",
    "blend": "Blend of responsibilities",
    "member": "Membership in one component",
}


@dataclass(frozen=True)
class ActionSpec:
    """One command.

    Attributes
    ----------
    name : str
        Key of the action (``window.act(name)``).
    text : str
    handler : str
        ``"presenter.method"``, ``"window.method"``, or a method name plus arguments after
        a colon (``"exports.dialog:png,2"``).
    keys : tuple of str
    tip : str
    icon : QStyle.StandardPixmap or None
    menu : str
        ``"File"``, ``"File/Export canvas image"``, ``"EM"``, ``"View"``, ``"Help"``.
    toolbar : bool
    checkable : bool
    help : str
        What the shortcut list says (defaults to ``tip``).
    toggled : bool
        The handler follows the checked state (it receives it), whoever changes it.
    """

    name: str
    text: str
    handler: str
    keys: tuple[str, ...] = ()
    tip: str = ""
    icon: SP | None = None
    menu: str = ""
    toolbar: bool = False
    checkable: bool = False
    help: str = ""
    toggled: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("generate", "Generate", "presenter.generate", ("G",),
               "Generate the dataset of the dataset panel", SP.SP_FileDialogNewFolder,
               "File", True, help="Generate the dataset"),
    ActionSpec("open", "Open data file…", "presenter.open_data_dialog", ("Ctrl+O",),
               "Load points from a file (or drop one on the window)", SP.SP_DialogOpenButton,
               "File", True, help="Open a data file"),
    ActionSpec("paint", "Paint points", "painter.set_active", ("P",),
               "Add points with a brush (choose their class), erase them, or clear the canvas",
               menu="File", checkable=True, toggled=True, help="Paint / stop painting"),
    ActionSpec("open_session", "Open session…", "sessions.open_dialog", ("Ctrl+Shift+O",),
               "Come back to a saved session: data, settings, view and the whole run",
               menu="File", help="Open a session"),
    ActionSpec("save_session", "Save session…", "sessions.save_dialog", ("Ctrl+S",),
               "Keep everything (data, settings, view, the whole run) in one .gmmviz file",
               menu="File", help="Save the session"),
    ActionSpec("export_model", "Export model…", "exports.dialog:model", ("Ctrl+Shift+M",),
               "Save the shown model as JSON or NPZ", SP.SP_DialogSaveButton, "File", True,
               help="Export the model"),
    ActionSpec("export_data", "Export labelled data (CSV)…", "exports.dialog:data",
               ("Ctrl+E",), "Save x, y, true label, EM label and every responsibility as CSV",
               None, "File", help="Export the labelled data"),
    ActionSpec("export_png", "Canvas as PNG…", "exports.dialog:png",
               tip="Save the canvas as a PNG image", menu="File/Export canvas image"),
    ActionSpec("export_png2", "Canvas as PNG (2x)…", "exports.dialog:png,2",
               tip="Save the canvas at twice its resolution", menu="File/Export canvas image"),
    ActionSpec("export_svg", "Canvas as SVG…", "exports.dialog:svg",
               tip="Save the canvas as an SVG drawing", menu="File/Export canvas image"),
    ActionSpec("export_samples", "Export samples (CSV)…", "exports.dialog:samples",
               tip="Save the points drawn from the model as CSV (x1..xd, component)",
               menu="File"),
    ActionSpec("export_animation", "Export animation (GIF, MP4)…", "exports.animation_dialog",
               tip="Every iteration of the run as a GIF, drawn like the canvas", menu="File"),
    ActionSpec("screenshot", "Screenshot…", "exports.dialog:window", ("Ctrl+Shift+S",),
               "Save the whole window as PNG", SP.SP_DesktopIcon, "File", True,
               help="Window screenshot"),
    ActionSpec("quit", "Quit", "window.close", ("Ctrl+Q",), "Close gmmviz", None, "File"),
    ActionSpec("step", "Step", "presenter.step", ("Right", "N"),
               "One EM iteration (E-step + M-step)", SP.SP_MediaSeekForward, "EM", True),
    ActionSpec("play", "Play", "presenter.toggle_play", ("Space",), "Animate EM / pause",
               SP.SP_MediaPlay, "EM", True, checkable=True, help="Play / pause"),
    ActionSpec("run", "Run to convergence", "presenter.run_to_end", ("Ctrl+R",),
               "Run EM until it converges or reaches max_iter", SP.SP_MediaSkipForward, "EM",
               True, help="Run to convergence"),
    ActionSpec("reset", "Reset", "presenter.reset", ("R",),
               "Re-initialise EM with the model settings", SP.SP_BrowserReload, "EM", True,
               help="Reset (re-initialise)"),
    ActionSpec("latest", "Go to latest iteration", "presenter.follow_latest", ("End",),
               "Show the latest iteration again", None, "EM",
               help="Back to the latest iteration"),
    ActionSpec("fix", "Fix: raise reg_covar / lower K", "report.fix_degenerate", ("Ctrl+F",),
               "Apply the fix for collapsed or empty components and run again", None, "EM",
               help="Fix a collapse"),
    ActionSpec("sample", "Sample 400 points from the model", "presenter.sample", ("S",),
               "Draw 400 new points from the shown mixture (a density model generates data)",
               None, "EM", help="Sample from the model"),
    ActionSpec("fit_view", "Fit view to data", "window.fit_view", ("F",),
               "Zoom to show all points", None, "View", help="Fit the view to the data"),
    ActionSpec("show_ellipses", "Show ellipses", "window.show_ellipses", tip="Show the "
               "1, 2 and 3 sigma ellipses", menu="View", checkable=True, toggled=True),
    ActionSpec("show_legend", "Show legend", "window.show_legend", tip="Show the legend",
               menu="View", checkable=True, toggled=True),
    ActionSpec("show_density", "Show density", "window.show_density", ("D",),
               "The fitted log-density as a heat map with contour lines", menu="View",
               checkable=True, toggled=True, help="Show / hide the density"),
    ActionSpec("side_by_side", "Covariance types side by side…", "window.show_side_by_side",
               ("T",), "Full, tied, diag and spherical from the same start, animated together",
               menu="View", help="Covariance types side by side"),
    ActionSpec("restarts", "Restarts (n_init)…", "window.show_restarts", ("Ctrl+I",),
               "Several starts as separate runs: their curves overlaid, the best marked",
               menu="View", help="Restarts overlaid"),
    ActionSpec("memberships", "Memberships side by side…", "window.show_memberships", ("M",),
               "True labels, EM labels and one membership map per component, live",
               menu="View", help="Memberships side by side"),
    ActionSpec("show_samples", "Show sampled points", "window.show_samples",
               tip="The points drawn from the model", menu="View", checkable=True,
               toggled=True),
    ActionSpec("start_page", "All experiments…", "window.show_start_page", ("Ctrl+L",),
               "The lecture's experiments, one click each", None, "Lecture",
               help="The lecture's experiments"),
    ActionSpec("shortcuts", "Keyboard shortcuts", "window.show_shortcuts", ("F1",),
               "List the keyboard shortcuts", None, "Help"),
    ActionSpec("about", "About gmmviz", "window.show_about", tip="What this is", menu="Help"),
)  # fmt: skip

#: Where the toolbar puts separators (after these actions).
TOOLBAR_BREAKS = ("open", "reset")
MENUS = ("File", "EM", "View", "Lecture", "Help")


def _handler(spec: ActionSpec, targets: dict[str, object]) -> Callable[..., None]:
    target, _, rest = spec.handler.partition(".")
    method, _, arg_text = rest.partition(":")
    fn = getattr(targets[target], method)
    args = [float(a) if a[0].isdigit() else a for a in arg_text.split(",")] if arg_text else []
    if spec.toggled:
        return lambda checked: fn(*args, bool(checked))
    return lambda *_: fn(*args)


def build_actions(window: QMainWindow, targets: dict[str, object]) -> dict[str, QAction]:
    """One QAction per row of :data:`ACTIONS`, added to ``window`` (window-wide keys)."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        if spec.keys:
            action.setShortcuts([QKeySequence(k) for k in spec.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        keys = ", ".join(native_keys(spec))
        action.setToolTip(f"{spec.tip} ({keys})" if keys and spec.tip else spec.tip or spec.text)
        action.setStatusTip(spec.tip)
        if spec.icon is not None:
            action.setIcon(window.style().standardIcon(spec.icon))
        action.setCheckable(spec.checkable)
        signal = action.toggled if spec.toggled else action.triggered
        signal.connect(_handler(spec, targets))
        window.addAction(action)
        actions[spec.name] = action
    return actions


def build_colour_actions(window: QMainWindow, choose: Callable[[str], None]) -> dict:
    """A checkable action per colour mode."""
    out = {}
    for mode in COLOUR_MODES:
        act = QAction(COLOUR_MODE_LABELS[mode], window, checkable=True)
        act.triggered.connect(lambda *_, m=mode: choose(m))
        out[mode] = act
    return out


def build_menus(
    window: QMainWindow, actions: dict[str, QAction], colour_actions: dict,
    preset_actions: list[QAction],
) -> None:  # fmt: skip
    bar = window.menuBar()
    menus: dict[str, QMenu] = {name: bar.addMenu(f"&{name}") for name in MENUS}
    for spec in ACTIONS:
        top, _, sub = spec.menu.partition("/")
        menu = menus[top]
        if sub:
            if sub not in menus:
                menus[sub] = menu.addMenu(sub)
            menu = menus[sub]
        if spec.name in ("quit", "latest", "screenshot"):
            menu.addSeparator()
        if spec.name == "export_model":
            menu.addSeparator()
        menu.addAction(actions[spec.name])
        if spec.name == "fit_view":
            colours = menus["View"].addMenu("Colour points by")
            for act in colour_actions.values():
                colours.addAction(act)
        if spec.name == "start_page":
            menu.addSeparator()
            for act in preset_actions:
                menu.addAction(act)


def build_preset_actions(window: QMainWindow, choose: Callable[[str], None]) -> list[QAction]:
    """One action per lecture experiment (menu text: its title; tip: what to look for)."""
    out = []
    for p in PRESETS.values():
        act = QAction(p.title, window)
        act.setToolTip(p.hint)
        act.setStatusTip(p.hint)
        act.triggered.connect(lambda *_, name=p.name: choose(name))
        out.append(act)
    return out


def build_toolbar(window: QMainWindow, actions: dict[str, QAction]) -> QToolBar:
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    order = ("generate", "open", "step", "play", "run", "reset", "export_model", "screenshot")
    for name in order:
        toolbar.addAction(actions[name])
        if name in TOOLBAR_BREAKS:
            toolbar.addSeparator()
    return toolbar


def native_keys(spec: ActionSpec) -> list[str]:
    return [QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in spec.keys]


def shortcut_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, in table order."""
    rows = []
    for spec in ACTIONS:
        if spec.keys:
            keys = " or ".join("→" if k == "Right" else k for k in native_keys(spec))
            rows.append((keys, spec.help or spec.tip))
    return rows
