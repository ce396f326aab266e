"""Every command-line option of ``gmmviz``, defined once (pip's ``cmdoptions`` principle).

An :class:`Option` holds the flags and the argparse settings; :meth:`Option.add_to` puts it on
a parser, with a per-command default when needed. Both the window command and ``gmmviz fit``
are built from these definitions, so a flag that both have means the same thing, parses the
same way (the same ``type`` object) and has the same bounds, taken from
:data:`gmmviz.app.settings.BOUNDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gmmviz.app.settings import BOUNDS
from gmmviz.core.datasets import DATASETS
from gmmviz.core.gaussian import COVARIANCE_TYPES
from gmmviz.core.init import INIT_METHODS

__all__ = ["Option", "bounded"]


def bounded(name: str) -> Callable[[str], int | float]:
    """argparse ``type``: the text as a number within ``BOUNDS[name]``.

    Errors read ``"argument -k/--n-components: must be an integer between 1 and 50; got 51"``
    (argparse names the option).
    """
    bound = BOUNDS[name]

    def parse(text: str) -> int | float:
        try:
            return bound.check(text, "")
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = f"{name} ({bound.text})"  # argparse names the type in some messages
    return parse


def _help(name: str, extra: str = "") -> str:
    """Help text of a bounded setting: what it is, and its range, from the table."""
    bound = BOUNDS[name]
    return f"{bound.what} ({bound.text}{extra})"


@dataclass(frozen=True)
class Option:
    """One command-line option: flags and the keyword arguments of ``add_argument``."""

    flags: tuple[str, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def add_to(self, parser: Any, default: Any = None) -> argparse.Action:
        """Add the option to ``parser`` (or an argument group).

        Parameters
        ----------
        parser : argparse.ArgumentParser or argument group
        default : object, optional
            The command's default; when given, the help says ``(default: ...)``. Without
            one the option defaults to ``None`` (the window then keeps its current setting).
        """
        kwargs = dict(self.kwargs)
        if default is not None:
            kwargs["default"] = default
            kwargs["help"] = f"{kwargs.get('help', '')} (default: %(default)s)".strip()
        return parser.add_argument(*self.flags, **kwargs)


# ------------------------------------------------------------------------------ data

DATASET = Option(
    ("--dataset",),
    {
        "choices": tuple(DATASETS),
        "metavar": "NAME",
        "help": "generate one of the lecture's datasets: "
        + ", ".join(f"{d.name} ({d.n_clusters} clusters)" for d in DATASETS.values()),
    },
)
N_SAMPLES = Option(
    ("--n-samples",),
    {
        "type": bounded("n_samples"),
        "metavar": "N",
        "help": _help("n_samples", "; default: the lecture's size"),
    },
)
NOISE = Option(
    ("--noise",),
    {
        "type": bounded("noise"),
        "metavar": "X",
        "help": _help("noise", "; default: the lecture's"),
    },
)
SEED = Option(
    ("--seed",),
    {
        "type": bounded("seed"),
        "metavar": "S",
        "help": _help("seed"),
    },
)

# ----------------------------------------------------------------------------- model

N_COMPONENTS = Option(
    ("-k", "--n-components"),
    {"type": bounded("n_components"), "metavar": "K", "help": _help("n_components")},
)
COVARIANCE_TYPE = Option(
    ("--covariance-type",),
    {"choices": COVARIANCE_TYPES, "metavar": "T", "help": ", ".join(COVARIANCE_TYPES)},
)
INIT = Option(
    ("--init",),
    {"choices": INIT_METHODS, "metavar": "I", "help": "initialisation: " + ", ".join(INIT_METHODS)},
)
TOL = Option(("--tol",), {"type": bounded("tol"), "metavar": "T", "help": _help("tol")})
MAX_ITER = Option(
    ("--max-iter",),
    {"type": bounded("max_iter"), "metavar": "M", "help": _help("max_iter")},
)
REG_COVAR = Option(
    ("--reg-covar",),
    {"type": bounded("reg_covar"), "metavar": "R", "help": _help("reg_covar")},
)
N_INIT = Option(
    ("--n-init",),
    {"type": bounded("n_init"), "metavar": "N", "help": _help("n_init")},
)
RANDOM_STATE = Option(
    ("--random-state",),
    {
        "type": bounded("seed"),
        "metavar": "S",
        "help": "seed of the initialisation only, overriding --seed for it "
        f"({BOUNDS['seed'].text}; default: the value of --seed)",
    },
)

# ------------------------------------------------------------------------- selection

K_MIN = Option(
    ("--k-min",),
    {"type": bounded("n_components"), "metavar": "K", "help": "smallest K to try"},
)
K_MAX = Option(
    ("--k-max",),
    {
        "type": bounded("n_components"),
        "metavar": "K",
        "help": f"largest K to try ({BOUNDS['n_components'].text})",
    },
)
SWEEP_COVARIANCE_TYPES = Option(
    ("--covariance-types",),
    {
        "nargs": "+",
        "choices": COVARIANCE_TYPES,
        "metavar": "T",
        "help": "covariance types to try, any of " + ", ".join(COVARIANCE_TYPES),
    },
)

# ---------------------------------------------------------------------------- sample

MODEL_FILE = Option(
    ("model",),
    {"metavar": "MODEL", "help": "model file (.json or .npz) written by gmmviz fit or the window"},
)
N_POINTS = Option(
    ("-n", "--n-points"),
    {
        "type": bounded("n_samples"),
        "metavar": "N",
        "required": True,
        "help": f"number of points to draw ({BOUNDS['n_samples'].text})",
    },
)
SAMPLE_SEED = Option(
    ("--seed",),
    {"type": bounded("seed"), "metavar": "S", "help": f"seed of the draw ({BOUNDS['seed'].text})"},
)

# ---------------------------------------------------------------------------- output

POINTS_OUTPUT = Option(
    ("-o", "--output"),
    {
        "metavar": "FILE",
        "required": True,
        "help": "CSV file to write, columns x1..xd,component (components numbered from 1)",
    },
)
TABLE_CSV = Option(("--csv",), {"metavar": "OUT", "help": "also write the table as CSV"})

OUTPUT = Option(
    ("-o", "--output"), {"metavar": "FILE", "help": "save the fitted model (.json or .npz)"}
)
QUIET = Option(
    ("-q", "--quiet"),
    {
        "action": "store_true",
        "help": "do not print the per-iteration lines (the summary is still printed)",
    },
)
PRESET = Option(
    ("--preset",),
    {
        "metavar": "NAME",
        "help": "load one of the lecture's experiments and run it (see --list-presets); "
        "other options override its settings",
    },
)
LIST_PRESETS = Option(
    ("--list-presets",),
    {"action": "store_true", "help": "list the lecture's experiments and exit"},
)
SWEEP = Option(
    ("--sweep",),
    {
        "type": bounded("n_components"),
        "metavar": "K_MAX",
        "help": "when the run ends, sweep K = 1..K_MAX for the four covariance types in the "
        "Choose K tab (a scripted run waits for it)",
    },
)
PLAY = Option(("--play",), {"action": "store_true", "help": "animate EM at full speed right away"})
SCREENSHOT = Option(
    ("--screenshot",), {"metavar": "PNG", "help": "when the run ends, save the window as PNG"}
)
EXPORT_MODEL = Option(
    ("--export-model",),
    {"metavar": "PATH", "help": "when the run ends, save the model (.json or .npz)"},
)
QUIT = Option(
    ("--quit",),
    {
        "action": "store_true",
        "help": "exit (status 0) when the run ends and the files are written",
    },
)

#: Every option, by name (the tests check that the commands use nothing else).
ALL: dict[str, Option] = {
    name: value for name, value in dict(globals()).items() if isinstance(value, Option)
}
