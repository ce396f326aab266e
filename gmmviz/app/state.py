"""The app's one source of truth: data, settings, runs and what is shown (no Qt).

:class:`AppState` holds everything the window shows and everything a session file keeps. It
is observable: every change goes through a method that validates it and emits a psygnal
signal, and the widgets update from those signals, never the other way round. Nothing here
knows about widgets or threads: the presenter (``gmmviz.qt.presenter``) calls the methods
from the GUI thread.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from psygnal import Signal

from gmmviz.app.settings import ModelSettings, dataset_spec_from_dict, dataset_spec_to_dict
from gmmviz.core.datasets import DatasetSpec
from gmmviz.core.diagnostics import smallest_variance
from gmmviz.core.em import EMStep
from gmmviz.core.metrics import match_components
from gmmviz.scene.request import COLOUR_MODES

if TYPE_CHECKING:
    from gmmviz.io import TableChoice


@dataclass(frozen=True, eq=False)
class DataSource:
    """The points EM runs on.

    Attributes
    ----------
    X : ndarray of shape (N, d)
    y_true : ndarray of shape (N,) or None
    title : str
        What the status bar and window title call it.
    spec : DatasetSpec or None
        For generated data.
    path : str or None
        For data read from a file.
    feature_names : tuple of str
        One name per column of ``X``.
    choice : TableChoice or None
        For data read from a file: the columns chosen and whether bad rows were dropped.
    class_names : tuple of str
        The true classes' names (a text label column's values) in code order, or ``()``.
    """

    X: np.ndarray
    y_true: np.ndarray | None
    title: str
    spec: DatasetSpec | None = None
    path: str | None = None
    feature_names: tuple[str, ...] = ()
    choice: TableChoice | None = None
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.feature_names) != self.X.shape[1]:
            names = tuple(f"x{i + 1}" for i in range(self.X.shape[1]))
            object.__setattr__(self, "feature_names", names)

    def class_name(self, code: int) -> str:
        """How the window names true class ``code``."""
        if 0 <= code < len(self.class_names):
            return self.class_names[code]
        return f"class {code}"

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @functools.cached_property
    def class_values(self) -> np.ndarray:
        """The distinct true labels, sorted (computed once: ``np.unique`` sorts a million
        labels in 30 ms, and the canvas asks at every change of plane)."""
        return np.zeros(0, np.int64) if self.y_true is None else np.unique(self.y_true)

    @property
    def n_classes(self) -> int:
        """How many true classes the labels hold."""
        return int(self.class_values.size)

    @property
    def colour_class_names(self) -> tuple[str, ...]:
        """The name of each colour of the "true labels" view: colour ``k`` shows the
        ``k``-th smallest label value (labels 1, 2, 3 are "class 1" .. "class 3", as the
        confusion matrix says)."""
        return tuple(self.class_name(int(v)) for v in self.class_values)

    @functools.cached_property
    def variance(self) -> float:
        """The data's variance along its thinnest direction (computed once; the run
        factories warm it on the worker, so the GUI thread never scans a million rows)."""
        return smallest_variance(self.X)


@dataclass(frozen=True)
class ViewSettings:
    """How the canvas shows the data and the model.

    Attributes
    ----------
    colour_by : str
        One of :data:`COLOUR_MODES`.
    component : int
        The component of the ``"member"`` colouring (0-based).
    show_ellipses, show_legend : bool
    show_density : bool
        The fitted log-density as a heat map with contours.
    show_samples : bool
        The points drawn from the fitted mixture (when there are some).
    half_steps : bool
        Step, Play and the history go by E-step and M-step separately.
    axes : tuple of 2 ints
        The two features the canvas shows.
    pca : bool
        Show the first two principal axes instead (for more than two features).
    pca_scaled : bool
        The principal axes of the standardised features (each feature divided by its
        standard deviation), so that a feature of large units does not take them over.
    """

    colour_by: str = "hard"
    component: int = 0
    show_ellipses: bool = True
    show_legend: bool = True
    show_density: bool = False
    show_samples: bool = True
    half_steps: bool = False
    axes: tuple[int, int] = (0, 1)
    pca: bool = False
    pca_scaled: bool = False

    @property
    def projection_key(self) -> tuple:
        """What decides the canvas's plane (a change means a new projection)."""
        return (self.axes, self.pca, self.pca and self.pca_scaled)

    def validated(self) -> ViewSettings:
        if self.colour_by not in COLOUR_MODES:
            raise ValueError(f"unknown colour mode {self.colour_by!r}")
        if int(self.component) < 0:
            raise ValueError(f"component must be >= 0; got {self.component}")
        same = self.axes[0] == self.axes[1] if len(self.axes) == 2 else True
        if len(self.axes) != 2 or (same and not self.pca) or min(self.axes) < 0:
            raise ValueError(f"axes must be two different feature indices; got {self.axes}")
        return self


class RunStatus(enum.Enum):
    RUNNING = "running"
    CONVERGED = "converged"
    MAX_ITER = "max_iter"
    ERROR = "error"


@dataclass(eq=False)
class Run:
    """One EM run: its settings and every snapshot so far (parameters only: tiny).

    Attributes
    ----------
    run_id : int
    settings : ModelSettings
    steps : list of EMStep
    status : RunStatus
    error : str or None
    colour_slots : tuple of int
        The colour of each component, matched to the previous run's so that re-running
        does not reshuffle the colours (empty: component k takes colour k).
    start_means : ndarray of shape (K, d) or None
        The hand-placed means the run started from (``None``: the initialisation's).
    """

    run_id: int
    settings: ModelSettings
    steps: list[Any] = field(default_factory=list)
    status: RunStatus = RunStatus.RUNNING
    error: str | None = None
    colour_slots: tuple[int, ...] = ()
    start_means: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int) -> Any:
        return self.steps[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.steps)

    @property
    def latest(self) -> Any:
        return self.steps[-1] if self.steps else None

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.CONVERGED, RunStatus.MAX_ITER)

    @property
    def converged_at(self) -> int | None:
        """Index of the converged snapshot, if any."""
        last = self.latest
        return len(self.steps) - 1 if last is not None and last.converged else None

    def log_likelihoods(self) -> tuple[np.ndarray, np.ndarray]:
        """Iterations and mean log-likelihoods; shapes (n,), (n,)."""
        n = len(self.steps)
        it = np.fromiter((s.iteration for s in self.steps), dtype=np.float64, count=n)
        ll = np.fromiter((s.log_likelihood for s in self.steps), dtype=np.float64, count=n)
        return it, ll


@dataclass(frozen=True, eq=False)
class Samples:
    """Points drawn from a fitted mixture.

    Attributes
    ----------
    X : ndarray of shape (n, d)
    components : ndarray of shape (n,)
        The component each point was drawn from (0-based).
    iteration : int
        The snapshot they were drawn from.
    seed : int
    """

    X: np.ndarray
    components: np.ndarray
    iteration: int
    seed: int


@dataclass(frozen=True)
class Selection:
    """Which snapshot is shown: the latest (``following``) or a fixed index."""

    index: int | None = None
    following: bool = True


def view_for(
    source: DataSource, view: ViewSettings, previous: DataSource | None = None
) -> ViewSettings:
    """``view`` as it applies to ``source``: the first two features when the chosen ones do
    not exist there, or when ``source`` replaces ``previous`` data with other columns (the
    petal columns chosen for iris mean nothing for wine); no principal axes for two
    features."""
    if source.n_features <= max(view.axes) or source.n_features <= 2:
        return replace(view, axes=(0, 1), pca=False)
    if previous is not None and previous.feature_names != source.feature_names:
        return replace(view, axes=(0, 1))
    return view


class AppState:
    """Data source, settings, runs and selection, with a signal per kind of change.

    Signals
    -------
    datasetChanged(DatasetSpec), modelChanged(ModelSettings), viewChanged(ViewSettings),
    speedChanged(float or None)
        A setting changed (emitted only when the value differs).
    dataChanged(DataSource or None)
        New data; the run (which belonged to the old data) is gone.
    runStarted(Run), snapshotsAdded(Run, int), runEnded(Run)
        The current run began, grew by n snapshots, finished or failed.
    selectionChanged(Selection)
    samplesChanged(Samples or None)
        Points were drawn from the model (or dropped with the model they came from).
    sweepChanged(tuple of SweepPoint)
        The model-selection sweep on the current data grew (or was cleared).
    startChanged(ndarray or None)
        Hand-placed means to start EM from (``None``: the initialisation's own).
    """

    datasetChanged = Signal(object)
    modelChanged = Signal(object)
    viewChanged = Signal(object)
    speedChanged = Signal(object)
    dataChanged = Signal(object)
    runStarted = Signal(object)
    snapshotsAdded = Signal(object, int)
    runEnded = Signal(object)
    selectionChanged = Signal(object)
    samplesChanged = Signal(object)
    sweepChanged = Signal(object)
    startChanged = Signal(object)

    def __init__(self) -> None:
        self.dataset = DatasetSpec()
        self.model = ModelSettings()
        self.view = ViewSettings()
        self.speed: float | None = 5.0
        self.data: DataSource | None = None
        self.run: Run | None = None
        self.selection = Selection()
        self.samples: Samples | None = None
        self.sweep: tuple = ()
        self.start_means: np.ndarray | None = None

    # ------------------------------------------------------------------ settings

    def set_dataset(self, spec: DatasetSpec) -> None:
        if spec != self.dataset:
            self.dataset = spec
            self.datasetChanged.emit(spec)

    def set_model(self, settings: ModelSettings) -> None:
        """New model settings (a ``ValueError`` names what is wrong; nothing changes then)."""
        settings = settings.validated()
        if settings != self.model:
            self.model = settings
            if self.start_means is not None and len(self.start_means) != settings.n_components:
                self.set_start(None)  # placed for another K
            self.modelChanged.emit(settings)

    def update_model(self, **changes: Any) -> None:
        self.set_model(replace(self.model, **changes))

    def set_view(self, **changes: Any) -> None:
        view = replace(self.view, **changes).validated()
        if view != self.view:
            self.view = view
            self.viewChanged.emit(view)

    def set_speed(self, speed: float | None) -> None:
        if speed is not None and not speed > 0:
            raise ValueError(f"the speed must be > 0 iterations per second; got {speed}")
        if speed != self.speed:
            self.speed = speed
            self.speedChanged.emit(speed)

    # ------------------------------------------------------------------ data and runs

    def set_data(self, source: DataSource) -> None:
        """New data: the old run belongs to other data, so its model and curve go with it."""
        previous, self.data = self.data, source
        self.run = None
        self.selection = Selection()
        self.set_samples(None)
        self.set_sweep(())  # it was fitted to the old data
        self.set_start(None)
        self.view = view_for(source, self.view, previous)
        self.dataChanged.emit(source)
        self.selectionChanged.emit(self.selection)

    def set_start(self, means: np.ndarray | None) -> None:
        """Hand-placed means, shape (K, d), for the next runs (``None``: none).

        The model's K follows them (set the model first when K changes)."""
        if means is not None:
            means = np.array(means, dtype=np.float64)
            if self.data is not None and (
                means.ndim != 2 or means.shape[1] != self.data.n_features
            ):
                raise ValueError(
                    f"the start needs (K, {self.data.n_features}) means; got {means.shape}"
                )
            if means.shape[0] != self.model.n_components:
                raise ValueError(f"{means.shape[0]} means for K = {self.model.n_components}")
            means.setflags(write=False)
        self.start_means = means
        self.startChanged.emit(means)

    def set_sweep(self, points: tuple) -> None:
        """The model-selection sweep's points so far (SweepPoint records, fit order)."""
        self.sweep = tuple(points)
        self.sweepChanged.emit(self.sweep)

    def set_samples(self, samples: Samples | None) -> None:
        if samples is not self.samples:
            self.samples = samples
            self.samplesChanged.emit(samples)

    def start_run(
        self, run_id: int, settings: ModelSettings, colour_slots: tuple[int, ...] = (),
        start_means: np.ndarray | None = None,
    ) -> Run:  # fmt: skip
        self.set_samples(None)  # they belong to the previous model
        self.run = Run(run_id, settings, colour_slots=tuple(colour_slots),
                       start_means=start_means)  # fmt: skip
        self.selection = Selection()
        self.runStarted.emit(self.run)
        self.selectionChanged.emit(self.selection)
        return self.run

    def add_snapshots(self, run_id: int, steps: Sequence[Any]) -> bool:
        """Append a run's new snapshots; ``False`` (and nothing changes) for a stale run."""
        run = self.run
        if run is None or run.run_id != run_id or not steps:
            return False
        run.steps.extend(steps)
        self.snapshotsAdded.emit(run, len(steps))
        return True

    def end_run(self, run_id: int, error: str | None = None) -> None:
        run = self.run
        if run is None or run.run_id != run_id:
            return
        if error is not None:
            run.status, run.error = RunStatus.ERROR, error
        else:
            last = run.latest
            converged = last is not None and last.converged
            run.status = RunStatus.CONVERGED if converged else RunStatus.MAX_ITER
        self.runEnded.emit(run)

    # ------------------------------------------------------------------ selection

    @property
    def shown_index(self) -> int | None:
        """Index into the run of the snapshot on the canvas (``None`` before the first)."""
        n = 0 if self.run is None else len(self.run)
        if n == 0:
            return None
        if self.selection.following or self.selection.index is None:
            return n - 1
        return min(self.selection.index, n - 1)

    @property
    def shown_step(self) -> Any:
        """The snapshot on the canvas (``None`` before the first)."""
        index = self.shown_index
        return None if index is None else self.run[index]

    def select(self, index: int) -> None:
        """Show a past snapshot (the last one: follow the run again)."""
        if self.run is None or not len(self.run):
            return
        index = int(min(max(index, 0), len(self.run) - 1))
        following = index == len(self.run) - 1 and self.selection.following
        self._set_selection(Selection(None if following else index, following))

    def follow_latest(self) -> None:
        self._set_selection(Selection(None, True))

    def _set_selection(self, selection: Selection) -> None:
        if selection != self.selection:
            self.selection = selection
            self.selectionChanged.emit(selection)

    # ------------------------------------------------------------------ records

    def to_record(self, *, with_run: bool = False) -> dict[str, Any]:
        """The state as plain data: settings, and with ``with_run`` the run with every
        snapshot and the selection (arrays stay numpy arrays; a session file writes them to
        NPZ). Without it the record is JSON-able (the window's settings)."""
        record = self._settings_record()
        if with_run:
            from gmmviz.app.records import run_to_record  # records builds on this module

            record["run"] = None if self.run is None else run_to_record(self.run)
            record["selection"] = {
                "index": self.selection.index,
                "following": self.selection.following,
            }
        return record

    def restore_run(self, record: dict[str, Any]) -> None:
        """Take back the run and selection of :meth:`to_record` (``with_run=True``) for the
        current data (a ``ValueError`` names what is wrong; nothing changes then)."""
        from gmmviz.app.records import run_from_record  # records builds on this module

        run = None if record.get("run") is None else run_from_record(record["run"])
        selection = record.get("selection") or {}
        index = selection.get("index")
        following = bool(selection.get("following", True))
        self.put_run(run, None if index is None else int(index), following)

    def put_run(self, run: Run | None, index: int | None = None, following: bool = True) -> None:
        """Show a whole run (reopened from a session) at snapshot ``index`` (None: the
        latest)."""
        self.run = run
        self.selection = Selection(index, following)
        if run is not None:
            self.runStarted.emit(run)
            self.snapshotsAdded.emit(run, len(run))
            if run.status is not RunStatus.RUNNING:
                self.runEnded.emit(run)
        self.selectionChanged.emit(self.selection)

    def _settings_record(self) -> dict[str, Any]:
        return {
            "dataset": dataset_spec_to_dict(self.dataset),
            "model": self.model.to_dict(),
            "view": {
                "colour_by": self.view.colour_by,
                "component": self.view.component,
                "show_ellipses": self.view.show_ellipses,
                "show_legend": self.view.show_legend,
                "show_density": self.view.show_density,
                "show_samples": self.view.show_samples,
                "axes": list(self.view.axes),
                "pca": self.view.pca,
                "pca_scaled": self.view.pca_scaled,
            },
            "speed": self.speed,
            "data_path": None if self.data is None else self.data.path,
        }

    def apply_record(self, record: dict[str, Any]) -> None:
        """Take the settings of :meth:`to_record`; anything odd falls back to defaults."""
        if not isinstance(record, dict):
            return
        if isinstance(record.get("dataset"), dict):
            self.set_dataset(dataset_spec_from_dict(record["dataset"]))
        if isinstance(record.get("model"), dict):
            self.set_model(ModelSettings.from_dict(record["model"]))
        view = record.get("view")
        if isinstance(view, dict):
            try:
                axes = tuple(int(a) for a in view.get("axes", (0, 1)))
                self.set_view(
                    colour_by=str(view.get("colour_by", "hard")),
                    component=int(view.get("component", 0)),
                    show_ellipses=bool(view.get("show_ellipses", True)),
                    show_legend=bool(view.get("show_legend", True)),
                    show_density=bool(view.get("show_density", False)),
                    show_samples=bool(view.get("show_samples", True)),
                    axes=axes if len(axes) == 2 else (0, 1),
                    pca=bool(view.get("pca", False)),
                    pca_scaled=bool(view.get("pca_scaled", False)),
                )
            except (TypeError, ValueError):
                pass
        speed = record.get("speed", self.speed)
        try:
            self.set_speed(None if speed is None else float(speed))
        except (TypeError, ValueError):
            pass


def matched_colour_slots(previous: Run | None, first: EMStep) -> tuple[int, ...]:
    """Colours for a new run's components that continue the previous run's.

    Each new component takes the colour of the previous component whose mean is matched
    to its own (Hungarian assignment on the distances between means); new components
    beyond the previous K take the smallest colours not in use.

    Parameters
    ----------
    previous : Run or None
        The run shown before (on the same data).
    first : EMStep
        The new run's first snapshot.

    Returns
    -------
    tuple of int, one per new component (empty: the default colours)
    """
    if previous is None or previous.latest is None:
        return ()
    old = np.asarray(previous.latest.params.means)
    new = np.asarray(first.params.means)
    if old.shape[1] != new.shape[1]:
        return ()
    place = match_components(old, new)
    old_slots = previous.colour_slots or tuple(range(len(old)))
    slots = [old_slots[p] if p < len(old_slots) else -1 for p in place.tolist()]
    free = (s for s in range(len(slots) + len(old_slots)) if s not in slots)
    return tuple(s if s >= 0 else next(free) for s in slots)
