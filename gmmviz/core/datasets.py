"""The lecture's six toy datasets, generated with numpy alone and fully determined by a seed.

The lecture builds its data with scikit-learn (``n_samples=1500``)::

    X1, T1 = make_blobs(n_samples, centers=3, cluster_std=1)             # "blobs"
    X2, T2 = make_blobs(n_samples, cluster_std=[1.0, 2.5, 0.5])          # "varied"
    X3, T3 = make_moons(n_samples, noise=.05)                            # "moons"
    X4, T4 = make_circles(n_samples, noise=.05, factor=0.5)              # "circles"
    X5 = X1 @ [[0.60834549, -0.63667341], [-0.40887718, 0.85253229]]     # "anisotropic"
    X6 = 500 / 100 / 10 points of the three classes of X1                # "imbalanced"

The generators below draw from the same distributions as scikit-learn's ``make_blobs``,
``make_moons`` and ``make_circles`` (blob centres uniform in the box (-10, 10), the same class
sizes, the same curve geometry and isotropic Gaussian noise), but with a
:class:`numpy.random.Generator` (PCG64), which is several times faster than the legacy
``RandomState`` stream scikit-learn uses; the arrays are therefore not bit-identical to
scikit-learn's for the same seed, only identically distributed.

For one seed, the blob family shares its centres: "blobs", "varied", "anisotropic" and
"imbalanced" with the same seed have the same three centres (before the anisotropic transform),
and "anisotropic" is exactly "blobs" (same seed, size and noise) times the lecture's matrix, as
in the lecture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ANISOTROPIC_TRANSFORM",
    "CENTER_BOX",
    "CIRCLES_FACTOR",
    "DATASET_NAMES",
    "DEFAULT_NOISE",
    "DEFAULT_N_SAMPLES",
    "IMBALANCED_RATIO",
    "MAX_N_SAMPLES",
    "NOISE_LABEL",
    "TRUE_COMPONENTS",
    "VARIED_STDS",
    "DatasetSpec",
    "generate",
    "make_dataset",
]

DATASET_NAMES: tuple[str, ...] = (
    "blobs",
    "varied",
    "anisotropic",
    "imbalanced",
    "moons",
    "circles",
)

#: Default value of the ``noise`` knob per dataset (the lecture's settings).
DEFAULT_NOISE: dict[str, float] = {
    "blobs": 1.0,
    "varied": 1.0,
    "anisotropic": 1.0,
    "imbalanced": 1.0,
    "moons": 0.05,
    "circles": 0.05,
}

#: What the ``noise`` knob means for each dataset, for labelling it in the UI.
NOISE_LABEL: dict[str, str] = {
    "blobs": "cluster std",
    "varied": "std scale",
    "anisotropic": "cluster std",
    "imbalanced": "cluster std",
    "moons": "noise",
    "circles": "noise",
}

#: The lecture's sample counts: 1500 everywhere except the 500 + 100 + 10 imbalanced set.
DEFAULT_N_SAMPLES: dict[str, int] = {
    "blobs": 1500,
    "varied": 1500,
    "anisotropic": 1500,
    "imbalanced": 610,
    "moons": 1500,
    "circles": 1500,
}

#: Number of generating classes, which is the K the lecture fits.
TRUE_COMPONENTS: dict[str, int] = {
    "blobs": 3,
    "varied": 3,
    "anisotropic": 3,
    "imbalanced": 3,
    "moons": 2,
    "circles": 2,
}

#: scikit-learn's default ``center_box`` for ``make_blobs``.
CENTER_BOX: tuple[float, float] = (-10.0, 10.0)
#: Per-class standard deviations of "varied" (multiplied by the noise knob).
VARIED_STDS: tuple[float, float, float] = (1.0, 2.5, 0.5)
#: The lecture's linear map for "anisotropic" (applied as ``X @ ANISOTROPIC_TRANSFORM``).
ANISOTROPIC_TRANSFORM: np.ndarray = np.array(
    [[0.60834549, -0.63667341], [-0.40887718, 0.85253229]], dtype=np.float64
)
ANISOTROPIC_TRANSFORM.flags.writeable = False
#: Class sizes of "imbalanced" relative to each other (500 : 100 : 10).
IMBALANCED_RATIO: tuple[int, int, int] = (50, 10, 1)
#: Radius of the inner circle of "circles" relative to the outer one (the lecture's factor).
CIRCLES_FACTOR: float = 0.5
#: Upper bound on ``n_samples`` (1e7 points × 2 × 8 bytes = 160 MB, plus temporaries).
MAX_N_SAMPLES: int = 10_000_000


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that determines a generated dataset.

    Parameters
    ----------
    name : str
        One of :data:`DATASET_NAMES`.
    n_samples : int
        Number of points, 1 to :data:`MAX_N_SAMPLES` ("imbalanced" needs at least 3).
    noise : float or None
        The dataset's noise knob (see :data:`NOISE_LABEL`); ``None`` means the lecture's
        default from :data:`DEFAULT_NOISE`.
    seed : int
        Non-negative seed of the random generator. Same spec, same arrays.
    """

    name: str = "blobs"
    n_samples: int = 1500
    noise: float | None = None
    seed: int = 0


def _validate(spec: DatasetSpec) -> tuple[str, int, float, int]:
    """Check a spec and return ``(name, n_samples, noise, seed)`` with defaults resolved."""
    name = spec.name
    if not isinstance(name, str) or name not in DATASET_NAMES:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASET_NAMES)}")
    n = spec.n_samples
    # bool is an int subclass; True as a sample count is a bug, not a request for one point.
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n_samples must be an integer; got {n!r}")
    n = int(n)
    min_n = len(IMBALANCED_RATIO) if name == "imbalanced" else 1
    if not min_n <= n <= MAX_N_SAMPLES:
        raise ValueError(
            f"n_samples for {name!r} must be between {min_n} and {MAX_N_SAMPLES:,}; got {n}"
        )
    noise = DEFAULT_NOISE[name] if spec.noise is None else spec.noise
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise ValueError(f"noise ({NOISE_LABEL[name]}) must be a number; got {noise!r}")
    noise = float(noise)
    if not (math.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"noise ({NOISE_LABEL[name]}) must be a finite number >= 0; got {noise!r}")
    seed = spec.seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    return name, n, noise, int(seed)


def _balanced_counts(n_samples: int, n_classes: int) -> np.ndarray:
    """Class sizes as ``make_blobs`` splits ``n_samples``: equal, remainder to the first ones."""
    counts = np.full(n_classes, n_samples // n_classes, dtype=np.int64)
    counts[: n_samples % n_classes] += 1
    return counts


def _imbalanced_counts(n_samples: int) -> np.ndarray:
    """Class sizes in the ratio 50 : 10 : 1 summing to ``n_samples`` (largest remainder).

    At the lecture's 610 points this gives exactly 500, 100, 10. Every class keeps at least one
    point (``n_samples >= 3`` is checked by the caller).
    """
    ratio = np.asarray(IMBALANCED_RATIO, dtype=np.float64)
    quota = n_samples * ratio / ratio.sum()
    counts = np.floor(quota).astype(np.int64)
    # Hand the leftover points to the largest fractional parts (stable: ties go to class 0).
    leftover = n_samples - int(counts.sum())
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[:leftover]] += 1
    # Guarantee the rare classes are present; take the points from the largest class.
    for k in range(1, len(counts)):
        if counts[k] == 0:
            counts[k] = 1
            counts[0] -= 1
    return counts


def _blobs(
    rng: np.random.Generator, counts: np.ndarray, stds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs in 2-D around centres uniform in :data:`CENTER_BOX`.

    Parameters
    ----------
    rng : numpy.random.Generator
    counts : ndarray of shape (C,)
        Points per class.
    stds : ndarray of shape (C,)
        Standard deviation per class (same in both coordinates).

    Returns
    -------
    X : ndarray of shape (N, 2), float64
    y : ndarray of shape (N,), int64, in random order
    """
    n_classes = len(counts)
    # Centres first, so that every blob-family dataset with this seed has the same centres.
    centres = rng.uniform(CENTER_BOX[0], CENTER_BOX[1], size=(n_classes, 2))
    # Shuffling the labels then gathering is the same distribution as make_blobs' "generate per
    # class, then shuffle", without moving the (N, 2) float array around.
    y = np.repeat(np.arange(n_classes, dtype=np.int64), counts)
    rng.shuffle(y)
    X = rng.standard_normal((len(y), 2))
    X *= stds[y][:, None]
    X += centres[y]
    return X, y


def _curve_pairs(
    rng: np.random.Generator, n_samples: int, endpoint: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled curve parameters and classes for the two-curve datasets.

    Class 0 gets ``n // 2`` parameters evenly spaced on [0, π] (``endpoint=True``) or [0, 2π)
    (``endpoint=False``), class 1 the rest, as scikit-learn lays them out; the pairs are then
    put in random order. Shuffling this 1-D parameter rather than the finished (N, 2) points
    avoids a slow random-access gather of the point array.

    Returns
    -------
    t : ndarray of shape (N,), float64
        Angle of each point along its curve.
    y : ndarray of shape (N,), int64
        Class of each point.
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    stop = np.pi if endpoint else 2.0 * np.pi
    t = np.concatenate(
        [
            np.linspace(0.0, stop, n_out, endpoint=endpoint),
            np.linspace(0.0, stop, n_in, endpoint=endpoint),
        ]
    )
    order = rng.permutation(n_samples)
    # Slots n_out.. of the unshuffled layout hold class 1.
    return t[order], (order >= n_out).astype(np.int64)


def _noise(rng: np.random.Generator, n_samples: int, noise: float) -> np.ndarray:
    """Isotropic N(0, noise²) noise of shape (N, 2), the noise model of ``make_moons`` and
    ``make_circles``; the curve points are added onto it in place (one (N, 2) buffer)."""
    if noise == 0.0:
        return np.zeros((n_samples, 2))
    Z = rng.standard_normal((n_samples, 2))
    Z *= noise
    return Z


def _moons(rng: np.random.Generator, n_samples: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as ``make_moons``: points evenly spaced along each arc.

    Class 0 is the upper unit half circle around (0, 0) (``n // 2`` points); class 1 is the lower
    one around (1, 0.5) (the rest). Gaussian noise of standard deviation ``noise`` is added to
    both coordinates.

    Returns
    -------
    X : ndarray of shape (N, 2), float64
    y : ndarray of shape (N,), int64
    """
    t, y = _curve_pairs(rng, n_samples, endpoint=True)
    X = _noise(rng, n_samples, noise)
    # The inner moon is the outer one flipped and shifted: (1 - cos t, 0.5 - sin t). Written as
    # offset + sign * (cos t, sin t): exact for both classes, no masked indexing.
    inner = y.astype(np.float64)
    sign = 1.0 - 2.0 * inner
    X[:, 0] += inner + sign * np.cos(t)
    X[:, 1] += 0.5 * inner + sign * np.sin(t)
    return X, y


def _circles(
    rng: np.random.Generator, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles, as ``make_circles``: radius 1 (class 0) and
    :data:`CIRCLES_FACTOR` (class 1), points evenly spaced in angle (no duplicate endpoint),
    plus Gaussian noise of standard deviation ``noise``.

    Returns
    -------
    X : ndarray of shape (N, 2), float64
    y : ndarray of shape (N,), int64
    """
    t, y = _curve_pairs(rng, n_samples, endpoint=False)
    X = _noise(rng, n_samples, noise)
    radius = np.where(y == 1, CIRCLES_FACTOR, 1.0)
    X[:, 0] += radius * np.cos(t)
    X[:, 1] += radius * np.sin(t)
    return X, y


def generate(spec: DatasetSpec) -> tuple[np.ndarray, np.ndarray]:
    """Generate the dataset described by ``spec``.

    Parameters
    ----------
    spec : DatasetSpec

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        The points, in random order.
    y : ndarray of shape (n_samples,), int64
        The generating class of each point, in ``0 .. TRUE_COMPONENTS[name] - 1``.

    Raises
    ------
    ValueError
        If the name is unknown, ``n_samples`` is out of range, ``noise`` is negative or not
        finite, or ``seed`` is not a non-negative integer.
    """
    name, n, noise, seed = _validate(spec)
    rng = np.random.default_rng(seed)
    if name == "moons":
        X, y = _moons(rng, n, noise)
    elif name == "circles":
        X, y = _circles(rng, n, noise)
    else:
        n_classes = TRUE_COMPONENTS[name]
        if name == "imbalanced":
            counts = _imbalanced_counts(n)
        else:
            counts = _balanced_counts(n, n_classes)
        if name == "varied":
            stds = noise * np.asarray(VARIED_STDS, dtype=np.float64)
        else:
            stds = np.full(n_classes, noise)
        X, y = _blobs(rng, counts, stds)
        if name == "anisotropic":
            X = X @ ANISOTROPIC_TRANSFORM
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64, copy=False)


def make_dataset(
    name: str, n_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Convenience wrapper: ``generate(DatasetSpec(name, n_samples, noise, seed))``.

    Parameters
    ----------
    name : str
        One of :data:`DATASET_NAMES`.
    n_samples : int or None
        ``None`` means the lecture's size, :data:`DEFAULT_N_SAMPLES` ``[name]``.
    noise : float or None
        ``None`` means :data:`DEFAULT_NOISE` ``[name]``.
    seed : int

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64
    """
    if n_samples is None:
        if name not in DEFAULT_N_SAMPLES:
            # Let _validate produce the one, consistent message for unknown names.
            return generate(DatasetSpec(name=name, noise=noise, seed=seed))
        n_samples = DEFAULT_N_SAMPLES[name]
    return generate(DatasetSpec(name=name, n_samples=n_samples, noise=noise, seed=seed))
