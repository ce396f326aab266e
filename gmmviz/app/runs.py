"""Run factories and data sources: what the runners execute off the GUI thread (no Qt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import DataSource, Samples
from gmmviz.core import initialise, iter_em, iter_half_steps
from gmmviz.core.datasets import DATASETS, DatasetSpec, generate
from gmmviz.core.em import EMStep
from gmmviz.core.sampling import sample


def em_run(
    X: np.ndarray, settings: ModelSettings, half_steps: bool = False,
    means_init: np.ndarray | None = None,
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
    """
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
    """Read a data file (CSV/TSV/NPY/NPZ)."""
    from gmmviz.io import load_table

    X, y, names = load_table(path)
    name = Path(path).name
    if X.shape[1] < 2:
        # A made-up second column would change the model (its variance is 0), so refuse.
        raise ValueError(
            f"{name} has one numeric column; the window shows EM on two or more features "
            f"(fit one-dimensional data with `gmmviz fit {name}`)"
        )
    title = f"{name} · {X.shape[0]:,} × {X.shape[1]}"
    source = DataSource(X, y, title, path=str(path), feature_names=names)
    _ = source.variance, source.n_classes  # computed here, on the worker
    return source
