"""The fused per-point pass: hard label, responsibility-weighted table row, one membership.

What the canvas needs per point, without an N x K responsibility array (1M points x K=16
would be 128 MB per frame): for each point ``i`` the most responsible component, the blend
``Σₖ rᵢₖ tableₖ`` of a (K, 3) table (the palette, for colours) and ``rᵢⱼ`` for one component
``j``. Responsibilities below ``exp(-SKIP_NATS)`` of a point's best component are dropped.

A leaf: imports :mod:`gmmviz.core.backend` and the sibling leaf :mod:`.estep` (for the shared
block log-density loop); nothing above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gmmviz.core._kernels.estep import weighted_log_prob
from gmmviz.core.backend import KERNEL_LOCK, njit, numba_ready, prange, register_warm_up

if njit is not None:
    from gmmviz.core._kernels.estep import block_log_probs

#: Points at or above which the numba pass is chosen by default (below it numpy is as fast
#: and needs no compiled code).
NUMBA_MIN_POINTS = 20_000
#: Responsibilities below exp(-20) ≈ 2e-9 of a point's best component are dropped: they
#: change no colour (at most 1e-5 of a colour level) and it saves most of the ``exp`` calls.
SKIP_NATS = 20.0
#: Blend given to a point no component can explain (every log-density -inf): mid grey.
DEAD_BLEND = 128.0
_BLOCK = 256


@dataclass(frozen=True, eq=False)
class PointSummary:
    """The fused pass's output.

    Attributes
    ----------
    labels : ndarray of shape (N,), int32
        Most responsible component.
    blend : ndarray of shape (N, 3), float32
        ``Σₖ rᵢₖ tableₖ`` (empty with ``labels_only``).
    member : ndarray of shape (N,), float32
        ``rᵢⱼ`` for the requested component ``j`` (empty with ``labels_only``).
    """

    labels: np.ndarray
    blend: np.ndarray
    member: np.ndarray


def _empty_summary(n: int, labels_only: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output arrays: labels (n,), blend (n, 3), member (n,) (the last two empty when only
    labels are wanted)."""
    n_rows = 0 if labels_only else n
    return (
        np.empty(n, dtype=np.int32),
        np.empty((n_rows, 3), dtype=np.float32),
        np.empty(n_rows, dtype=np.float32),
    )


def point_summary_numpy(
    X: np.ndarray,
    kernel_inputs: tuple[np.ndarray, np.ndarray, np.ndarray],
    table: np.ndarray,
    component: int,
    chunk: int = 65536,
    labels_only: bool = False,
) -> PointSummary:
    """Reference implementation of the fused pass, in chunks of ``chunk`` rows.

    Parameters
    ----------
    X : ndarray of shape (N, d)
    kernel_inputs : (means (K, d), precision Cholesky stack (K, d, d), log_norm (K,))
    table : ndarray of shape (K, 3)
    component : int
    """
    means, prec, log_norm = kernel_inputs
    n = X.shape[0]
    labels, blend, member = _empty_summary(n, labels_only)
    rows = np.asarray(table, dtype=np.float64)
    for start in range(0, n, chunk):
        Xc = X[start : start + chunk]
        lp = weighted_log_prob(Xc, means, prec, log_norm, backend="numpy")
        labels[start : start + chunk] = lp.argmax(axis=1)
        if labels_only:
            continue
        best = lp.max(axis=1)
        safe = np.where(np.isfinite(best), best, 0.0)
        with np.errstate(under="ignore", invalid="ignore"):
            e = np.exp(lp - safe[:, None])
        e[lp - safe[:, None] < -SKIP_NATS] = 0.0
        total = e.sum(axis=1)
        dead = ~(total > 0)
        total[dead] = 1.0
        resp = e / total[:, None]
        block = resp @ rows
        block[dead] = DEAD_BLEND
        blend[start : start + chunk] = block
        member[start : start + chunk] = np.where(dead, 0.0, resp[:, component])
    return PointSummary(labels, blend, member)


if njit is not None:
    # fastmath without "nnan"/"ninf": log-densities can be -inf (a component of weight 0)
    @njit(parallel=True, cache=True, nogil=True, fastmath={"nsz", "arcp", "contract", "reassoc"})
    def _fused_summary(
        X, means, prec, log_norm, table, component, skip, labels_only, labels, blend, member
    ):  # pragma: no cover - compiled
        # Blocks of rows: block_log_probs gives a whole block's log-densities (rows
        # innermost, vectorised), then each row's log-sum-exp and table sums; terms
        # ``skip`` nats below the row's best are dropped.
        n, d = X.shape
        n_comp = means.shape[0]
        n_blocks = (n + _BLOCK - 1) // _BLOCK
        for b in prange(n_blocks):
            start = b * _BLOCK
            m = min(n, start + _BLOCK) - start
            xs = np.empty((d, _BLOCK))
            lp = np.empty((n_comp, _BLOCK))
            acc = np.empty(_BLOCK)
            best = np.empty(_BLOCK)
            arg = np.zeros(_BLOCK, dtype=np.int32)
            block_log_probs(X, start, m, means, prec, log_norm, xs, lp, acc)
            for r in range(m):
                best[r] = -np.inf
                arg[r] = 0
            for k in range(n_comp):
                for r in range(m):
                    if lp[k, r] > best[r]:
                        best[r] = lp[k, r]
                        arg[r] = k
            for r in range(m):
                i = start + r
                labels[i] = arg[r]
                if labels_only:
                    continue
                top = best[r]
                if top == -np.inf:
                    blend[i, 0] = DEAD_BLEND
                    blend[i, 1] = DEAD_BLEND
                    blend[i, 2] = DEAD_BLEND
                    member[i] = 0.0
                    continue
                total = 0.0
                c0 = 0.0
                c1 = 0.0
                c2 = 0.0
                mine = 0.0
                for k in range(n_comp):
                    t = lp[k, r] - top
                    if t < -skip:
                        continue
                    e = math.exp(t)
                    total += e
                    c0 += e * table[k, 0]
                    c1 += e * table[k, 1]
                    c2 += e * table[k, 2]
                    if k == component:
                        mine = e
                inv = 1.0 / total
                blend[i, 0] = c0 * inv
                blend[i, 1] = c1 * inv
                blend[i, 2] = c2 * inv
                member[i] = mine * inv


def summary_backend(n_points: int, backend: str | None) -> str:
    """The backend of a pass over ``n_points``: ``None`` picks numba for large ``N`` when
    :func:`gmmviz.core.backend.numba_ready` (so ``GMMVIZ_BACKEND=numpy`` reaches it too)."""
    if backend is None:
        return "numba" if n_points >= NUMBA_MIN_POINTS and numba_ready() else "numpy"
    if backend == "numba" and njit is None:
        return "numpy"
    return backend


def point_summary_arrays(
    X: np.ndarray,
    kernel_inputs: tuple[np.ndarray, np.ndarray, np.ndarray],
    table: np.ndarray,
    component: int,
    labels_only: bool = False,
    backend: str | None = None,
) -> PointSummary:
    """The fused pass on kernel inputs; see :func:`gmmviz.core.em.point_summary`."""
    if summary_backend(X.shape[0], backend) == "numpy":
        return point_summary_numpy(X, kernel_inputs, table, component, labels_only=labels_only)
    means, prec, log_norm = kernel_inputs
    labels, blend, member = _empty_summary(X.shape[0], labels_only)
    Xc = np.ascontiguousarray(X, dtype=np.float64)
    rows = np.ascontiguousarray(table, dtype=np.float64)
    with KERNEL_LOCK:
        _fused_summary(
            Xc,
            means,
            prec,
            log_norm,
            rows,
            component,
            SKIP_NATS,
            labels_only,
            labels,
            blend,
            member,
        )
    return PointSummary(labels, blend, member)


@register_warm_up
def _warm_up() -> None:
    X = np.random.default_rng(0).normal(size=(64, 2))
    inputs = (
        np.ascontiguousarray(X[:3]),
        np.ascontiguousarray(np.broadcast_to(np.eye(2), (3, 2, 2))),
        np.full(3, -math.log(3.0)),
    )
    point_summary_arrays(X, inputs, np.ones((3, 3)), 0, backend="numba")
