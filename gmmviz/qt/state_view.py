"""Model → view: the widgets show :class:`~gmmviz.app.state.AppState`, one handler per signal.

The presenter's other direction (widgets and commands → state and use cases) stays in
:mod:`gmmviz.qt.presenter`; this module only reads the state and updates widgets, the canvas
and the readouts. It also keeps the plane the canvas shows (:attr:`StateView.projection`:
two features or two principal axes), which the start editor, the side-by-side window and
the animation export read.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from gmmviz.app.runs import make_renderer
from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import DataSource, Run, Samples, Selection, ViewSettings
from gmmviz.core.projection import Projection
from gmmviz.scene import MARKER_LIMIT


class StateView(QObject):
    """Keeps the window's widgets showing the state.

    Attributes
    ----------
    projection : Projection or None
        The plane the canvas shows (None before any data).
    prepared : tuple or None
        ``(source, view key, (projection, renderer))`` made by a data job on the worker,
        used once when that source arrives (so a million points are not projected here).
    """

    def __init__(self, presenter: Any) -> None:
        super().__init__(presenter)
        self.p = presenter
        self.w = presenter.w
        self.state = presenter.state
        self.projection: Projection | None = None
        self.projection_key: tuple | None = None
        self.prepared: tuple | None = None
        self._half_steps = False
        s = self.state
        s.datasetChanged.connect(self.w.dataset_panel.set_spec)
        s.modelChanged.connect(self.on_model)
        s.viewChanged.connect(self.on_view)
        s.speedChanged.connect(self.on_speed)
        s.dataChanged.connect(self.on_data)
        s.runStarted.connect(self.on_run_started)
        s.snapshotsAdded.connect(self.on_snapshots)
        s.runEnded.connect(self.on_run_ended)
        s.selectionChanged.connect(self.on_selection)
        s.samplesChanged.connect(self.on_samples)

    def sync_widgets(self) -> None:
        """Make every widget show the state (once, after the state was restored)."""
        s = self.state
        self.w.dataset_panel.set_spec(s.dataset)
        self.w.model_panel.set_settings(s.model)
        self.on_speed(s.speed)
        self.on_view(s.view)

    def on_model(self, settings: ModelSettings) -> None:
        self.w.model_panel.set_settings(settings)

    def on_speed(self, speed: float | None) -> None:
        self.w.em_panel.set_rate(speed)
        self.p.runner.set_rate(speed)

    def on_view(self, view: ViewSettings) -> None:
        w = self.w
        if view.half_steps != self._half_steps:
            self._half_steps = view.half_steps
            w.em_panel.half_steps.setChecked(view.half_steps)
            if view.half_steps:
                w.bottom_tabs.setCurrentWidget(w.equations)
            if self.state.data is not None and self.state.run is not None:
                self.p.reset()  # a run of the other kind, from the same start
        data = self.state.data
        if data is not None and view.projection_key != self.projection_key:
            self.apply_projection(data)  # another plane: the same model, seen anew
        w.view_bar.show_view(view)
        w.sync_view_actions(view)
        w.canvas.set_colour_mode(view.colour_by, view.component)
        w.canvas.set_layers(ellipses=view.show_ellipses, legend=view.show_legend)
        w.canvas.set_density_wanted(view.show_density)
        w.canvas.samples.setVisible(view.show_samples)
        if self.state.data is not None:
            self.p.render.request()

    def on_data(self, source: DataSource) -> None:
        # the presenter's own handler ran first (connected first): the old run is cancelled
        w = self.w
        use_markers = source.n_samples <= MARKER_LIMIT
        w.view_bar.set_features(source.feature_names)
        self.apply_projection(source)
        w.em_panel.show_step(None, None, True)
        w.em_panel.set_badge("not started", "idle")
        w.likelihood.reset_curve()
        w.show_source(source, use_markers)
        self.p.readouts.refresh()
        self.p.dataReady.emit()
        self.p.render.request()

    def apply_projection(self, source: DataSource) -> None:
        """The plane the canvas shows (features or principal axes): points, ellipses,
        density and samples follow it; the model is not refitted."""
        view = self.state.view
        prepared, self.prepared = self.prepared, None
        if prepared is not None and prepared[0] is source and prepared[1] == view.projection_key:
            projection, renderer = prepared[2]  # made by the data job, on the worker
        else:
            projection, renderer = make_renderer(source, view)
        self.projection = projection
        self.projection_key = view.projection_key
        self.p.render.set_renderer(renderer)
        canvas = self.w.canvas
        canvas.class_names = source.colour_class_names  # by colour, as the legend lists them
        self.w.metrics_panel.class_names = source.class_names
        canvas.set_points(renderer.view, source.n_samples <= MARKER_LIMIT, source.n_classes,
                          renderer.bounds)  # fmt: skip
        canvas.set_axis_names(projection.names)
        self.w.view_bar.show_axes(view.axes, view.pca, view.pca_scaled)
        self.on_samples(self.state.samples)

    def on_run_started(self, run: Run) -> None:
        self.w.view_bar.set_n_components(run.settings.n_components)
        self.w.likelihood.reset_curve()  # a new curve gets its own range

    def on_snapshots(self, run: Run, n_new: int) -> None:
        p = self.p
        # While playing fast the curve is redrawn at most every PLOT_INTERVAL_MS.
        p.readouts.refresh(plot_now=not p.runner.is_playing)
        latest = run.latest
        badge = "playing" if p.runner.is_playing else f"iteration {latest.iteration}"
        self.w.em_panel.set_badge(badge, "running")
        if not p.runner.is_playing:
            p.report.for_step(latest)
        p.start_editor.update_editable()

    def on_run_ended(self, run: Run) -> None:
        self.p.report.run_ended(run)
        self.p.readouts.refresh()
        self.w.update_actions()

    def on_samples(self, samples: Samples | None) -> None:
        if samples is None or self.projection is None:
            self.w.canvas.set_samples(None)
        else:
            self.w.canvas.set_samples(self.projection.points(samples.X))
        self.w.update_actions()

    def on_selection(self, selection: Selection) -> None:
        self.p.start_editor.update_editable()
        self.p.readouts.show_step(self.state.shown_step)
        self.p.readouts.refresh()
        self.p.render.request()
