"""Comparing partitions and matching components: ARI, matched confusion, stable colours.

* :func:`adjusted_rand_index` — agreement of two labelings, corrected for chance (1 for the
  same partition whatever the label names, about 0 for independent ones);
* :func:`matched_confusion` — the confusion matrix of true classes against fitted
  components, with components matched to classes by the Hungarian assignment;
* :func:`match_components` — which previous component each new component continues, by the
  Hungarian assignment on the distances between means, so colours can stay put from run to
  run.

Labels are compared as values, never as positions: component 2 need not mean class 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["adjusted_rand_index", "match_components", "matched_confusion"]


def _label_pair(labels_true: Any, labels_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both labelings as 1-D arrays of the same length (``ValueError`` otherwise)."""
    true = np.asarray(labels_true)
    pred = np.asarray(labels_pred)
    for name, labels in (("labels_true", true), ("labels_pred", pred)):
        if labels.ndim != 1:
            raise ValueError(f"{name} must be 1-D; got shape {labels.shape}")
    if true.shape[0] != pred.shape[0]:
        raise ValueError(
            f"labels_true and labels_pred must have the same length; "
            f"got {true.shape[0]} and {pred.shape[0]}"
        )
    return true, pred


def _contingency_cells(
    true: np.ndarray, pred: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The non-zero cells of the contingency table, without building it densely.

    Returns
    -------
    classes : ndarray of shape (C,)
        Sorted distinct values of ``true``.
    components : ndarray of shape (K,)
        Sorted distinct values of ``pred``.
    rows, cols : ndarray of shape (M,), int
        Class and component index of each non-zero cell.
    counts : ndarray of shape (M,), int64
        Number of points in each cell.
    """
    classes, true_codes = np.unique(true, return_inverse=True)
    components, pred_codes = np.unique(pred, return_inverse=True)
    true_codes = true_codes.reshape(-1).astype(np.int64)
    pred_codes = pred_codes.reshape(-1).astype(np.int64)
    cells, counts = np.unique(true_codes * len(components) + pred_codes, return_counts=True)
    rows, cols = np.divmod(cells, max(len(components), 1))
    return classes, components, rows, cols, counts.astype(np.int64)


def adjusted_rand_index(labels_true: Any, labels_pred: Any) -> float:
    """Adjusted Rand index of two labelings of the same points (scikit-learn's ARI).

    The Rand index counts the pairs of points on which the two labelings agree (same group
    in both, or different groups in both); the adjustment subtracts its expected value
    under random labelings with the same group sizes. Label values are arbitrary: any
    renaming of the groups gives the same index.

    Parameters
    ----------
    labels_true : array-like of shape (N,)
        Reference labels (any hashable, sortable values: ints or strings).
    labels_pred : array-like of shape (N,)
        Labels to compare, e.g. the components of :meth:`GaussianMixture.predict`.

    Returns
    -------
    float
        1.0 for the same partition; about 0.0 for independent labelings; negative when the
        agreement is worse than chance (bounded below by -0.5). 1.0 when both labelings put
        every point in one group, or every point in its own group (and for N <= 1).

    Raises
    ------
    ValueError
        If the labelings are not 1-D or differ in length.
    """
    true, pred = _label_pair(labels_true, labels_pred)
    _, _, rows, cols, counts = _contingency_cells(true, pred)
    return _ari_from_cells(true.shape[0], rows, cols, counts)


def contingency_table(true_codes: np.ndarray, pred_codes: np.ndarray, shape) -> np.ndarray:
    """Points per (class, component) from integer codes, in one ``bincount`` (no sort).

    Parameters
    ----------
    true_codes : ndarray of shape (N,), int in 0..C-1
    pred_codes : ndarray of shape (N,), int in 0..K-1
    shape : (C, K)

    Returns
    -------
    ndarray of shape (C, K), int64
    """
    n_classes, n_components = shape
    flat = np.asarray(true_codes, np.int64) * n_components + np.asarray(pred_codes, np.int64)
    counts = np.bincount(flat, minlength=n_classes * n_components)
    return counts.reshape(n_classes, n_components).astype(np.int64)


def adjusted_rand_index_from_table(table: np.ndarray) -> float:
    """:func:`adjusted_rand_index` of the labelings a contingency table (C, K) counts."""
    table = np.asarray(table, dtype=np.int64)
    rows, cols = np.nonzero(table)
    return _ari_from_cells(int(table.sum()), rows, cols, table[rows, cols])


def _ari_from_cells(n: int, rows, cols, counts) -> float:
    # Pair counts as Python ints: no overflow for any N.
    n_class = np.bincount(rows, weights=counts).astype(np.int64)  # class sizes (C,)
    n_comp = np.bincount(cols, weights=counts).astype(np.int64)  # component sizes (K,)
    sum_squares = int(np.dot(counts, counts))
    same_both = sum_squares - n  # ordered pairs together in both (scikit-learn's C[1, 1])
    same_pred = int(np.dot(counts, n_comp[cols])) - sum_squares  # together in pred only
    same_true = int(np.dot(counts, n_class[rows])) - sum_squares  # together in true only
    apart_both = n * n - same_pred - same_true - sum_squares
    if same_pred == 0 and same_true == 0:
        return 1.0
    numerator = 2.0 * (same_both * apart_both - same_true * same_pred)
    denominator = (same_both + same_true) * (same_true + apart_both) + (same_both + same_pred) * (
        same_pred + apart_both
    )
    return float(numerator / denominator)


def matched_confusion(labels_true: Any, labels_pred: Any) -> tuple[np.ndarray, dict[Any, Any]]:
    """Confusion matrix of classes against components matched by the Hungarian assignment.

    Each class is paired with at most one component and each component with at most one
    class so that the number of points on matched pairs is as large as possible
    (``scipy.optimize.linear_sum_assignment`` on the contingency table). With K components
    and C classes, ``min(K, C)`` pairs are matched; the other components (K > C) or classes
    (K < C) stay unmatched.

    Parameters
    ----------
    labels_true : array-like of shape (N,)
        True classes (any sortable values).
    labels_pred : array-like of shape (N,)
        Components (any sortable values).

    Returns
    -------
    matrix : ndarray of shape (C, K), int64
        ``matrix[i, j]`` is the number of points of the ``i``-th class (classes in sorted
        order, ``np.unique(labels_true)``) given the component of column ``j``. Columns are
        the components in the order of ``mapping``: matched components first, sorted by
        their class, then unmatched components in sorted order. With K >= C the matched
        pairs are the diagonal, so ``np.trace(matrix) / N`` is the matched accuracy.
    mapping : dict
        Component label -> matched class label, or None for an unmatched component; in
        column order (``list(mapping)[j]`` is the component of column ``j``).

    Raises
    ------
    ValueError
        If the labelings are not 1-D or differ in length.
    """
    true, pred = _label_pair(labels_true, labels_pred)
    classes, components, rows, cols, counts = _contingency_cells(true, pred)
    table = np.zeros((len(classes), len(components)), dtype=np.int64)
    table[rows, cols] = counts
    matrix, order, matched = match_table(table)
    mapping = {
        components[j].item(): (classes[matched[j]].item() if j in matched else None) for j in order
    }
    return matrix, mapping


def match_table(table: np.ndarray) -> tuple[np.ndarray, list[int], dict[int, int]]:
    """Components matched to classes in a contingency table (Hungarian, most points).

    Parameters
    ----------
    table : ndarray of shape (C, K)

    Returns
    -------
    matrix : ndarray of shape (C, K)
        The columns reordered: matched components first, by their class, then the others.
    order : list of int
        The column order (component indices).
    matched : dict
        Component index -> class index, for the matched components.
    """
    from scipy.optimize import linear_sum_assignment  # not at import: app start time

    class_idx, comp_idx = linear_sum_assignment(table, maximize=True)
    matched = dict(zip(comp_idx.tolist(), class_idx.tolist(), strict=True))
    order = sorted(matched, key=matched.__getitem__)
    order += [j for j in range(table.shape[1]) if j not in matched]
    return table[:, order], order, matched


def match_components(previous_means: Any, new_means: Any) -> np.ndarray:
    """Which previous component each new component continues (for stable colours).

    New and previous components are paired so that the summed Euclidean distance between
    paired means is smallest (``scipy.optimize.linear_sum_assignment``).

    Parameters
    ----------
    previous_means : array-like of shape (K_prev, d)
    new_means : array-like of shape (K_new, d)

    Returns
    -------
    permutation : ndarray of shape (K_new,), int
        ``permutation[j]`` is the place (colour index) new component ``j`` takes: the
        previous component it is matched to, or, for the ``K_new - K_prev`` unmatched
        new components when K_new > K_prev, ``K_prev, K_prev + 1, ...`` in index order.
        The entries are distinct; with K_new == K_prev they are a permutation of
        ``0..K-1`` and ``new_means[np.argsort(permutation)]`` lists the new means in the
        previous order. Colour new component ``j`` as previous component
        ``permutation[j]`` was coloured.

    Raises
    ------
    ValueError
        If the means are not 2-D with the same number of columns, or hold NaN or inf.
    """
    previous = np.asarray(previous_means, dtype=np.float64)
    new = np.asarray(new_means, dtype=np.float64)
    for name, means in (("previous_means", previous), ("new_means", new)):
        if means.ndim != 2:
            raise ValueError(f"{name} must have shape (K, d); got {means.shape}")
        if not np.isfinite(means).all():
            raise ValueError(f"{name} must be finite")
    if previous.shape[1] != new.shape[1]:
        raise ValueError(
            f"previous_means and new_means must have the same number of features; "
            f"got {previous.shape[1]} and {new.shape[1]}"
        )
    k_prev, k_new = previous.shape[0], new.shape[0]
    permutation = np.full(k_new, -1, dtype=np.int64)
    if k_prev and k_new:
        distances = np.sqrt(((new[:, None, :] - previous[None, :, :]) ** 2).sum(axis=2))
        from scipy.optimize import linear_sum_assignment  # not at import: app start time

        new_idx, prev_idx = linear_sum_assignment(distances)
        permutation[new_idx] = prev_idx
    unmatched = np.flatnonzero(permutation < 0)
    permutation[unmatched] = k_prev + np.arange(unmatched.size)
    return permutation
