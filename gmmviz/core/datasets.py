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
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ANISOTROPIC_TRANSFORM",
    "CENTER_BOX",
    "CIRCLES_FACTOR",
    "DATASETS",
    "IMBALANCED_RATIO",
    "MAX_N_SAMPLES",
    "VARIED_STDS",
    "DatasetGenerator",
    "DatasetInfo",
    "DatasetSpec",
    "generate",
    "make_dataset",
]

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

#: A dataset's generator: ``(rng, n_samples, noise) -> (X, y)``, with ``n_samples`` and ``noise``
#: already validated; ``X`` has shape (n_samples, 2), ``y`` the classes ``0 .. n_clusters - 1``.
DatasetGenerator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetInfo:
    """Everything the app knows about one of the lecture's generated datasets.

    Parameters
    ----------
    name : str
        The key in :data:`DATASETS`, the ``--dataset`` value and the name saved in settings.
    title : str
        How menus and captions show the dataset.
    noise_label : str
        What the dataset's ``noise`` knob means (``"cluster std"``, ``"noise"``, ...), for
        labelling it in the UI and in error messages.
    default_n_samples : int
        The lecture's number of points.
    default_noise : float
        The lecture's value of the ``noise`` knob.
    n_clusters : int
        The true number of clusters (generating classes), the K the lecture fits.
    min_samples : int
        The smallest ``n_samples`` :func:`generate` accepts: 1, or one point per class
        where the class sizes are fixed ratios ("imbalanced").
    description : str
        One sentence on what the dataset shows about fitting a Gaussian mixture.
    generator : DatasetGenerator
        Draws the points; called by :func:`generate` after validation.
    """

    name: str
    title: str
    noise_label: str
    default_n_samples: int
    default_noise: float
    n_clusters: int
    min_samples: int
    description: str
    generator: DatasetGenerator = field(repr=False, compare=False)


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that determines a generated dataset.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    n_samples : int
        Number of points, the dataset's :attr:`DatasetInfo.min_samples` (1, or 3 for
        "imbalanced") to :data:`MAX_N_SAMPLES`.
    noise : float or None
        The dataset's noise knob (see :attr:`DatasetInfo.noise_label`); ``None`` means the
        lecture's :attr:`DatasetInfo.default_noise`.
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
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    info = DATASETS[name]
    n = spec.n_samples
    # bool is an int subclass; True as a sample count is a bug, not a request for one point.
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n_samples must be an integer; got {n!r}")
    n = int(n)
    min_n = info.min_samples
    if not min_n <= n <= MAX_N_SAMPLES:
        raise ValueError(
            f"n_samples for {name!r} must be between {min_n} and {MAX_N_SAMPLES:,}; got {n}"
        )
    noise = info.default_noise if spec.noise is None else spec.noise
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise ValueError(f"noise ({info.noise_label}) must be a number; got {noise!r}")
    noise = float(noise)
    if not (math.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"noise ({info.noise_label}) must be a finite number >= 0; got {noise!r}")
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


_N_BLOBS = 3  # the lecture's make_blobs(centers=3)


def _make_blobs(
    rng: np.random.Generator, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """The "blobs" generator: three equal classes, isotropic, standard deviation ``noise``."""
    return _blobs(rng, _balanced_counts(n_samples, _N_BLOBS), np.full(_N_BLOBS, noise))


def _make_varied(
    rng: np.random.Generator, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """The "varied" generator: three equal classes, standard deviations ``noise`` × VARIED_STDS."""
    stds = noise * np.asarray(VARIED_STDS, dtype=np.float64)
    return _blobs(rng, _balanced_counts(n_samples, len(VARIED_STDS)), stds)


def _make_anisotropic(
    rng: np.random.Generator, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """The "anisotropic" generator: "blobs" (same draws) times :data:`ANISOTROPIC_TRANSFORM`."""
    X, y = _make_blobs(rng, n_samples, noise)
    return X @ ANISOTROPIC_TRANSFORM, y


def _make_imbalanced(
    rng: np.random.Generator, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """The "imbalanced" generator: three classes in the ratio IMBALANCED_RATIO, std ``noise``."""
    counts = _imbalanced_counts(n_samples)
    return _blobs(rng, counts, np.full(len(counts), noise))


#: The lecture's six generated datasets, in the lecture's order (menus and ``--dataset``
#: choices follow it). The single source of every per-dataset fact.
DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            name="blobs",
            title="Blobs (3 centres)",
            noise_label="cluster std",
            default_n_samples=1500,
            default_noise=1.0,
            n_clusters=3,
            min_samples=1,
            description="three round clusters of equal size and spread: the case a Gaussian "
            "mixture models exactly, so EM recovers them from almost any start",
            generator=_make_blobs,
        ),
        DatasetInfo(
            name="varied",
            title="Varied blobs (std 1, 2.5, 0.5)",
            noise_label="std scale",
            default_n_samples=1500,
            default_noise=1.0,
            n_clusters=3,
            min_samples=1,
            description="three round clusters of very different spread: each component must "
            "learn its own variance, and the wide one claims points near the tight ones",
            generator=_make_varied,
        ),
        DatasetInfo(
            name="anisotropic",
            title="Anisotropic blobs",
            noise_label="cluster std",
            default_n_samples=1500,
            default_noise=1.0,
            n_clusters=3,
            min_samples=1,
            description="the blobs sheared into tilted, elongated ellipses: only full "
            "covariances fit them, spherical or diagonal ones cut across the clusters",
            generator=_make_anisotropic,
        ),
        DatasetInfo(
            name="imbalanced",
            title="Imbalanced blobs (500/100/10)",
            noise_label="cluster std",
            default_n_samples=610,
            default_noise=1.0,
            n_clusters=3,
            min_samples=len(IMBALANCED_RATIO),
            description="three blobs of 500, 100 and 10 points: the mixing weights must become "
            "very unequal, and the tiny cluster is easily swallowed by a neighbour",
            generator=_make_imbalanced,
        ),
        DatasetInfo(
            name="moons",
            title="Moons",
            noise_label="noise",
            default_n_samples=1500,
            default_noise=0.05,
            n_clusters=2,
            min_samples=1,
            description="two interleaved half circles: a Gaussian mixture needs many "
            "components to follow them",
            generator=_moons,
        ),
        DatasetInfo(
            name="circles",
            title="Circles",
            noise_label="noise",
            default_n_samples=1500,
            default_noise=0.05,
            n_clusters=2,
            min_samples=1,
            description="two concentric rings: no Gaussian has a hole, so a mixture can only "
            "tile each ring with many small components",
            generator=_circles,
        ),
    )
}


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
        The generating class of each point, in ``0 .. DATASETS[name].n_clusters - 1``.

    Raises
    ------
    ValueError
        If the name is unknown, ``n_samples`` is out of range, ``noise`` is negative or not
        finite, or ``seed`` is not a non-negative integer.
    """
    name, n, noise, seed = _validate(spec)
    X, y = DATASETS[name].generator(np.random.default_rng(seed), n, noise)
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64, copy=False)


def make_dataset(
    name: str, n_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Convenience wrapper: ``generate(DatasetSpec(name, n_samples, noise, seed))``.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    n_samples : int or None
        ``None`` means the lecture's size, ``DATASETS[name].default_n_samples``.
    noise : float or None
        ``None`` means ``DATASETS[name].default_noise``.
    seed : int

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64
    """
    if n_samples is None:
        if name not in DATASETS:
            # Let _validate produce the one, consistent message for unknown names.
            return generate(DatasetSpec(name=name, noise=noise, seed=seed))
        n_samples = DATASETS[name].default_n_samples
    return generate(DatasetSpec(name=name, n_samples=n_samples, noise=noise, seed=seed))
