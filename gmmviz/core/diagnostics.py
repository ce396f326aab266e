"""What a fitted mixture says about the run that made it: components that coincide.

EM's fixed points include saddles: starting from random responsibilities (scikit-learn's
``'random'``) every mean begins near the data's centre, and with symmetric data the updates
keep them together, so EM "converges" at once with K copies of one Gaussian. Such a fit is
not a local optimum worth reporting as one.
"""

from __future__ import annotations

import numpy as np

from gmmviz.core.em import MixtureParams


def coinciding_components(params: MixtureParams, rtol: float = 1e-3) -> list[tuple[int, int]]:
    """Pairs of components with (almost) the same mean and covariance.

    Parameters
    ----------
    params : MixtureParams
    rtol : float
        Means closer than ``rtol`` times the spread of the model (the square root of the
        largest covariance eigenvalue), and covariances equal to ``rtol`` relative, count as
        the same.

    Returns
    -------
    list of (j, k) with j < k
    """
    means = np.asarray(params.means, dtype=np.float64)
    cov = params.full_covariances()
    scale = float(np.sqrt(max(np.linalg.eigvalsh(cov).max(), np.finfo(np.float64).tiny)))
    pairs = []
    for j in range(len(means)):
        for k in range(j + 1, len(means)):
            if np.linalg.norm(means[j] - means[k]) > rtol * scale:
                continue
            if np.linalg.norm(cov[j] - cov[k]) <= rtol * np.linalg.norm(cov[j]):
                pairs.append((j, k))
    return pairs


def smallest_variance(X: np.ndarray) -> float:
    """The data's variance along its thinnest direction (the smallest eigenvalue of its
    covariance): the scale a component's spread is compared with. Features of very
    different scales (wine: proline in the hundreds, hue near 1) make a mean variance
    useless for that."""
    X = np.asarray(X, dtype=np.float64)
    if X.shape[0] < 2:
        return 1.0
    cov = np.atleast_2d(np.cov(X, rowvar=False))
    smallest = float(np.linalg.eigvalsh(cov)[0])
    if smallest > 0:
        return smallest
    positive = np.diag(cov)[np.diag(cov) > 0]  # a constant direction: use the others
    return float(positive.min()) if positive.size else 1.0


def collapsed_components(
    params: MixtureParams, data_variance: float, rtol: float = 1e-4
) -> list[int]:
    """Components whose covariance has shrunk onto a point or a line of points.

    A Gaussian that sits on a single point (or on two, in 2-D) can shrink its variance
    towards ``reg_covar`` and raise the likelihood without bound: a degenerate maximum, not
    a better fit.

    Parameters
    ----------
    params : MixtureParams
    data_variance : float
        The data's variance along its thinnest direction (:func:`smallest_variance`).
    rtol : float
        A component collapsed when its smallest covariance eigenvalue is below
        ``rtol * data_variance``: ten thousand times thinner than the data anywhere.

    Returns
    -------
    list of int
        Component indices, ascending.
    """
    smallest = np.linalg.eigvalsh(params.full_covariances())[:, 0]
    floor = rtol * max(float(data_variance), np.finfo(np.float64).tiny)
    return [int(k) for k in np.flatnonzero(smallest < floor)]


def empty_components(params: MixtureParams, n_samples: int) -> list[int]:
    """Components whose weight stands for less than half a point: they explain nothing."""
    weights = np.asarray(params.weights, dtype=np.float64)
    return [int(k) for k in np.flatnonzero(weights * n_samples < 0.5)]
