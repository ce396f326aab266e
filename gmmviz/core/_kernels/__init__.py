"""Compiled leaves of the core: each imports :mod:`gmmviz.core.backend` and nothing above it.

* :mod:`.estep` — fused E-step + sufficient statistics, weighted log-probabilities;
* :mod:`.estep_diag` — the same for diagonal precisions (diag, spherical): ``d`` terms, not
  ``d(d+1)/2``;
* :mod:`.dispatch` — the rule that picks one of the two per covariance type;
* :mod:`.linalg` — precision Cholesky factors of a covariance stack;
* :mod:`.kmeans` — nearest-centre assignment for Lloyd's k-means;
* :mod:`.summary` — the per-point pass the canvas needs (label, blended row, membership).

:mod:`.summary` and :mod:`.estep_diag` reuse pieces of :mod:`.estep`, and :mod:`.dispatch`
imports both E-step modules (sibling leaves, never a module above).
"""
