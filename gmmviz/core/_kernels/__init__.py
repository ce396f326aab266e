"""Compiled leaves of the core: each imports :mod:`gmmviz.core.backend` and nothing above it.

* :mod:`.estep` — fused E-step + sufficient statistics, weighted log-probabilities;
* :mod:`.linalg` — precision Cholesky factors of a covariance stack;
* :mod:`.kmeans` — nearest-centre assignment for Lloyd's k-means;
* :mod:`.summary` — the per-point pass the canvas needs (label, blended row, membership).

:mod:`.summary` reuses :func:`.estep.block_log_probs` (a sibling leaf, never a module above).
"""
