"""Settings records and their bounds (temporary home; see the io/cli work)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from gmmviz.core.datasets import DATASET_NAMES, DEFAULT_N_SAMPLES, DatasetSpec
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.init import INIT_METHODS

MAX_COMPONENTS = 50
MIN_SAMPLES, MAX_SAMPLES = 10, 1_000_000

DATASET_TITLES: dict[str, str] = {
    "blobs": "Blobs (3 centres)",
    "varied": "Varied blobs (std 1, 2.5, 0.5)",
    "anisotropic": "Anisotropic blobs",
    "imbalanced": "Imbalanced blobs (500/100/10)",
    "moons": "Moons",
    "circles": "Circles",
}


@dataclass(frozen=True)
class ModelSettings:
    """How the mixture is set up and when EM stops."""

    n_components: int = 3
    covariance_type: str = "full"
    init_params: str = "kmeans"
    max_iter: int = 100
    tol: float = 1e-3
    reg_covar: float = 1e-6
    seed: int = 0

    def validated(self) -> ModelSettings:
        """These settings, or a ``ValueError`` naming what is wrong."""
        if not 1 <= int(self.n_components) <= MAX_COMPONENTS:
            raise ValueError(f"K must be between 1 and {MAX_COMPONENTS}; got {self.n_components}")
        if self.covariance_type not in COVARIANCE_TYPES:
            raise ValueError(f"unknown covariance type {self.covariance_type!r}")
        if self.init_params not in INIT_METHODS:
            raise ValueError(f"unknown initialisation {self.init_params!r}")
        if int(self.max_iter) < 1:
            raise ValueError(f"max_iter must be at least 1; got {self.max_iter}")
        for name in ("tol", "reg_covar"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
        if int(self.seed) < 0:
            raise ValueError(f"seed must be >= 0; got {self.seed}")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSettings:
        """Settings from a dict (unknown keys ignored, bad values replaced by defaults)."""
        default = cls()
        values = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            kind = type(getattr(default, f.name))
            try:
                values[f.name] = kind(data[f.name])
            except (TypeError, ValueError):
                continue
        try:
            return replace(default, **values).validated()
        except ValueError:
            return default


def dataset_spec_to_dict(spec: DatasetSpec) -> dict[str, Any]:
    return {"name": spec.name, "n_samples": spec.n_samples, "noise": spec.noise, "seed": spec.seed}


def dataset_spec_from_dict(data: dict[str, Any]) -> DatasetSpec:
    """A spec from a dict, falling back to the lecture's defaults on anything odd."""
    try:
        name = str(data.get("name", "blobs"))
        if name not in DATASET_NAMES:
            name = "blobs"
        n = int(data.get("n_samples", DEFAULT_N_SAMPLES[name]))
        n = min(max(n, MIN_SAMPLES), MAX_SAMPLES)
        noise = data.get("noise")
        noise = None if noise in (None, "", "None") else float(noise)
        seed = max(int(data.get("seed", 0)), 0)
        return DatasetSpec(name=name, n_samples=n, noise=noise, seed=seed)
    except (TypeError, ValueError):
        return DatasetSpec(name="blobs", n_samples=DEFAULT_N_SAMPLES["blobs"])
