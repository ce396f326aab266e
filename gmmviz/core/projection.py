"""A linear 2-D view of d-dimensional data: two features, or the first two principal axes.

The canvas draws a snapshot through a :class:`Projection` instead of raw columns: points
``(x - offset) W``, means likewise, covariances ``Wᵀ Σ W``; a drag in the plane is lifted
back to d dimensions by moving the mean along ``W`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _frozen(array, shape_name: str) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Projection:
    """``y = (x - offset) @ W``.

    Attributes
    ----------
    W : ndarray of shape (d, 2)
        Columns with orthonormal directions (feature axes or principal axes).
    offset : ndarray of shape (d,)
    names : tuple of 2 str
        Axis labels.
    """

    W: np.ndarray
    offset: np.ndarray
    names: tuple[str, str]

    def __post_init__(self) -> None:
        W = _frozen(self.W, "W")
        offset = _frozen(self.offset, "offset")
        if W.ndim != 2 or W.shape[1] != 2 or offset.shape != (W.shape[0],):
            raise ValueError(f"W must be (d, 2) and offset (d,); got {W.shape}, {offset.shape}")
        if len(self.names) != 2:
            raise ValueError(f"names must be two labels; got {self.names!r}")
        # frozen dataclass: store the read-only copies through object.__setattr__
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "offset", offset)
        object.__setattr__(self, "names", (str(self.names[0]), str(self.names[1])))

    @property
    def n_features(self) -> int:
        return self.W.shape[0]

    @classmethod
    def features(cls, d: int, i: int, j: int, names=None) -> Projection:
        """Features ``i`` and ``j`` of ``d`` as they are (no offset).

        ``Projection.features(2, 0, 1)`` is the identity on 2-D data.
        """
        if not (0 <= i < d and 0 <= j < d) or i == j:
            raise ValueError(f"need two distinct features in 0..{d - 1}; got {i}, {j}")
        W = np.zeros((d, 2))
        W[i, 0] = W[j, 1] = 1.0
        names = (f"x{i + 1}", f"x{j + 1}") if names is None else tuple(names)
        return cls(W, np.zeros(d), names)

    @classmethod
    def pca(cls, X, names=None, scaled: bool = False) -> Projection:
        """The first two principal axes of ``X`` (N, d), centred on its mean; with
        ``scaled``, of the standardised features (each divided by its standard deviation;
        the map stays linear: ``W = diag(1/σ) V``).

        Axis signs are fixed so that each axis's largest loading is positive (a stable
        picture from run to run). The default names say the share of the variance each
        axis holds: ``"PC1 (62%)"``.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 2:
            raise ValueError(f"PCA needs at least 2 points in >= 2 dimensions; got {X.shape}")
        centre = X.mean(axis=0)
        scale = np.ones(X.shape[1])
        if scaled:
            sd = X.std(axis=0)
            scale = np.where(sd > 0, sd, 1.0)
        _, s, vt = np.linalg.svd((X - centre) / scale, full_matrices=False)
        V = vt[:2].T.copy()
        signs = np.sign(V[np.abs(V).argmax(axis=0), [0, 1]])
        V *= np.where(signs == 0, 1.0, signs)
        share = s[:2] ** 2 / max(float((s**2).sum()), 1e-300)
        default = tuple(f"PC{i + 1} ({share[i]:.0%})" for i in range(2))
        return cls(V / scale[:, None], centre, default if names is None else tuple(names))

    def points(self, X) -> np.ndarray:
        """Projected points; (N, d) -> (N, 2)."""
        return (np.asarray(X, dtype=np.float64) - self.offset) @ self.W

    def means(self, means) -> np.ndarray:
        """Projected means; (K, d) -> (K, 2)."""
        return self.points(means)

    def covariances(self, full_cov) -> np.ndarray:
        """Covariances of the projected Gaussians, ``Wᵀ Σₖ W``; (K, d, d) -> (K, 2, 2)."""
        cov = np.asarray(full_cov, dtype=np.float64)
        return np.einsum("di,kde,ej->kij", self.W, cov, self.W)

    def lift(self, point2d, base_mean) -> np.ndarray:
        """The d-dimensional mean whose projection is ``point2d``, nearest ``base_mean``.

        Moves ``base_mean`` (d,) only within the plane of ``W`` (least-squares through the
        pseudo-inverse, exact for orthonormal columns), so the other coordinates keep
        their values.

        Returns
        -------
        ndarray of shape (d,)
        """
        base = np.asarray(base_mean, dtype=np.float64)
        delta2d = np.asarray(point2d, dtype=np.float64) - self.points(base)
        return base + np.linalg.pinv(self.W.T) @ delta2d
