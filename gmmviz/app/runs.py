"""Run factories and data sources: what the runners execute off the GUI thread (no Qt)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import DataSource, Samples, ViewSettings, view_for
from gmmviz.core import initialise, iter_em, iter_half_steps
from gmmviz.core.datasets import DATASETS, DatasetSpec, generate
from gmmviz.core.em import EMStep, MixtureParams, as_data
from gmmviz.core.projection import Projection
from gmmviz.core.sampling import sample
from gmmviz.scene import SceneRenderer

if TYPE_CHECKING:  # gmmviz.io is imported when a file is first read
    from gmmviz.io import Table, TableChoice


def em_run(
    X: np.ndarray, settings: ModelSettings, half_steps: bool = False,
    means_init: np.ndarray | None = None, initial: MixtureParams | None = None,
) -> Iterator[EMStep]:  # fmt: skip
    """Initialise, then EM: one snapshot per iteration (iteration 0 is the start), or with
    ``half_steps`` one per E-step and one per M-step (the M-steps' parameters are exactly
    the full iterations').

    Parameters
    ----------
    X : ndarray of shape (N, d)
    settings : ModelSettings
    half_steps : bool
    means_init : ndarray of shape (K, d), optional
        Hand-placed means to start from (weights and covariances as the initialisation
        gives them, as scikit-learn does with ``means_init``).
    initial : MixtureParams, optional
        Start from these parameters, with no initialisation (EM continues a model on data
        that changed, e.g. painted).
    """
    if initial is not None:
        run = iter_half_steps if half_steps else iter_em
        yield from run(X, initial, tol=settings.tol, reg_covar=settings.reg_covar,
                       max_iter=settings.max_iter)  # fmt: skip
        return
    initial = initialise(
        X,
        settings.n_components,
        covariance_type=settings.covariance_type,
        init_params=settings.init_params,
        reg_covar=settings.reg_covar,
        random_state=settings.seed,
        means_init=means_init,
    )
    run = iter_half_steps if half_steps else iter_em
    yield from run(
        X, initial, tol=settings.tol, reg_covar=settings.reg_covar, max_iter=settings.max_iter
    )


def resumed_run(
    X: np.ndarray, settings: ModelSettings, done: Sequence[EMStep],
    means_init: np.ndarray | None = None,
) -> Iterator[EMStep]:  # fmt: skip
    """The snapshots after ``done`` (a run reopened from a session): EM is replayed from its
    start on the worker, checked against ``done``, and continues from there, so the run
    goes on exactly as it would have without the interruption.

    Raises
    ------
    ValueError
        When the replay does not reproduce ``done`` (other data, or another gmmviz).
    """
    half_steps = any(step.phase in ("E", "M") for step in done)
    replay = em_run(X, settings, half_steps, means_init)
    for i, saved in enumerate(done):
        step = next(replay, None)
        if (
            step is None
            or step.iteration != saved.iteration
            or not np.isclose(
                step.log_likelihood, saved.log_likelihood, rtol=1e-9, atol=0.0, equal_nan=True
            )
        ):
            raise ValueError(
                f"the saved run cannot be continued exactly (snapshot {i} differs when EM is "
                "replayed); press Reset to start it again"
            )
    yield from replay


def make_renderer(source: DataSource, view: ViewSettings) -> tuple[Projection, SceneRenderer]:
    """The canvas's plane for ``view`` (two features, or the principal axes) and the scene
    renderer of ``source`` in it. Projecting a million points takes a while: the data jobs
    call this on the worker, so the GUI thread only takes the result."""
    view = view_for(source, view)
    if view.pca and source.n_features >= 2 and source.n_samples >= 2:
        projection = Projection.pca(source.X, scaled=view.pca_scaled)
    else:
        i, j = view.axes
        names = (source.feature_names[i], source.feature_names[j])
        projection = Projection.features(source.n_features, i, j, names)
    renderer = SceneRenderer(source.X, source.y_true, projection)
    _ = renderer.bounds  # computed here, on the worker
    return projection, renderer


def draw_samples(step: EMStep, n: int, seed: int) -> Samples:
    """``n`` points from a snapshot's mixture (seeded: the same seed, the same points, the
    same as scikit-learn's ``sample`` with that ``random_state``)."""
    X, components = sample(step.params, int(n), np.random.RandomState(int(seed)))
    return Samples(X, components, int(step.iteration), int(seed))


def generate_source(spec: DatasetSpec) -> DataSource:
    """Generate one of the lecture's datasets."""
    X, y = generate(spec)
    title = f"{DATASETS[spec.name].title} · {spec.n_samples:,} points"
    source = DataSource(X, y, title, spec=spec)
    _ = source.variance, source.n_classes  # computed here, on the worker
    return source


def load_source(path: str | Path) -> DataSource:
    """Read a data file (CSV/TSV/NPY/NPZ) with the default choice of columns."""
    from gmmviz.io import read_table

    table = read_table(path)
    return source_from_table(table, table.default_choice())


def source_from_table(table: Table, choice: TableChoice) -> DataSource:
    """The data set a choice of columns makes of a file's table (on the worker).

    Raises
    ------
    ValueError
        ``"<path>: <problem>"``: what :meth:`Table.select` refuses, a single feature (the
        window shows two), or data that fitting would refuse.
    """
    X, y, names = table.select(choice)
    name = table.path.name
    if X.shape[1] < 2:
        # A made-up second column would change the model (its variance is 0), so refuse.
        raise ValueError(
            f"{name} has one numeric column; the window shows EM on two or more features "
            f"(fit one-dimensional data with `gmmviz fit {name}`)"
        )
    try:
        as_data(X, min_samples=2)  # what fitting refuses is refused now, with the file's name
    except ValueError as exc:
        raise ValueError(f"{table.path}: {exc}") from None
    dropped = table.n_rows - X.shape[0]
    note = f" ({dropped:,} rows dropped)" if dropped else ""
    title = f"{name} · {X.shape[0]:,} × {X.shape[1]}{note}"
    source = DataSource(X, y, title, path=str(table.path), feature_names=names, choice=choice,
                        class_names=table.class_names(choice))  # fmt: skip
    _ = source.variance, source.n_classes  # computed here, on the worker
    return source
