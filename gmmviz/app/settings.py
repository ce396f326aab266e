"""The app's settings as plain records, and the one table of their bounds (no Qt).

:data:`BOUNDS` is the single source of every numeric limit: the command line
(:mod:`gmmviz.cli._options`), the records below and the widgets' ranges all read it, so
``gmmviz``, ``gmmviz fit`` and the window accept exactly the same values.

:class:`ModelSettings` is how the mixture is set up and when EM stops;
:func:`dataset_spec_to_dict` / :func:`dataset_spec_from_dict` turn the data settings
(a :class:`~gmmviz.core.datasets.DatasetSpec`) into JSON-ready dicts and back.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, NamedTuple

from gmmviz.core.datasets import DATASETS, DatasetSpec
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.init import INIT_METHODS

__all__ = [
    "BOUNDS",
    "Bound",
    "ModelSettings",
    "check_setting",
    "dataset_spec_from_dict",
    "dataset_spec_to_dict",
]


class Bound(NamedTuple):
    """The allowed range of one numeric setting.

    Attributes
    ----------
    low, high : int or float
        Inclusive limits.
    kind : type
        ``int`` or ``float``.
    help : str
        What the setting is (used as command-line help), then why these limits.
    """

    low: int | float
    high: int | float
    kind: type
    help: str

    @property
    def text(self) -> str:
        """The range as people read it: ``'1 to 50'``, ``'10 to 1,000,000'``, ``'0 to 1'``."""
        return f"{self._format(self.low)} to {self._format(self.high)}"

    def _format(self, value: int | float) -> str:
        return f"{value:,g}" if self.kind is float else f"{value:,}"

    @property
    def what(self) -> str:
        """The first sentence of :attr:`help`: what the setting is, without the why."""
        return self.help.split(". ", 1)[0].rstrip(".")

    def check(self, value: Any, name: str) -> int | float:
        """``value`` as :attr:`kind` if it lies within the bounds.

        Parameters
        ----------
        value : object
            An int, a float or a string (``"1,000"`` and ``"1_000"`` are read as 1000).
        name : str
            What to call the setting in the message (e.g. ``"K"`` or ``"n_components"``);
            empty when the caller names it already (argparse's ``"argument -k: "``).

        Raises
        ------
        ValueError
            ``"<name> must be an integer between 1 and 50; got 51"`` and the like.
        """
        noun = "an integer" if self.kind is int else "a number"
        must = f"{name} must" if name else "must"
        if isinstance(value, bool):
            raise ValueError(f"{must} be {noun}; got {value!r}")
        try:
            if isinstance(value, str):
                text = value.strip().replace("_", "").replace(",", "")
                number = int(text) if self.kind is int else float(text)
            elif self.kind is int:
                number = int(value)
                if number != value:
                    raise ValueError
            else:
                number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{must} be {noun}; got {value!r}") from None
        if not (math.isfinite(number) and self.low <= number <= self.high):
            low, high = self._format(self.low), self._format(self.high)
            raise ValueError(
                f"{must} be {noun} between {low} and {high}; got {self._format(number)}"
            )
        return number

    def clamp(self, value: int | float) -> int | float:
        """``value`` moved into the bounds (for values restored from old settings)."""
        return self.kind(min(max(value, self.low), self.high))


#: Every numeric setting: name -> (low, high, kind, help). Each help says what the setting is,
#: then why its limits are what they are.
BOUNDS: dict[str, Bound] = {
    "n_samples": Bound(
        10, 1_000_000, int,
        "points to generate. At least 10 so every lecture dataset (imbalanced needs 3) and a few "
        "components have points; at most a million, what the window animates smoothly (about "
        "60 ms per EM iteration at K=16, 7 drawn iterations a second). Larger data comes "
        "from a file, which has no limit.",
    ),
    "noise": Bound(
        0.0, 50.0, float,
        "the dataset's noise or spread. 0 gives exact shapes; beyond 50 every dataset is one "
        "blob at the lecture's scale.",
    ),
    "seed": Bound(
        0, 2**31 - 1, int,
        "seed of the dataset and of the initialisation. Non-negative and 32-bit, so every seed "
        "fits the window's spin box and numpy's generators take it as it is.",
    ),
    "n_components": Bound(
        1, 50, int,
        "number of components K. At most 50 so that every component keeps its own colour in "
        "the 64-colour palette and its own legend entry; the estimator itself has no limit.",
    ),
    "max_iter": Bound(
        1, 10_000, int,
        "maximum EM iterations. At least 1, so a run or a fit always does EM (0 would only "
        "show the initialisation); 10,000 is far beyond the hundreds any run here needs even "
        "at tol 0.",
    ),
    "tol": Bound(
        0.0, 1.0, float,
        "convergence tolerance on the change of the mean log-likelihood. 0 runs to max_iter; "
        "a change of 1 nat per point already stops after the first iteration.",
    ),
    "reg_covar": Bound(
        0.0, 1.0, float,
        "added to every covariance diagonal. 0 lets covariances become singular; above 1 it "
        "swamps the spread of data at the lecture's scale (standardise other data).",
    ),
    "n_init": Bound(
        1, 100, int,
        "initialisations of a headless fit; the best is kept. 100 starts are already far "
        "more than a fit that depends on its start should be trusted with.",
    ),
    "speed": Bound(
        0.5, 60.0, float,
        "iterations per second when playing (or full speed). 60 is the display's frame rate; "
        "below 0.5 an animation stops reading as one.",
    ),
}  # fmt: skip


def check_setting(name: str, value: Any, label: str | None = None) -> int | float:
    """``BOUNDS[name].check(value, label or name)``: the value, or ``ValueError``."""
    return BOUNDS[name].check(value, name if label is None else label)


@dataclass(frozen=True)
class ModelSettings:
    """How the mixture is set up and when EM stops.

    Attributes
    ----------
    n_components : int
        K, within ``BOUNDS["n_components"]``.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    init_params : str
        One of :data:`gmmviz.core.init.INIT_METHODS`.
    max_iter : int
    tol : float
    reg_covar : float
    seed : int
        Seed of the initialisation (the estimator's ``random_state``).
    """

    n_components: int = 3
    covariance_type: str = "full"
    init_params: str = "kmeans"
    max_iter: int = 100
    tol: float = 1e-3
    reg_covar: float = 1e-6
    seed: int = 0

    def validated(self) -> ModelSettings:
        """These settings, or a ``ValueError`` naming what is wrong (bounds from BOUNDS)."""
        for name in ("n_components", "max_iter", "tol", "reg_covar", "seed"):
            check_setting(name, getattr(self, name))
        if self.covariance_type not in COVARIANCE_TYPES:
            raise ValueError(f"unknown covariance type {self.covariance_type!r}")
        if self.init_params not in INIT_METHODS:
            raise ValueError(f"unknown initialisation {self.init_params!r}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSettings:
        """Settings from a dict (unknown keys ignored; anything invalid gives the defaults)."""
        default = cls()
        values = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            kind = type(getattr(default, f.name))
            try:
                values[f.name] = kind(data[f.name])
            except (TypeError, ValueError, OverflowError):
                continue
        try:
            return replace(default, **values).validated()
        except ValueError:
            return default


def dataset_spec_to_dict(spec: DatasetSpec) -> dict[str, Any]:
    """A generated dataset's settings as a JSON-ready dict."""
    return {"name": spec.name, "n_samples": spec.n_samples, "noise": spec.noise, "seed": spec.seed}


def dataset_spec_from_dict(data: dict[str, Any]) -> DatasetSpec:
    """A spec from a dict: values clamped into BOUNDS, the lecture's defaults on anything odd."""
    try:
        name = str(data.get("name", "blobs"))
        if name not in DATASETS:
            name = "blobs"
        default_n = DATASETS[name].default_n_samples
        n = int(BOUNDS["n_samples"].clamp(int(data.get("n_samples", default_n))))
        noise = data.get("noise")
        if noise in (None, "", "None"):
            noise = None
        else:
            noise = float(noise)
            if not math.isfinite(noise):
                raise ValueError(noise)
            noise = float(BOUNDS["noise"].clamp(noise))
        seed = int(BOUNDS["seed"].clamp(int(data.get("seed", 0))))
        return DatasetSpec(name=name, n_samples=n, noise=noise, seed=seed)
    except (TypeError, ValueError, OverflowError):
        return DatasetSpec(name="blobs", n_samples=DATASETS["blobs"].default_n_samples)
