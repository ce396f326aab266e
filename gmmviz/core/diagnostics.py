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
