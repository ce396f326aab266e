"""The lecture's experiments as data: one :class:`Preset` per cell, applied to the app state.

Each preset names the lecture cell it reproduces (Lecture 13, "Code Implementation of GMMs
with the EM Algorithm"), the dataset and model settings of that cell, and one sentence on
what to look for. Where the lecture left ``random_state`` unset, the preset names the seed
it uses. The lecture's ``'random'`` initialisation draws the means from the data points
(``means_init = X[random indices]``): that is ``random_from_data`` here, not scikit-learn's
``'random'`` (random responsibilities, which puts every mean near the centre).
"""

from __future__ import annotations

from dataclasses import dataclass

from gmmviz.app.settings import ModelSettings
from gmmviz.app.state import AppState
from gmmviz.core.datasets import DatasetSpec


@dataclass(frozen=True)
class Preset:
    """One experiment of the lecture.

    Attributes
    ----------
    name : str
        Command-line name (``gmmviz --preset NAME``).
    title : str
        Menu text.
    cell : str
        The lecture cell it reproduces, as written there.
    hint : str
        One sentence: what to look for.
    dataset : DatasetSpec
    model : ModelSettings
    colour_by : str
        How the points are coloured.
    show_density : bool
        Show the fitted log-density (the mixture as a density model).
    sample : int
        Points to draw from the fitted mixture once EM has converged (0: none).
    """

    name: str
    title: str
    cell: str
    hint: str
    dataset: DatasetSpec
    model: ModelSettings
    colour_by: str = "hard"
    show_density: bool = False
    sample: int = 0


def _blobs_model(k: int, init: str = "kmeans", cov: str = "full") -> ModelSettings:
    return ModelSettings(n_components=k, covariance_type=cov, init_params=init, seed=0)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "moons-k2",
            "Moons, K = 2: a mixture as a clusterer",
            "In [5]: GaussianMixture(n_components=2, covariance_type='full', random_state=0)"
            " on make_moons(200, noise=.05, random_state=0)",
            "Two Gaussians cannot follow the curved moons: each ellipse covers the ends of "
            "both moons and the labels cut across them.",
            DatasetSpec("moons", 200, 0.05, 0),
            ModelSettings(n_components=2, covariance_type="full", seed=0),
        ),
        Preset(
            "moons-density",
            "Moons, K = 16: a mixture as a density, then 400 samples",
            "In [6]-[7]: GaussianMixture(n_components=16, random_state=0).fit(Xmoon), then "
            "GMM16.sample(400)",
            "Sixteen components model the density rather than the clusters: the heat map "
            "follows both moons, and points drawn from it look like new moons.",
            DatasetSpec("moons", 200, 0.05, 0),
            ModelSettings(n_components=16, covariance_type="full", seed=0),
            colour_by="true",
            show_density=True,
            sample=400,
        ),
        Preset(
            "blobs-random-diag",
            "Blobs, K = 3, random means, diagonal covariances",
            "In [12]: GMM_predict_plot(X1, T1, 3, 'random', 'diag')",
            "Starting from three data points, EM finds the three round blobs; diagonal "
            "covariances are enough because the blobs are axis-aligned.",
            DatasetSpec("blobs", 1500, 1.0, 0),
            _blobs_model(3, "random_from_data", "diag"),
        ),
        Preset(
            "varied",
            "Blobs of different spreads, K = 3",
            "In [13]: GMM_predict_plot(X2, T2, 3)",
            "Full covariances let each component take its own spread (std 1, 2.5 and 0.5), "
            "which k-means cannot.",
            DatasetSpec("varied", 1500, 1.0, 0),
            _blobs_model(3),
        ),
        Preset(
            "moons-1500",
            "Moons, K = 2, 1,500 points",
            "In [14]: GMM_predict_plot(X3, T3, 2)",
            "With more points the picture is clearer: two ellipses split the moons left and "
            "right, not along their shapes; the memberships show where they overlap.",
            DatasetSpec("moons", 1500, 0.05, 0),
            _blobs_model(2),
        ),
        Preset(
            "circles",
            "Circles, K = 2",
            "In [15]: GMM_predict_plot(X4, T4, 2)",
            "Both Gaussians sit near the centre: a mixture of two cannot separate nested "
            "rings, whatever the start.",
            DatasetSpec("circles", 1500, 0.05, 0),
            _blobs_model(2),
        ),
        Preset(
            "anisotropic-random-diag",
            "Anisotropic blobs, K = 3, random means, diagonal covariances",
            "In [16]: GMM_predict_plot(X5, T5, 3, 'random', 'diag')",
            "Diagonal covariances cannot tilt: the stretched blobs are cut badly. Switch to "
            "full covariances and press Reset to see the difference.",
            DatasetSpec("anisotropic", 1500, 1.0, 0),
            _blobs_model(3, "random_from_data", "diag"),
        ),
        Preset(
            "imbalanced-random",
            "Imbalanced blobs (500/100/10), K = 3, random means",
            "In [20]: GMM_predict_plot(X6, T6, 3, 'random')",
            "The 10-point cluster is easy to lose: watch its weight, and try other seeds.",
            DatasetSpec("imbalanced", 610, 1.0, 0),
            _blobs_model(3, "random_from_data"),
        ),
    )
}


def preset(name: str) -> Preset:
    """The preset called ``name`` (a ``ValueError`` lists the names otherwise)."""
    try:
        return PRESETS[name]
    except KeyError:
        names = ", ".join(PRESETS)
        raise ValueError(f"unknown preset {name!r}; choose one of {names}") from None


def apply_preset(state: AppState, p: Preset) -> None:
    """Put a preset's dataset, model and view settings into the app state."""
    state.set_dataset(p.dataset)
    state.set_model(p.model)
    state.set_view(colour_by=p.colour_by, show_density=p.show_density)
