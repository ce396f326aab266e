"""Colours of the app: one qualitative palette for labels and components, one colour map.

Plain numpy (no Qt), so that the worker thread can colour points with the same tables the
widgets use for legends and colour bars.
"""

from __future__ import annotations

import colorsys

import numpy as np

# matplotlib's tab10 without its grey (grey reads as "unassigned"), then tab20's light tones.
_BASE = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (188, 189, 34), (23, 190, 207),
    (174, 199, 232), (255, 187, 120), (152, 223, 138), (255, 152, 150), (197, 176, 213),
    (196, 156, 148), (247, 182, 210), (219, 219, 141), (158, 218, 229),
]  # fmt: skip

MAX_COLOURS = 64


def _extended(n: int) -> np.ndarray:
    """``_BASE`` followed by well-spread hues (golden-ratio steps) up to ``n`` colours."""
    colours = list(_BASE)
    hue = 0.11
    i = 0
    while len(colours) < n:
        hue = (hue + 0.618033988749895) % 1.0
        sat = (0.75, 0.55, 0.9)[i % 3]
        val = (0.8, 0.65, 0.95)[(i // 3) % 3]
        r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
        colours.append((round(r * 255), round(g * 255), round(b * 255)))
        i += 1
    return np.array(colours[:n], dtype=np.uint8)


#: Qualitative palette, shape (MAX_COLOURS, 3), uint8: colour k of component or class k.
LABELS: np.ndarray = _extended(MAX_COLOURS)
LABELS.flags.writeable = False

#: matplotlib's viridis at nine evenly spaced positions (enough for a linear interpolation
#: that is indistinguishable by eye).
_VIRIDIS_KNOTS = np.array(
    [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ],
    dtype=np.float64,
)  # fmt: skip
VIRIDIS_POSITIONS: np.ndarray = np.linspace(0.0, 1.0, len(_VIRIDIS_KNOTS))
VIRIDIS_KNOTS: np.ndarray = _VIRIDIS_KNOTS.astype(np.uint8)


def viridis(n: int = 256) -> np.ndarray:
    """The colour map for memberships, sampled at ``n`` points.

    Returns
    -------
    ndarray of shape (n, 3), uint8
        Row ``i`` is the colour of the value ``i / (n - 1)``.
    """
    t = np.linspace(0.0, 1.0, n)
    out = np.empty((n, 3))
    for c in range(3):
        out[:, c] = np.interp(t, VIRIDIS_POSITIONS, _VIRIDIS_KNOTS[:, c])
    return np.round(out).astype(np.uint8)


def label_colours(n: int) -> np.ndarray:
    """Colours of labels ``0 .. n - 1``; shape (n, 3), uint8 (cycles past MAX_COLOURS)."""
    return LABELS[np.arange(n) % MAX_COLOURS]


def component_colours(n: int, slots: tuple[int, ...] = ()) -> np.ndarray:
    """Colours of a model's ``n`` components; shape (n, 3), uint8.

    ``slots[j]`` is the colour (label) index component ``j`` takes, so that a new run keeps
    the colours of the run before it; empty: component ``j`` takes colour ``j``.
    """
    if len(slots) != n:
        return label_colours(n)
    return LABELS[np.asarray(slots, dtype=np.int64) % MAX_COLOURS]


def hex_colour(rgb) -> str:
    """``#rrggbb`` of an RGB triple."""
    r, g, b = (int(v) for v in rgb[:3])
    return f"#{r:02x}{g:02x}{b:02x}"
