"""``n_init`` restarts as one stream of snapshots, tagged by restart.

scikit-learn draws every initialisation from one ``RandomState`` in turn; so does
:func:`iter_restarts`, so that restart ``r`` starts where scikit-learn's ``r``-th does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from gmmviz.core.em import EMStep, as_data, iter_em
from gmmviz.core.init import check_random_state, initialise


def iter_restarts(
    X,
    n_components: int,
    *,
    n_init: int = 1,
    covariance_type: str = "full",
    init_params: str = "kmeans",
    reg_covar: float = 1e-6,
    random_state=None,
    weights_init=None,
    means_init=None,
    precisions_init=None,
    tol: float = 1e-3,
    max_iter: int = 100,
    backend: str | None = None,
    evaluate_last: bool = True,
) -> Iterator[EMStep]:
    """``n_init`` EM runs one after the other, each snapshot tagged ``restart`` and ``seed``.

    Parameters
    ----------
    X : array-like of shape (N, d)
    n_components : int
    n_init : int
        Number of initialisations (>= 1).
    covariance_type, init_params, reg_covar, weights_init, means_init, precisions_init
        As :func:`gmmviz.core.init.initialise`.
    random_state : None, int or RandomState
        One stream for all restarts, consumed in scikit-learn's order.
    tol, max_iter, backend, evaluate_last
        As :func:`gmmviz.core.em.iter_em`.

    Yields
    ------
    EMStep
        Restart 0's snapshots (iteration 0 first), then restart 1's, ...; ``seed`` is
        ``random_state`` when that is an int, else None.
    """
    if not isinstance(n_init, (int, np.integer)) or isinstance(n_init, bool) or n_init < 1:
        raise ValueError(f"n_init must be an integer >= 1; got {n_init!r}")
    X = as_data(X, min_samples=2)
    seed = int(random_state) if isinstance(random_state, (int, np.integer)) else None
    rng = check_random_state(random_state)
    for restart in range(int(n_init)):
        initial = initialise(
            X,
            n_components,
            covariance_type=covariance_type,
            init_params=init_params,
            reg_covar=reg_covar,
            random_state=rng,
            weights_init=weights_init,
            means_init=means_init,
            precisions_init=precisions_init,
            backend=backend,
        )
        steps = iter_em(
            X,
            initial,
            tol=tol,
            reg_covar=reg_covar,
            max_iter=max_iter,
            backend=backend,
            evaluate_last=evaluate_last,
        )
        for step in steps:
            yield replace(step, restart=restart, seed=seed)


def final_lower_bound(steps: list[EMStep]) -> float:
    """scikit-learn's ``lower_bound_`` of a run: the log-likelihood of the snapshot before
    the last (``-inf`` for a run of one snapshot, ``max_iter=0``)."""
    return steps[-2].log_likelihood if len(steps) > 1 else -math.inf
