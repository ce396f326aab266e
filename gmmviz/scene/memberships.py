"""The lecture's side-by-side figure: true labels, EM labels, and one membership map per
component, as small rasters of the same area (no Qt; computed off the GUI thread).

``GMM_predict_plot`` draws ``plt.scatter(X[:,0], X[:,1], c=prob[:,i])`` once per cluster;
here each panel is an image of the visible rectangle whose pixels average the values of the
points falling into them, so a million points cost the same as a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gmmviz.core import responsibilities
from gmmviz.scene import palette
from gmmviz.scene.raster import pixel_index, rasterise_labels

#: Rows of responsibilities computed at a time (bounded memory at 1M points x K).
CHUNK = 131_072


@dataclass(frozen=True, eq=False)
class MembershipPanels:
    """Small multiples of one snapshot.

    Attributes
    ----------
    iteration : int
    rect : tuple of 4 floats
        ``(x0, y0, x1, y1)`` every panel covers.
    true_labels : ndarray of shape (H, W, 4) or None
    em_labels : ndarray of shape (H, W, 4)
    memberships : ndarray of shape (K, H, W, 4)
        Component k's responsibility on the viridis scale (0 dark, 1 bright).
    """

    iteration: int
    rect: tuple[float, float, float, float]
    true_labels: np.ndarray | None
    em_labels: np.ndarray
    memberships: np.ndarray


def membership_panels(
    X: np.ndarray, view: np.ndarray, y_true: np.ndarray | None, snapshot,
    rect: tuple[float, float, float, float], shape: tuple[int, int],
) -> MembershipPanels:  # fmt: skip
    """Rasters of the true labels, the hard EM labels and every component's membership.

    Parameters
    ----------
    X : ndarray of shape (N, d)
        The data (responsibilities use every feature).
    view : ndarray of shape (N, 2)
        Where each point is drawn.
    y_true : ndarray of shape (N,) or None
    snapshot : EMStep
    rect : (x0, y0, x1, y1)
    shape : (height, width)
    """
    params = snapshot.params
    k = params.n_components
    height, width = shape
    size = height * width
    pix = pixel_index(view, rect, shape)
    inside = pix >= 0
    count = np.bincount(pix[inside], minlength=size).astype(np.float64)
    sums = np.zeros((k, size))
    labels = np.empty(X.shape[0], dtype=np.int32)
    for start in range(0, X.shape[0], CHUNK):
        stop = min(start + CHUNK, X.shape[0])
        resp = responsibilities(X[start:stop], params)  # (m, K), one chunk at a time
        labels[start:stop] = resp.argmax(axis=1)
        keep = inside[start:stop]
        for j in range(k):  # the mean membership of the points in each pixel
            sums[j] += np.bincount(pix[start:stop][keep], resp[keep, j], minlength=size)
    cmap = palette.viridis(256)
    hit = count > 0
    alpha = np.zeros(size)
    if hit.any():
        ref = max(float(np.percentile(count[hit], 90)), 1.0)
        alpha[hit] = 0.55 + 0.45 * np.sqrt(np.minimum(count[hit] / ref, 1.0))
    maps = np.zeros((k, size, 4), dtype=np.uint8)
    for j in range(k):
        level = np.rint(np.clip(sums[j, hit] / count[hit], 0, 1) * 255).astype(np.int64)
        maps[j, hit, :3] = cmap[level]
        maps[j, hit, 3] = np.floor(255 * alpha[hit] + 0.5).astype(np.uint8)
    true_image = None
    if y_true is not None:
        _, codes = np.unique(y_true, return_inverse=True)
        codes = codes.ravel().astype(np.int32)
        table = palette.label_colours(int(codes.max()) + 1 if codes.size else 1)
        true_image = rasterise_labels(pix, codes, table, shape)
    return MembershipPanels(
        iteration=int(snapshot.iteration),
        rect=tuple(float(v) for v in rect),
        true_labels=true_image,
        em_labels=rasterise_labels(pix, labels, palette.label_colours(k), shape),
        memberships=maps.reshape(k, height, width, 4),
    )
