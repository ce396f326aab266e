"""gmmviz: watch the EM algorithm fit a Gaussian mixture model, step by step."""

from gmmviz.core.mixture import GaussianMixture

__all__ = ["GaussianMixture"]
__version__ = "0.1.0"
