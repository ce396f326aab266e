"""The scene: everything the canvas draws for (snapshot or none, view request, projection).

:class:`SceneRenderer` runs on a worker thread. For every point it needs one colour — its
true class, its hard EM label, the blend of the component colours weighted by its
responsibilities, or its membership in one component — computed in one fused pass over the
data (:func:`gmmviz.core.point_summary`; no N x K array is kept: at 1M points and K=16 that
would be 128 MB per frame), then packed as markers or a raster (:mod:`gmmviz.scene.raster`).
The model's ellipses and means come from :func:`gmmviz.scene.ellipses.model_layer`, through
the same projection as the points. The canvas only sets the arrays of the :class:`Display`.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from gmmviz.core import PointSummary, point_summary
from gmmviz.core.diagnostics import collapsed_components, empty_components, smallest_variance
from gmmviz.core.gaussian import n_parameters
from gmmviz.core.metrics import adjusted_rand_index_from_table, contingency_table, match_table
from gmmviz.core.projection import Projection
from gmmviz.scene import palette
from gmmviz.scene.density import density_image
from gmmviz.scene.ellipses import model_layer
from gmmviz.scene.raster import (
    pack_markers,
    pixel_index,
    quantise_rgb,
    rasterise,
    rasterise_labels,
)
from gmmviz.scene.request import COLOUR_MODES, Display, FitMetrics, RasterImage, ViewRequest

#: Above this many points the canvas draws a raster instead of markers.
MARKER_LIMIT = 30_000


class SceneRenderer:
    """``render(snapshot or None, request) -> Display`` for one dataset, called on a worker.

    Parameters
    ----------
    X : ndarray of shape (N, d)
        The data EM runs on (responsibilities use every feature).
    y_true : ndarray of shape (N,) or None
        True classes, when known.
    projection : Projection, optional
        From the d features to the canvas's plane; the first two features by default.
    marker_limit : int
        Markers up to this many points, a raster above.
    """

    def __init__(
        self,
        X: np.ndarray,
        y_true: np.ndarray | None = None,
        projection: Projection | None = None,
        *,
        marker_limit: int = MARKER_LIMIT,
    ) -> None:
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.y_true = None if y_true is None else np.asarray(y_true)
        self.projection = projection or Projection.features(self.X.shape[1], 0, 1)
        self.view = np.ascontiguousarray(self.projection.points(self.X))
        self.use_markers = self.X.shape[0] <= marker_limit
        self._colour_key: tuple | None = None
        self._colours: PointSummary | None = None
        self._pix_key: tuple | None = None
        self._pix: np.ndarray | None = None
        self._true_codes: tuple[np.ndarray, np.ndarray] | None = None
        self._colours_of = None  # the params the cached pass belongs to (kept alive)
        self._variance: float | None = None

    @property
    def n_points(self) -> int:
        return self.X.shape[0]

    @functools.cached_property
    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The shown points' lowest and highest coordinates, ``(lo, hi)`` each of shape
        (2,), or None without points (computed once: a million points take a while)."""
        if self.view.shape[0] == 0:
            return None
        return self.view.min(axis=0), self.view.max(axis=0)

    def _true_labels(self) -> tuple[np.ndarray, np.ndarray]:
        """True classes as ``0..C-1`` codes and the original class values."""
        if self._true_codes is None:
            if self.y_true is None:
                self._true_codes = (np.zeros(self.n_points, dtype=np.int32), np.array([0]))
            else:
                values, codes = np.unique(self.y_true, return_inverse=True)
                self._true_codes = (codes.astype(np.int32).ravel(), values)
        return self._true_codes

    def colours_for(
        self, snapshot, component: int, labels_only: bool = False, slots: tuple[int, ...] = ()
    ) -> PointSummary:
        """The fused pass for ``snapshot``'s parameters (cached for the last one asked); an
        M half-step keeps the responsibilities of the E-step before it."""
        params = getattr(snapshot, "resp_params", None) or snapshot.params
        component = int(min(max(component, 0), params.n_components - 1))
        cached = self._colours
        reusable = (
            cached is not None
            and self._colours_of is params
            and (labels_only or (len(cached.member) and self._colour_key == (component, slots)))
        )
        if not reusable:
            table = palette.component_colours(params.n_components, slots)
            self._colours = point_summary(self.X, params, table, component, labels_only=labels_only)
            self._colour_key = (component, slots)
            self._colours_of = params
        return self._colours

    def flags_for(self, snapshot) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Collapsed and empty components of a snapshot (see :mod:`gmmviz.core.diagnostics`).

        Nothing is called collapsed at iteration 0: a start from random data points puts
        each component on one point with a ``reg_covar`` covariance by design (as
        scikit-learn's does), and EM has not run yet to keep or undo it.
        """
        if self._variance is None:
            self._variance = smallest_variance(self.X)
        params = snapshot.params
        collapsed = () if snapshot.iteration == 0 else collapsed_components(params, self._variance)
        return tuple(collapsed), tuple(empty_components(params, len(self.X)))

    def metrics_for(self, snapshot) -> FitMetrics:
        """Scores of a snapshot; the agreement with the true labels uses the hard labels of
        the fused pass (cached with the colours)."""
        params = snapshot.params
        n, d = self.X.shape
        p = n_parameters(params.covariance_type, params.n_components, d)
        ll = float(snapshot.log_likelihood)
        extra: dict = {}
        if self.y_true is not None and n:
            # one bincount over the cached class codes: no sort of N labels per frame
            labels = self.colours_for(snapshot, 0, labels_only=True).labels
            codes, classes = self._true_labels()
            table = contingency_table(codes, labels, (len(classes), params.n_components))
            confusion, order, _ = match_table(table)
            extra = {
                "ari": adjusted_rand_index_from_table(table),
                "confusion": confusion,
                "classes": tuple(classes.tolist()),
                "components": tuple(order),
            }
        return FitMetrics(
            log_likelihood=ll,
            bic=-2.0 * ll * n + p * math.log(n),
            aic=-2.0 * ll * n + 2.0 * p,
            n_parameters=p,
            iteration=int(snapshot.iteration),
            converged=bool(snapshot.converged),
            **extra,
        )

    def __call__(self, snapshot, request: ViewRequest) -> Display:
        mode = request.colour_by
        if mode not in COLOUR_MODES:
            raise ValueError(f"unknown colour mode {mode!r}")
        if snapshot is None and mode != "true":
            mode = "true"
        n_comp = 0 if snapshot is None else snapshot.params.n_components
        iteration = None if snapshot is None else snapshot.iteration
        model = density = metrics = None
        if snapshot is not None:
            flags = self.flags_for(snapshot)
            model = model_layer(
                snapshot, self.projection, request.colour_by, request.colour_slots, flags
            )
            metrics = self.metrics_for(snapshot)
            if request.density_rect is not None:
                density = density_image(
                    snapshot.params, self.projection, request.density_rect, request.density_shape
                )

        index = table = rgb = None
        if mode == "true":
            index, _ = self._true_labels()
            table = palette.label_colours(int(index.max()) + 1 if index.size else 1)
            if self.y_true is None:
                table = np.array([[90, 90, 110]], dtype=np.uint8)
        else:
            slots = request.colour_slots
            pc = self.colours_for(snapshot, request.component, mode == "hard", slots)
            if mode == "hard":
                index, table = pc.labels, palette.component_colours(n_comp, slots)
            elif mode == "blend":
                if self.use_markers:
                    index, table = quantise_rgb(pc.blend)
                else:
                    rgb = pc.blend
            else:  # member
                cmap = palette.viridis(64)
                index = np.rint(np.clip(pc.member, 0, 1) * 63).astype(np.int32)
                table = cmap

        if self.use_markers or request.rect is None:
            markers = pack_markers(index, table)
            return Display(iteration, request, markers, None, model, density, snapshot, metrics)
        key = (request.rect, request.shape)
        if key != self._pix_key or self._pix is None:
            self._pix = pixel_index(self.view, request.rect, request.shape)
            self._pix_key = key
        if rgb is None:
            image = rasterise_labels(self._pix, index, table, request.shape)
        else:
            image = rasterise(self._pix, rgb, request.shape)
        raster = RasterImage(image, request.rect)
        return Display(iteration, request, None, raster, model, density, snapshot, metrics)
