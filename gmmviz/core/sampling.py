"""Draw points from a mixture: a pure function of parameters and a random stream."""

from __future__ import annotations

import numpy as np

from gmmviz.core.em import MixtureParams


def sample(
    params: MixtureParams, n: int, rng: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points from the mixture, consuming ``rng`` exactly as scikit-learn does.

    Counts per component from one multinomial draw, then each component's points in turn
    (``multivariate_normal`` for full and tied, scaled standard normals for diag and
    spherical), so the same ``RandomState`` gives scikit-learn's ``sample`` bit for bit.

    Parameters
    ----------
    params : MixtureParams
    n : int
        Number of points (>= 1).
    rng : numpy.random.RandomState

    Returns
    -------
    X : ndarray of shape (n, d)
        Grouped by component (component 0's points first), as scikit-learn returns them.
    labels : ndarray of shape (n,), int
        The component each point came from.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n_samples must be an integer >= 1; got {n!r}")
    means, covariances = params.means, params.covariances
    counts = rng.multinomial(n, params.weights)
    if params.covariance_type == "full":
        parts = [
            rng.multivariate_normal(m, c, int(k))
            for m, c, k in zip(means, covariances, counts, strict=True)
        ]
    elif params.covariance_type == "tied":
        parts = [
            rng.multivariate_normal(m, covariances, int(k))
            for m, k in zip(means, counts, strict=True)
        ]
    else:
        parts = [
            m + rng.standard_normal(size=(k, params.n_features)) * np.sqrt(c)
            for m, c, k in zip(means, covariances, counts, strict=True)
        ]
    labels = np.concatenate([np.full(k, j, dtype=int) for j, k in enumerate(counts)])
    return np.vstack(parts), labels
