"""Session files: the data, every setting, the view and the whole run, to come back to.

A session is a NumPy ``.npz`` archive with the suffix ``.gmmviz``, read without pickles:

- ``session``: a JSON text (format :data:`SESSION_FORMAT`, version :data:`SESSION_VERSION`):
  where the data came from (a generator's spec, or a file's path and column choice), the
  window's settings (dataset, model, view, speed), the run's scalars (settings, status,
  iterations, log-likelihoods, phases) and the selection;
- ``X`` (N, d) and ``y`` (N,): the data themselves, so that a session opens on another
  machine, after the file moved, and for data that no file holds;
- ``weights`` (S, K), ``means`` (S, K, d), ``covariances`` (S, ...): the run's S snapshots;
  ``start_means`` (K, d) when the start was placed by hand.

:func:`read_session` validates everything before anything is shown: a bad file is one
``ValueError`` naming the file and what is wrong, and the window keeps what it had. Nothing in
the file is executed or unpickled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from gmmviz.app.records import run_from_record
from gmmviz.app.settings import ModelSettings, dataset_spec_from_dict, dataset_spec_to_dict
from gmmviz.app.state import AppState, DataSource, Run

__all__ = ["SESSION_FORMAT", "SESSION_SUFFIX", "SESSION_VERSION", "Session", "read_session",
           "save_session", "session_writer"]  # fmt: skip

SESSION_FORMAT = "gmmviz-session"
SESSION_VERSION = 1
SESSION_SUFFIX = ".gmmviz"
_PHASES = ("init", "EM", "E", "M")


@dataclass(frozen=True)
class Session:
    """What a session file holds, validated.

    Attributes
    ----------
    source : DataSource
    settings : dict
        The window's settings, as :meth:`AppState.to_record` writes them.
    run : Run or None
    selection : tuple of (int or None, bool)
        The shown snapshot's index (None: the latest) and whether the view follows EM.
    view_rect : tuple of 4 floats or None
        The canvas's visible rectangle ``(x0, x1, y0, y1)`` in data coordinates.
    """

    source: DataSource
    settings: dict[str, Any]
    run: Run | None
    selection: tuple[int | None, bool]
    view_rect: tuple[float, float, float, float] | None = None


def save_session(
    path: str | Path, state: AppState, view_rect: tuple[float, ...] | None = None
) -> None:
    """Write ``state`` (data, settings, view, run, selection) to ``path`` atomically.

    Raises
    ------
    ValueError
        No data to save, or a suffix other than ``.gmmviz``.
    OSError
        If the file cannot be written.
    """
    session_writer(path, state, view_rect)()


def session_writer(
    path: str | Path, state: AppState, view_rect: tuple[float, ...] | None = None
) -> Callable[[], None]:
    """Take the record of ``state`` now (on the GUI thread: cheap, the data are referenced)
    and return the function that writes it (on a worker: compressing takes a while).

    Raises
    ------
    ValueError
        No data to save, or a suffix other than ``.gmmviz``.
    OSError
        If the file cannot be written.
    """
    from gmmviz.io import atomic_writer

    path = Path(path)
    if path.suffix.lower() != SESSION_SUFFIX:
        raise ValueError(f"{path}: a session file ends in {SESSION_SUFFIX}")
    source = state.data
    if source is None:
        raise ValueError("there is nothing to save yet: generate data or open a file first")
    record = state.to_record(with_run=True)
    run_record = record.pop("run")
    meta: dict[str, Any] = {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "data": {
            "title": source.title,
            "spec": None if source.spec is None else dataset_spec_to_dict(source.spec),
            "path": source.path,
            "choice": None if source.choice is None else source.choice.to_record(),
            "feature_names": list(source.feature_names),
            "class_names": list(source.class_names),
        },
        "settings": {k: v for k, v in record.items() if k != "selection"},
        "selection": record["selection"],
        "view_rect": None if view_rect is None else [float(v) for v in view_rect],
        "run": None,
    }
    arrays: dict[str, np.ndarray] = {"X": source.X}
    if source.y_true is not None:
        arrays["y"] = source.y_true
    if run_record is not None:
        steps = run_record.pop("steps")
        start = run_record.pop("start_means")
        meta["run"] = {
            **run_record,
            "steps": [{k: s[k] for k in ("iteration", "log_likelihood", "change", "converged",
                                         "phase", "covariance_type")} for s in steps],
        }  # fmt: skip
        if steps:
            for key in ("weights", "means", "covariances"):
                arrays[key] = np.stack([s[key] for s in steps])
        if start is not None:
            arrays["start_means"] = start
    arrays["session"] = np.array(json.dumps(meta))

    def write() -> None:
        with atomic_writer(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    return write


def read_session(path: str | Path) -> Session:
    """Read and validate a session file (see the module's description).

    Raises
    ------
    ValueError
        ``"<path>: <what is wrong>"``: not a session file, a newer version, data or
        snapshots that are missing, of the wrong shape, not finite, or inconsistent.
    OSError
        If the file cannot be read.
    """
    from gmmviz.io import NPZ_ERRORS, corrupt_npz_error, open_npz, read_nonempty

    path = Path(path)
    if path.suffix.lower() != SESSION_SUFFIX:
        raise ValueError(f"{path}: not a session file (they end in {SESSION_SUFFIX})")
    raw = read_nonempty(path)
    try:
        with open_npz(raw, path) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except NPZ_ERRORS as exc:
        raise corrupt_npz_error(exc, path) from None
    try:
        return _session_from(arrays)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ValueError(f"{path}: not a valid gmmviz session ({what})") from None


def _session_from(arrays: dict[str, np.ndarray]) -> Session:
    text = arrays["session"]
    if text.dtype.kind != "U" or text.shape != ():
        raise ValueError("its description is not text")
    meta = json.loads(str(text))
    if not isinstance(meta, dict) or meta.get("format") != SESSION_FORMAT:
        raise ValueError(f"it does not say format {SESSION_FORMAT!r}")
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"unknown version {version!r}")
    if version > SESSION_VERSION:
        raise ValueError(
            f"written by a newer gmmviz (session version {version}; this one reads "
            f"{SESSION_VERSION}): update gmmviz"
        )
    source = _source_from(meta["data"], arrays)
    settings = meta["settings"]
    if not isinstance(settings, dict):
        raise ValueError("its settings are not a mapping")
    if "model" in settings:
        _model_settings(settings["model"])  # a ValueError names the field
    run = None if meta.get("run") is None else _run_from(meta["run"], arrays, source)
    selection = meta.get("selection") or {}
    index = selection.get("index")
    if index is not None:
        if not isinstance(index, int) or run is None or not 0 <= index < len(run):
            raise ValueError(f"the shown snapshot {index!r} is not in the run")
    rect = meta.get("view_rect")
    if rect is not None:
        rect = tuple(float(v) for v in rect)
        if len(rect) != 4 or not all(np.isfinite(rect)) or rect[0] >= rect[1] or rect[2] >= rect[3]:
            raise ValueError(f"its view rectangle {rect} is not a rectangle")
    following = bool(selection.get("following", True))
    return Session(source, settings, run, (index, following), rect)


def _model_settings(record: Any) -> ModelSettings:
    """Model settings exactly as recorded (no fallback to defaults), validated."""
    if not isinstance(record, dict):
        raise ValueError("its model settings are not a mapping")
    try:
        settings = ModelSettings(**record)
    except TypeError as exc:
        raise ValueError(f"its model settings are not gmmviz's ({exc})") from None
    return settings.validated()


def _source_from(data: dict[str, Any], arrays: dict[str, np.ndarray]) -> DataSource:
    from gmmviz.core.em import as_data
    from gmmviz.io import TableChoice

    X = arrays["X"]
    if X.dtype.kind != "f" or X.ndim != 2 or X.shape[1] < 2:
        raise ValueError(f"its data must be a 2-D float array of 2 or more features; got "
                         f"{X.dtype} {X.shape}")  # fmt: skip
    X = as_data(X, min_samples=2, name="its data")
    y = arrays.get("y")
    if y is not None:
        if y.dtype.kind not in "iu" or y.shape != (X.shape[0],):
            raise ValueError(f"its labels must be {X.shape[0]} integers; got {y.dtype} {y.shape}")
        y = y.astype(np.int64)
    spec = None if data.get("spec") is None else dataset_spec_from_dict(data["spec"])
    choice = None if data.get("choice") is None else TableChoice.from_record(data["choice"])
    names = tuple(str(n) for n in data.get("feature_names", ()))
    path = data.get("path")
    title = str(data.get("title") or f"{X.shape[0]:,} × {X.shape[1]}")
    classes = tuple(str(n) for n in data.get("class_names", ()))
    source = DataSource(X, y, title, spec=spec, path=None if path is None else str(path),
                        feature_names=names, choice=choice, class_names=classes)  # fmt: skip
    _ = source.variance, source.n_classes  # computed here, on the worker
    return source


def _run_from(meta: dict[str, Any], arrays: dict[str, np.ndarray], source: DataSource) -> Run:
    steps = meta["steps"]
    if not isinstance(steps, list):
        raise ValueError("its snapshots are not a list")
    settings = _model_settings(meta["settings"])
    K, d = settings.n_components, source.n_features
    records = []
    if steps:
        weights, means, covs = arrays["weights"], arrays["means"], arrays["covariances"]
        S = len(steps)
        if weights.shape != (S, K) or means.shape != (S, K, d) or covs.shape[0] != S:
            raise ValueError(
                f"its {S} snapshots of K={K} components in {d} dimensions do not match the "
                f"arrays (weights {weights.shape}, means {means.shape}, "
                f"covariances {covs.shape})"
            )
        for i, step in enumerate(steps):
            if step.get("phase", "EM") not in _PHASES:
                raise ValueError(f"snapshot {i} has an unknown phase {step.get('phase')!r}")
            if step.get("covariance_type") != settings.covariance_type:
                raise ValueError(f"snapshot {i} is not of covariance type "
                                 f"{settings.covariance_type!r}")  # fmt: skip
            if np.isinf(float(step["log_likelihood"])):  # NaN: not evaluated (a half-step)
                raise ValueError(f"snapshot {i} has an infinite log-likelihood")
            records.append({**step, "weights": weights[i], "means": means[i],
                            "covariances": covs[i]})  # fmt: skip
    start = arrays.get("start_means")
    if start is not None and start.shape != (K, d):
        raise ValueError(f"its hand-placed start must have shape ({K}, {d}); got {start.shape}")
    run = run_from_record({**meta, "steps": records, "start_means": start})
    for i in range(1, len(run.steps)):
        if run.steps[i].phase == "M":  # its points keep the colours of the E-step before it
            run.steps[i] = replace(run.steps[i], resp_params=run.steps[i - 1].params)
    return run
