"""The lecture's six toy datasets, point for point as scikit-learn makes them, without it.

The lecture builds its data with scikit-learn (``n_samples=1500``)::

    X1, T1 = make_blobs(n_samples, centers=3, cluster_std=1)             # "blobs"
    X2, T2 = make_blobs(n_samples, cluster_std=[1.0, 2.5, 0.5])          # "varied"
    X3, T3 = make_moons(n_samples, noise=.05)                            # "moons"
    X4, T4 = make_circles(n_samples, noise=.05, factor=0.5)              # "circles"
    X5 = np.dot(X1, [[0.60834549, -0.63667341], [-0.40887718, 0.85253229]])  # "anisotropic"
    X6 = np.vstack((X1[T1 == 0][:500], X1[T1 == 1][:100], X1[T1 == 2][:10]))  # "imbalanced"

and, for its first figure, ``make_moons(200, noise=.05, random_state=0)``.

Each generator below makes the same calls on a legacy :class:`numpy.random.RandomState`
seeded with :attr:`DatasetSpec.seed`, in the same order, as scikit-learn's ``make_blobs``,
``make_moons`` and ``make_circles`` (``shuffle=True``): blob centres uniform in
``center_box=(-10, 10)``, then one ``normal`` draw per blob, then a shuffle of the indices;
or the curve points, then the shuffle, then the noise. The points are therefore bit-identical
to scikit-learn's for the same arguments and ``random_state`` (the tests check it against
scikit-learn 1.9); :attr:`DatasetInfo.reference`
spells out the call for each dataset. The lecture leaves ``random_state`` unset (so its
figures change on every run); here the seed always takes its place (default 0).

scikit-learn is the reference of the tests only; it is never imported here.
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
    "MAX_SEED",
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
#: The lecture's linear map for "anisotropic" (applied as ``np.dot(X, ANISOTROPIC_TRANSFORM)``).
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
#: Largest seed: :class:`numpy.random.RandomState`, like scikit-learn's ``random_state``, takes
#: 32-bit seeds.
MAX_SEED: int = 2**32 - 1

#: A dataset's generator: ``(rng, n_samples, noise) -> (X, y)``, with ``n_samples`` and ``noise``
#: already validated and ``rng`` a ``RandomState`` seeded with the spec's seed (scikit-learn's
#: ``random_state``); ``X`` has shape (n_samples, 2), ``y`` the classes ``0 .. n_clusters - 1``.
DatasetGenerator = Callable[[np.random.RandomState, int, float], tuple[np.ndarray, np.ndarray]]


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
    reference : str
        The scikit-learn code whose points :func:`generate` reproduces bit for bit, written
        with ``n_samples``, ``noise`` and ``seed`` for the :class:`DatasetSpec` fields: the
        lecture's call with ``random_state=seed`` where the lecture left it unset, so a caption
        or preset can say exactly which data (and which seed) it shows.
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
    reference: str
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
        Seed of the random generator, 0 to :data:`MAX_SEED`: scikit-learn's ``random_state``
        (see :attr:`DatasetInfo.reference`). Same spec, same arrays.
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
    if (
        isinstance(seed, bool)
        or not isinstance(seed, (int, np.integer))
        or not 0 <= seed <= MAX_SEED
    ):
        raise ValueError(
            f"seed must be a non-negative integer of at most 32 bits (0 to {MAX_SEED:,}); "
            f"got {seed!r}"
        )
    return name, n, noise, int(seed)


def _imbalanced_counts(n_samples: int) -> np.ndarray:
    """Class sizes in the ratio 50 : 10 : 1 summing to ``n_samples`` (largest remainder).

    At the lecture's 610 points this gives exactly 500, 100, 10. Every class keeps at least one
    point (``n_samples >= 3`` is checked by the caller), and the sizes never increase with the
    class.
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


def _shuffle_indices(rng: np.random.RandomState, n: int) -> np.ndarray:
    """The order ``sklearn.utils.shuffle(..., random_state=rng)`` puts ``n`` rows in."""
    indices = np.arange(n)
    rng.shuffle(indices)
    return indices


def _shuffled(
    rng: np.random.RandomState, X: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``sklearn.utils.shuffle(X, y, random_state=rng)``: shuffle ``arange(n)``, then gather."""
    indices = _shuffle_indices(rng, X.shape[0])
    return X[indices], y[indices]


def _sk_blobs_unshuffled(
    rng: np.random.RandomState, n_samples: int, cluster_std: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The draws of ``make_blobs`` before its shuffle: points and labels grouped by class.

    The centres are drawn first (uniform in :data:`CENTER_BOX`), then each class's points as
    one ``normal(centre, std, (n_k, 2))`` draw, class after class, with ``n_samples`` split
    equally and the remainder going to the first classes.
    """
    n_centers = len(cluster_std)
    centers = rng.uniform(CENTER_BOX[0], CENTER_BOX[1], size=(n_centers, 2))
    counts = [n_samples // n_centers] * n_centers
    for i in range(n_samples % n_centers):
        counts[i] += 1
    X = np.empty((n_samples, 2), dtype=np.float64)
    y = np.empty(n_samples, dtype=np.int64)
    start = 0
    for i, (n, std) in enumerate(zip(counts, cluster_std, strict=True)):
        X[start : start + n] = rng.normal(loc=centers[i], scale=std, size=(n, 2))
        y[start : start + n] = i
        start += n
    return X, y


def _sk_blobs(
    rng: np.random.RandomState, n_samples: int, cluster_std: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``make_blobs(n_samples, centers=len(cluster_std), cluster_std=cluster_std,
    random_state=rng)`` in 2-D, with scikit-learn's draws in scikit-learn's order: the draws
    of :func:`_sk_blobs_unshuffled`, then the shuffle of the indices.

    Returns
    -------
    X : ndarray of shape (N, 2), float64
    y : ndarray of shape (N,), int64, in random order
    """
    X, y = _sk_blobs_unshuffled(rng, n_samples, cluster_std)
    return _shuffled(rng, X, y)


def _add_noise(rng: np.random.RandomState, X: np.ndarray, noise: float) -> np.ndarray:
    """``X += rng.normal(scale=noise, size=X.shape)``, the last draw of the curve datasets."""
    X += rng.normal(scale=noise, size=X.shape)
    return X


def _two_curves(
    x_out: np.ndarray, y_out: np.ndarray, x_in: np.ndarray, y_in: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the outer curve (class 0) and the inner one (class 1) as scikit-learn does."""
    X = np.vstack([np.append(x_out, x_in), np.append(y_out, y_in)]).T
    y = np.hstack([np.zeros(len(x_out), dtype=np.int64), np.ones(len(x_in), dtype=np.int64)])
    return X, y


def _moons(
    rng: np.random.RandomState, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """``make_moons(n_samples, noise=noise, random_state=rng)``: two interleaving half circles.

    Class 0 is the upper unit half circle around (0, 0) (``n // 2`` points evenly spaced on
    [0, π]); class 1 the lower one around (1, 0.5) (the rest). The points are shuffled, then
    Gaussian noise of standard deviation ``noise`` is added to both coordinates. The
    arithmetic is scikit-learn's, term for term, so the points agree to the last bit.

    Returns
    -------
    X : ndarray of shape (N, 2), float64
    y : ndarray of shape (N,), int64
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    X, y = _two_curves(
        np.cos(np.linspace(0, np.pi, n_out)),
        np.sin(np.linspace(0, np.pi, n_out)),
        1 - np.cos(np.linspace(0, np.pi, n_in)),
        1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5,
    )
    X, y = _shuffled(rng, X, y)
    return _add_noise(rng, X, noise), y


def _circles(
    rng: np.random.RandomState, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """``make_circles(n_samples, noise=noise, factor=CIRCLES_FACTOR, random_state=rng)``.

    Two concentric circles: radius 1 (class 0, ``n // 2`` points) and :data:`CIRCLES_FACTOR`
    (class 1, the rest), points evenly spaced in angle (no duplicate endpoint), shuffled, then
    Gaussian noise of standard deviation ``noise``; scikit-learn's arithmetic term for term.

    Returns
    -------
    X : ndarray of shape (N, 2), float64
    y : ndarray of shape (N,), int64
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X, y = _two_curves(
        np.cos(t_out),
        np.sin(t_out),
        np.cos(t_in) * CIRCLES_FACTOR,
        np.sin(t_in) * CIRCLES_FACTOR,
    )
    X, y = _shuffled(rng, X, y)
    return _add_noise(rng, X, noise), y


_N_BLOBS = 3  # the lecture's make_blobs(centers=3)


def _make_blobs(
    rng: np.random.RandomState, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """``make_blobs(n_samples, centers=3, cluster_std=noise, random_state=rng)``."""
    return _sk_blobs(rng, n_samples, np.full(_N_BLOBS, noise))


def _make_varied(
    rng: np.random.RandomState, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """``make_blobs(n_samples, cluster_std=noise * [1.0, 2.5, 0.5], random_state=rng)``."""
    return _sk_blobs(rng, n_samples, noise * np.asarray(VARIED_STDS, dtype=np.float64))


def _make_anisotropic(
    rng: np.random.RandomState, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """``np.dot(X1, ANISOTROPIC_TRANSFORM)`` with ``X1`` the "blobs" points (same draws)."""
    X, y = _make_blobs(rng, n_samples, noise)
    return np.dot(X, ANISOTROPIC_TRANSFORM), y


def _make_imbalanced(
    rng: np.random.RandomState, n_samples: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's construction: the first n0, n1, n2 points of each class of "blobs".

    ``n0 : n1 : n2`` is :data:`IMBALANCED_RATIO` (500, 100, 10 at the lecture's 610 points),
    taken from ``make_blobs(3 * n0, centers=3, cluster_std=noise, random_state=rng)`` (1500
    points, 500 per class, at the lecture's size)::

        X = np.vstack((X1[T1 == 0][:n0], X1[T1 == 1][:n1], X1[T1 == 2][:n2]))
        y = np.hstack((np.zeros(n0), np.ones(n1), 2 * np.ones(n2))).astype(int)

    so, as in the lecture, the points come grouped by class, not shuffled.
    """
    counts = _imbalanced_counts(n_samples)
    # X1, T1 = X_draw[order], y_draw[order], so X1[T1 == k][:n] = X_draw[order[T1 == k][:n]]:
    # gather only the rows kept (the same values, without a shuffled copy of all 3 * n0).
    X_draw, y_draw = _sk_blobs_unshuffled(rng, _N_BLOBS * int(counts[0]), np.full(_N_BLOBS, noise))
    order = _shuffle_indices(rng, len(y_draw))
    T1 = y_draw[order]
    rows = np.concatenate([order[T1 == k][:n] for k, n in enumerate(counts)])
    return X_draw[rows], y_draw[rows]


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
            reference="make_blobs(n_samples, centers=3, cluster_std=noise, random_state=seed)",
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
            reference="make_blobs(n_samples, cluster_std=noise * np.array([1.0, 2.5, 0.5]), "
            "random_state=seed)",
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
            reference="np.dot(make_blobs(n_samples, centers=3, cluster_std=noise, "
            "random_state=seed)[0], [[0.60834549, -0.63667341], [-0.40887718, 0.85253229]])",
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
            reference="X1, T1 = make_blobs(3 * n0, centers=3, cluster_std=noise, "
            "random_state=seed); "
            "np.vstack((X1[T1 == 0][:n0], X1[T1 == 1][:n1], X1[T1 == 2][:n2])) with "
            "n0 : n1 : n2 = 50 : 10 : 1 summing to n_samples (500, 100, 10 at 610)",
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
            reference="make_moons(n_samples, noise=noise, random_state=seed)",
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
            reference="make_circles(n_samples, noise=noise, factor=0.5, random_state=seed)",
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
        The points of ``DATASETS[name].reference`` with ``random_state=spec.seed``, bit for
        bit: in random order, except "imbalanced", grouped by class as the lecture builds it.
    y : ndarray of shape (n_samples,), int64
        The generating class of each point, in ``0 .. DATASETS[name].n_clusters - 1``.

    Raises
    ------
    ValueError
        If the name is unknown, ``n_samples`` is out of range, ``noise`` is negative or not
        finite, or ``seed`` is not an integer from 0 to :data:`MAX_SEED`.
    """
    name, n, noise, seed = _validate(spec)
    X, y = DATASETS[name].generator(np.random.RandomState(seed), n, noise)
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
