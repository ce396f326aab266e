"""What the canvas draws, computed off the GUI thread (no Qt): requests, renderer, geometry."""

from gmmviz.scene.renderer import MARKER_LIMIT, SceneRenderer
from gmmviz.scene.request import (
    COLOUR_MODES,
    Display,
    MarkerColours,
    ModelLayer,
    RasterImage,
    ViewRequest,
)

__all__ = [
    "COLOUR_MODES",
    "MARKER_LIMIT",
    "Display",
    "MarkerColours",
    "ModelLayer",
    "RasterImage",
    "SceneRenderer",
    "ViewRequest",
]
