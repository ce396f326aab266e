"""Runs as plain records: scalars and arrays, for the session file (and back, validated by
the core's own constructors)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import Run, RunStatus
from gmmviz.core.em import EMStep, MixtureParams


def step_to_record(step: EMStep) -> dict[str, Any]:
    """One snapshot as plain data (scalars and arrays)."""
    p = step.params
    return {
        "iteration": int(step.iteration),
        "log_likelihood": float(step.log_likelihood),
        "change": float(step.change),
        "converged": bool(step.converged),
        "phase": step.phase,
        "covariance_type": p.covariance_type,
        "weights": np.asarray(p.weights),
        "means": np.asarray(p.means),
        "covariances": np.asarray(p.covariances),
    }


def step_from_record(record: dict[str, Any]) -> EMStep:
    params = MixtureParams.from_covariances(
        np.asarray(record["weights"], dtype=np.float64),
        np.asarray(record["means"], dtype=np.float64),
        np.asarray(record["covariances"], dtype=np.float64),
        str(record["covariance_type"]),
    )
    return EMStep(
        int(record["iteration"]),
        params,
        float(record["log_likelihood"]),
        float(record["change"]),
        bool(record["converged"]),
        phase=str(record.get("phase", "EM")),
    )


def run_to_record(run: Run) -> dict[str, Any]:
    """A run as plain data: its id, settings, status and every snapshot."""
    return {
        "run_id": run.run_id,
        "settings": run.settings.to_dict(),
        "status": run.status.value,
        "error": run.error,
        "colour_slots": list(run.colour_slots),
        "start_means": None if run.start_means is None else np.asarray(run.start_means),
        "steps": [step_to_record(s) for s in run.steps],
    }


def run_from_record(record: dict[str, Any]) -> Run:
    settings = ModelSettings.from_dict(record["settings"])
    steps = [step_from_record(s) for s in record["steps"]]
    return Run(
        int(record["run_id"]),
        settings,
        steps,
        RunStatus(record.get("status", "running")),
        record.get("error"),
        tuple(int(s) for s in record.get("colour_slots", ())),
        None if record.get("start_means") is None else np.asarray(record["start_means"], float),
    )
