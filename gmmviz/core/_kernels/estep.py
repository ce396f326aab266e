"""The hot loops of EM: the E-step fused with the sufficient statistics, in two backends.

``numba`` (default when ready, see :mod:`gmmviz.core.backend`): one parallel pass over
cache-sized chunks of rows that computes each point's component log-densities, the
log-sum-exp, the responsibilities and adds them straight into per-chunk sufficient
statistics, so no N x K array is ever kept.
``numpy``: the same arithmetic with whole-array operations; the reference the tests hold the
fast path to, and the fallback where numba is missing (``GMMVIZ_BACKEND=numpy`` forces it).

Every covariance type reaches the kernels as a ``(K, d, d)`` stack of upper-triangular
precision Cholesky factors ``P`` (see :func:`gmmviz.core.gaussian.as_full_stack`), and
``log_norm[k] = log wₖ + log det Pₖ - d/2 log 2π``, so that
``log wₖ N(x | μₖ, Σₖ) = log_norm[k] - ½ ‖(x - μₖ)ᵀ Pₖ‖²``.

A leaf: imports only :mod:`gmmviz.core.backend` (and numpy, numba, math).
"""

from __future__ import annotations

import math
import threading

import numpy as np

from gmmviz.core.backend import (
    KERNEL_LOCK,
    lazy_intrinsic,
    njit,
    numba_module,
    prange,
    register_warm_up,
    resolve_backend,
    warm_up_started,
)

# --------------------------------------------------------------------------------------------
# numpy reference path
# --------------------------------------------------------------------------------------------


def _weighted_log_prob_numpy(
    X: np.ndarray, means: np.ndarray, prec_chol: np.ndarray, log_norm: np.ndarray
) -> np.ndarray:
    n_samples = X.shape[0]
    n_components = means.shape[0]
    out = np.empty((n_samples, n_components))
    for k in range(n_components):
        y = (X - means[k]) @ prec_chol[k]
        out[:, k] = log_norm[k] - 0.5 * np.einsum("ij,ij->i", y, y)
    return out


def _log_sum_exp_rows(wlp: np.ndarray) -> np.ndarray:
    row_max = wlp.max(axis=1)
    row_max[~np.isfinite(row_max)] = 0.0
    with np.errstate(under="ignore"):
        return np.log(np.exp(wlp - row_max[:, None]).sum(axis=1)) + row_max


def _estep_stats_numpy(
    X: np.ndarray, means: np.ndarray, prec_chol: np.ndarray, log_norm: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    n_components, n_features = means.shape
    ll_sum = 0.0
    resp_sum = np.zeros(n_components)
    first = np.zeros((n_components, n_features))
    second = np.zeros((n_components, n_features, n_features))
    # Chunks bound the N x K temporaries to a few MB whatever N is.
    for start in range(0, X.shape[0], 65536):
        Xc = X[start : start + 65536]
        wlp = _weighted_log_prob_numpy(Xc, means, prec_chol, log_norm)
        lse = _log_sum_exp_rows(wlp)
        ll_sum += float(lse.sum())
        with np.errstate(under="ignore"):
            resp = np.exp(wlp - lse[:, None])
        resp_sum += resp.sum(axis=0)
        for k in range(n_components):
            centred = Xc - means[k]
            weighted = resp[:, k : k + 1] * centred
            first[k] += weighted.sum(axis=0)
            second[k] += weighted.T @ centred
    return ll_sum, resp_sum, first, second


# --------------------------------------------------------------------------------------------
# numba fused path
# --------------------------------------------------------------------------------------------


def _build_float_from_bits():
    """``float_from_bits(i)``: the float64 whose bits are the int64 ``i`` (one bitcast)."""
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def float_from_bits(typingctx, bits):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(types.float64))

        return types.float64(types.int64), codegen

    return float_from_bits


if njit is not None:
    # Rows are processed in blocks of BLOCK_ROWS: each block's coordinates are copied into a
    # (d, B) scratch so that every inner loop runs over contiguous rows, which LLVM
    # vectorises; partial sums are kept per block and added in a fixed order afterwards.
    BLOCK_ROWS = 256
    # fastmath lets LLVM reorder sums and vectorise, but not assume finite values: a
    # component of weight 0 has log-density -inf everywhere.
    FASTMATH = {"nsz", "arcp", "contract", "reassoc"}
    # exp(x) is taken as 0 below EXP_FLOOR. Such a responsibility is < 4e-44 of its row's
    # largest term: it changes no row sum, and summed over even 1e9 points it shifts a
    # component's Σr by < 4e-35, far below the 10*eps (2e-15) that the M-step adds to every
    # Σr. Keeping it would only feed the moment sums subnormal products, which run ~100x
    # slower on x86 (seen at d=10: the E-step took 41 ms instead of 15).
    EXP_FLOOR = -100.0
    LOG2E = 1.4426950408889634
    LN2_HI = 0.6931471803691238  # ln 2 split so that n * LN2_HI is exact for |n| < 2**20
    LN2_LO = 1.9082149292705877e-10
    # 1/j! for j = 13..0: Taylor series of e^r, |r| <= ln2/2, truncation error < 3e-17.
    EXP_COEFFS = np.array([1.0 / math.factorial(j) for j in range(13, -1, -1)])
    # Features up to this many get a kernel compiled for their exact count (see
    # _estep_kernel); more take the general one.
    MAX_FIXED_FEATURES = 16
    INLINE_CENTRE = 4  # see _row_log_prob
    # Each block's scratch rows start this many doubles apart beyond BLOCK_ROWS, so that
    # rows read and written in one loop do not share their low 12 address bits (4K
    # aliasing stalls the loads behind the stores).
    _ROW_PAD = 8
    float_from_bits = lazy_intrinsic(_build_float_from_bits)

    @njit(cache=True, fastmath={"contract"})
    def _reduce_ln2(x, n):  # pragma: no cover
        # Without "reassoc": LLVM would otherwise merge the two halves of ln 2 into one
        # constant and lose the digits they keep (errors up to 2e-15 near x = -100).
        return (x - n * LN2_HI) - n * LN2_LO

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def exp_nonpositive(x):  # pragma: no cover
        """e**x for x <= 0 without libm, so that LLVM can vectorise the loop around it.

        Range reduction x = n ln2 + t, a polynomial for e**t, and 2**n written straight
        into the exponent bits. Within 3e-16 relative of the exact value; 0 below EXP_FLOOR.
        """
        keep = x > EXP_FLOOR
        x = max(x, EXP_FLOOR)
        n = np.floor(x * LOG2E + 0.5)
        t = _reduce_ln2(x, n)
        p = EXP_COEFFS[0]
        for j in range(1, EXP_COEFFS.shape[0]):
            p = p * t + EXP_COEFFS[j]
        p *= float_from_bits((np.int64(n) + 1023) << 52)
        return p if keep else 0.0

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def load_block(X, start, n, xs):  # pragma: no cover
        """xs[j, r] = X[start + r, j] for the block's n rows (features become rows)."""
        for r in range(n):
            for j in range(X.shape[1]):
                xs[j, r] = X[start + r, j]

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def block_log_probs(X, start, n, means, prec_chol, log_norm, xs, lp, acc):  # pragma: no cover
        """Fill xs[:, :n] with the block's coordinates and lp[:, :n] with log wₖ N(x|k)."""
        n_components, n_features = means.shape
        load_block(X, start, n, xs)
        for k in range(n_components):
            for r in range(n):
                lp[k, r] = 0.0
            for j in range(n_features):
                for r in range(n):
                    acc[r] = 0.0
                for m in range(j + 1):  # P is upper triangular: column j uses rows 0..j
                    p = prec_chol[k, m, j]
                    mu = means[k, m]
                    for r in range(n):
                        acc[r] += (xs[m, r] - mu) * p
                for r in range(n):
                    lp[k, r] += acc[r] * acc[r]
            c = log_norm[k]
            for r in range(n):
                lp[k, r] = c - 0.5 * lp[k, r]

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def _centre(xs, n, means, k, n_features, diff):  # pragma: no cover
        for m in range(n_features):
            mu = means[k, m]
            for r in range(n):
                diff[m, r] = xs[m, r] - mu

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def _row_log_prob(xs, diff, r, means, prec_chol, k, c, fixed):  # pragma: no cover
        # One row's log wₖ N(x|k) with all loops of constant length: LLVM unrolls them and
        # vectorises the caller's loop over rows. Up to INLINE_CENTRE features the row is
        # centred here (LLVM merges the repeats); beyond, the unrolled body grows too large
        # for that and reads the centred block ``diff`` instead.
        total = 0.0
        for j in range(fixed):
            y = 0.0
            for m in range(j + 1):  # P is upper triangular
                if fixed <= INLINE_CENTRE:
                    y += (xs[m, r] - means[k, m]) * prec_chol[k, m, j]
                else:
                    y += diff[m, r] * prec_chol[k, m, j]
            total += y * y
        return c - 0.5 * total

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def block_log_probs_max(
        xs, n, means, prec_chol, log_norm, fixed, diff, col, ys, lp, row_max
    ):  # pragma: no cover
        """lp[:, :n] = log wₖ N(x|k) of the block in ``xs``, and row_max[:n] their maxima.

        ``fixed`` is the number of features when the caller was compiled for it (0 when
        not): each row's triangular product then stays in registers. Otherwise the product
        runs column by column over the rows, through the scratch ``diff`` (d, B), ``col``
        and ``ys`` (B,).
        """
        n_components, n_features = means.shape
        for k in range(n_components):
            c = log_norm[k]
            if fixed > INLINE_CENTRE:
                _centre(xs, n, means, k, n_features, diff)
            if fixed and k == 0:
                for r in range(n):
                    v = _row_log_prob(xs, diff, r, means, prec_chol, k, c, fixed)
                    lp[k, r] = v
                    row_max[r] = v
                continue
            if fixed:
                for r in range(n):
                    v = _row_log_prob(xs, diff, r, means, prec_chol, k, c, fixed)
                    lp[k, r] = v
                    row_max[r] = max(row_max[r], v)
                continue
            _centre(xs, n, means, k, n_features, diff)
            p = prec_chol[k, 0, 0]
            for r in range(n):
                y = diff[0, r] * p
                ys[r] = y * y
            for j in range(1, n_features):
                p = prec_chol[k, 0, j]
                for r in range(n):
                    col[r] = diff[0, r] * p
                for m in range(1, j + 1):
                    p = prec_chol[k, m, j]
                    for r in range(n):
                        col[r] += diff[m, r] * p
                for r in range(n):
                    ys[r] += col[r] * col[r]
            if k == 0:
                for r in range(n):
                    v = c - 0.5 * ys[r]
                    lp[k, r] = v
                    row_max[r] = v
            else:
                for r in range(n):
                    v = c - 0.5 * ys[r]
                    lp[k, r] = v
                    row_max[r] = max(row_max[r], v)

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def _moments_2d(xs, n, means, k, lp, inv_sum, resp_sum, first, second):  # pragma: no cover
        # Two features: the total, both first moments and the three second ones in a
        # single pass over the rows, every sum in a register.
        mu0 = means[k, 0]
        mu1 = means[k, 1]
        total = 0.0
        f0 = 0.0
        f1 = 0.0
        s00 = 0.0
        s01 = 0.0
        s11 = 0.0
        for r in range(n):
            w = lp[k, r] * inv_sum[r]
            t0 = xs[0, r] - mu0
            t1 = xs[1, r] - mu1
            a0 = w * t0
            a1 = w * t1
            total += w
            f0 += a0
            f1 += a1
            s00 += a0 * t0
            s01 += a0 * t1
            s11 += a1 * t1
        resp_sum[k] = total
        first[k, 0] = f0
        first[k, 1] = f1
        second[k, 0, 0] = s00
        second[k, 0, 1] = s01
        second[k, 1, 1] = s11

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def block_exp_sums(lp, n, row_max, inv_sum, live):  # pragma: no cover
        """lp[k, :n] = exp(lp - row_max) for the live components; returns the block's
        log-likelihood sum.

        live[k] is False when every row of the block gives component k less than
        exp(EXP_FLOOR) of its best term: its responsibilities are all exactly 0 and it is
        skipped here and by the moments. inv_sum[:n] = 1 / Σₖ exp(lp - row_max).
        """
        n_components = lp.shape[0]
        for k in range(n_components):
            count = 0.0  # a sum, not a flag: LLVM vectorises it
            for r in range(n):
                count += 1.0 if lp[k, r] - row_max[r] > EXP_FLOOR else 0.0
            live[k] = count > 0.0
        for r in range(n):
            inv_sum[r] = 0.0
        for k in range(n_components):
            if not live[k]:
                continue
            for r in range(n):
                e = exp_nonpositive(lp[k, r] - row_max[r])
                lp[k, r] = e
                inv_sum[r] += e
        block_ll = 0.0
        for r in range(n):
            block_ll += row_max[r] + np.log(inv_sum[r])
            inv_sum[r] = 1.0 / inv_sum[r]
        return block_ll

    @njit(cache=True, fastmath=FASTMATH, inline="always")
    def block_responsibilities(lp, n, row_max, inv_sum, live):  # pragma: no cover
        """Turn the block's log-densities lp[:, :n] into responsibilities in place.

        Row-wise log-sum-exp over the components; returns the block's log-likelihood sum.
        Rows of components that are not ``live`` (see :func:`block_exp_sums`) are left as
        they were: their responsibilities are 0. ``row_max`` and ``inv_sum`` (B,) are scratch.
        """
        n_components = lp.shape[0]
        for r in range(n):
            row_max[r] = lp[0, r]
        for k in range(1, n_components):
            for r in range(n):
                row_max[r] = max(row_max[r], lp[k, r])
        block_ll = block_exp_sums(lp, n, row_max, inv_sum, live)
        for k in range(n_components):
            if live[k]:
                for r in range(n):
                    lp[k, r] *= inv_sum[r]
        return block_ll

    def _estep_kernel_source(fixed):
        """The fused E-step kernel, compiled for ``fixed`` features (0: any number)."""

        @njit(parallel=True, cache=True, nogil=True, fastmath=FASTMATH)
        def estep_kernel(X, means, prec_chol, log_norm):  # pragma: no cover
            n_samples = X.shape[0]
            n_features = fixed if fixed else X.shape[1]
            n_components = means.shape[0]
            padded = n_features + (n_features & 1)  # the scatter runs over pairs of features
            width = BLOCK_ROWS + _ROW_PAD
            n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
            ll = np.zeros(n_blocks)
            resp_sum = np.zeros((n_blocks, n_components))
            first = np.zeros((n_blocks, n_components, n_features))
            second = np.zeros((n_blocks, n_components, n_features, n_features))
            for b in prange(n_blocks):
                start = b * BLOCK_ROWS
                n = min(n_samples, start + BLOCK_ROWS) - start
                # one allocation per block, cut into rows that start _ROW_PAD apart
                rows = 3 * padded + n_components + 4
                buf = np.empty(rows * width + rows * _ROW_PAD)
                o = 0
                xs = buf[o : o + padded * width].reshape((padded, width))
                o += padded * width + _ROW_PAD
                diff = buf[o : o + padded * width].reshape((padded, width))
                o += padded * width + _ROW_PAD
                wdiff = buf[o : o + padded * width].reshape((padded, width))
                o += padded * width + _ROW_PAD
                lp = buf[o : o + n_components * width].reshape((n_components, width))
                o += n_components * width + _ROW_PAD
                ys = buf[o : o + BLOCK_ROWS]
                o += width + _ROW_PAD
                row_max = buf[o : o + BLOCK_ROWS]
                o += width + _ROW_PAD
                inv_sum = buf[o : o + BLOCK_ROWS]
                o += width + _ROW_PAD
                col = buf[o : o + BLOCK_ROWS]
                live = np.empty(n_components, dtype=np.bool_)
                load_block(X, start, n, xs)
                if padded > n_features:  # the pad row takes part in the scatter as zeros
                    for r in range(n):
                        diff[n_features, r] = 0.0
                        wdiff[n_features, r] = 0.0
                block_log_probs_max(
                    xs, n, means, prec_chol, log_norm, fixed, diff, col, ys, lp, row_max
                )
                ll[b] = block_exp_sums(lp, n, row_max, inv_sum, live)
                # responsibilities and their moments around each component's own mean
                for k in range(n_components):
                    if not live[k]:
                        continue  # all its responsibilities here are 0
                    if fixed == 2:
                        _moments_2d(xs, n, means, k, lp, inv_sum, resp_sum[b], first[b], second[b])
                        continue
                    total = 0.0
                    for r in range(n):
                        w = lp[k, r] * inv_sum[r]
                        lp[k, r] = w
                        total += w
                    resp_sum[b, k] = total
                    for j in range(n_features):
                        mu = means[k, j]
                        f = 0.0
                        for r in range(n):
                            t = xs[j, r] - mu
                            diff[j, r] = t
                            w = lp[k, r] * t
                            wdiff[j, r] = w
                            f += w
                        first[b, k, j] = f
                    # upper triangle in 2x2 tiles: four sums per pass over the rows, one
                    # load per multiply-add
                    for j in range(0, n_features, 2):
                        for m in range(j, n_features, 2):
                            s00 = 0.0
                            s01 = 0.0
                            s10 = 0.0
                            s11 = 0.0
                            for r in range(n):
                                a0 = wdiff[j, r]
                                a1 = wdiff[j + 1, r]
                                c0 = diff[m, r]
                                c1 = diff[m + 1, r]
                                s00 += a0 * c0
                                s01 += a0 * c1
                                s10 += a1 * c0
                                s11 += a1 * c1
                            second[b, k, j, m] = s00
                            if m + 1 < n_features:
                                second[b, k, j, m + 1] = s01
                                second[b, k, j + 1, m + 1] = s11
                            if m > j:
                                second[b, k, j + 1, m] = s10
            return ll, resp_sum, first, second

        return estep_kernel

    _estep_kernels: dict = {}
    # Feature counts whose kernel is compiled in this process, and those being compiled in
    # the background (see _kernel_now).
    _ready: set = set()
    _compiling: set = set()

    def _estep_kernel(n_features: int, specialise: bool = True):
        """The E-step kernel for this many features (the general one when not
        ``specialise``), made on first use and kept."""
        fixed = n_features if specialise and 2 <= n_features <= MAX_FIXED_FEATURES else 0
        kernel = _estep_kernels.get(fixed)
        if kernel is None:
            kernel = _estep_kernels.setdefault(fixed, _estep_kernel_source(fixed))
        return kernel

    def _compile_in_background(n_features: int) -> None:
        def work() -> None:
            numba = numba_module()
            dummies = (np.zeros((1, n_features)), np.zeros((1, n_features)),
                       np.zeros((1, n_features, n_features)), np.zeros(1))  # fmt: skip
            signature = tuple(numba.typeof(a) for a in dummies)
            # compiling (or loading numba's cache) runs nothing: no KERNEL_LOCK needed
            _estep_kernel(n_features).dispatcher().compile(signature)
            _ready.add(n_features)

        name = f"gmmviz-compile-estep-{n_features}"
        threading.Thread(target=work, name=name, daemon=True).start()

    def _kernel_now(n_features: int):
        """The kernel to run now. In the app (a warm-up was started), a feature count met
        for the first time has its own kernel compiled in the background, a few seconds,
        while the general one serves: the same numbers to rounding, as numpy serves during
        the start-up warm-up. A script compiles it at once, so its runs are reproducible."""
        fixed = 2 <= n_features <= MAX_FIXED_FEATURES
        if fixed and n_features not in _ready and warm_up_started():
            if n_features not in _compiling:
                _compiling.add(n_features)
                _compile_in_background(n_features)
            return _estep_kernel(n_features, specialise=False)
        return _estep_kernel(n_features)

    def _estep_stats_numba(X, means, prec_chol, log_norm):
        """Per-block partial sums ``(ll, resp_sum, first, second)`` of the fused kernel."""
        return _kernel_now(X.shape[1])(X, means, prec_chol, log_norm)

    @njit(parallel=True, cache=True, nogil=True, fastmath=FASTMATH)
    def _weighted_log_prob_numba(X, means, prec_chol, log_norm):  # pragma: no cover
        n_samples, n_features = X.shape
        n_components = means.shape[0]
        out = np.empty((n_samples, n_components))
        n_blocks = (n_samples + BLOCK_ROWS - 1) // BLOCK_ROWS
        for b in prange(n_blocks):
            start = b * BLOCK_ROWS
            n = min(n_samples, start + BLOCK_ROWS) - start
            xs = np.empty((n_features, BLOCK_ROWS))
            lp = np.empty((n_components, BLOCK_ROWS))
            acc = np.empty(BLOCK_ROWS)
            block_log_probs(X, start, n, means, prec_chol, log_norm, xs, lp, acc)
            for r in range(n):
                for k in range(n_components):
                    out[start + r, k] = lp[k, r]
        return out


def kernels_compiled(backend: str | None = None) -> bool:
    """Whether ``backend`` runs the compiled kernels (numba installed, ready and asked for)."""
    return njit is not None and resolve_backend(backend) == "numba"


def estep_stats(
    X: np.ndarray,
    means: np.ndarray,
    prec_chol: np.ndarray,
    log_norm: np.ndarray,
    backend: str | None = None,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """E-step and sufficient statistics in one pass, accumulated around ``means``.

    Parameters
    ----------
    X : ndarray of shape (N, d), float64, C-contiguous
    means : ndarray of shape (K, d)
    prec_chol : ndarray of shape (K, d, d), upper triangular
    log_norm : ndarray of shape (K,)
    backend : {'numba', 'numpy'}, optional

    Returns
    -------
    log_likelihood_sum : float
        ``Σᵢ log Σₖ wₖ N(xᵢ | μₖ, Σₖ)``.
    resp_sum : ndarray of shape (K,)
    first : ndarray of shape (K, d)
        ``Σᵢ rᵢₖ (xᵢ - μₖ)``.
    second : ndarray of shape (K, d, d)
        ``Σᵢ rᵢₖ (xᵢ - μₖ)(xᵢ - μₖ)ᵀ``.
    """
    if resolve_backend(backend) == "numpy":
        return _estep_stats_numpy(X, means, prec_chol, log_norm)
    with KERNEL_LOCK:
        ll, resp_sum, first, second = _estep_stats_numba(X, means, prec_chol, log_norm)
    # Block partials summed in a fixed order: the result does not depend on thread timing.
    second = second.sum(axis=0)
    upper = np.triu_indices(means.shape[1], 1)
    for s in second:
        s[upper[1], upper[0]] = s[upper]
    return float(ll.sum()), resp_sum.sum(axis=0), first.sum(axis=0), second


def weighted_log_prob(
    X: np.ndarray,
    means: np.ndarray,
    prec_chol: np.ndarray,
    log_norm: np.ndarray,
    backend: str | None = None,
) -> np.ndarray:
    """``log wₖ + log N(xᵢ | μₖ, Σₖ)`` for every point and component.

    Returns
    -------
    ndarray of shape (N, K)
    """
    if resolve_backend(backend) == "numpy":
        return _weighted_log_prob_numpy(X, means, prec_chol, log_norm)
    with KERNEL_LOCK:
        return _weighted_log_prob_numba(X, means, prec_chol, log_norm)


def log_sum_exp_rows(wlp: np.ndarray) -> np.ndarray:
    """Stable ``log Σₖ exp(wlp[i, k])`` per row; shape (N,)."""
    return _log_sum_exp_rows(wlp)


@register_warm_up
def _warm_up() -> None:
    if njit is None:
        return
    # the general kernel (one feature) and the two-feature one (the lecture's data)
    for n_features in (1, 2):
        X = np.random.default_rng(0).normal(size=(64, n_features))
        means = np.ascontiguousarray(X[:3])
        prec = np.ascontiguousarray(
            np.broadcast_to(np.eye(n_features), (3, n_features, n_features))
        )
        log_norm = np.full(3, -math.log(3.0))
        with KERNEL_LOCK:
            _estep_kernel(n_features)(X, means, prec, log_norm)
        _ready.add(n_features)
    weighted_log_prob(X, means, prec, log_norm, "numba")
