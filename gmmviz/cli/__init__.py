"""The ``gmmviz`` command: the window by default, and subcommands.

::

    gmmviz [DATA_FILE] [options]     open the window (or script a run of it)
    gmmviz fit [DATA] [options]      fit headlessly and print how EM went
    gmmviz sample MODEL -n N -o OUT  draw points from a saved model into a CSV file
    gmmviz select [DATA] [options]   compare K and covariance types by BIC and AIC

One parser with argparse subparsers: ``gmmviz --help`` lists the commands. Without a
command, the window opens, exactly as before the subcommands existed; ``gmmviz DATA_FILE``
opens that file. The options shared by several commands are defined once in
:mod:`gmmviz.cli._options`, with their bounds from :data:`gmmviz.app.settings.BOUNDS`.
Neither Qt nor the fit's dependencies are imported before they are needed: the window is
launched by :func:`gmmviz.cli.window.launch` after the display check.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from gmmviz.cli import fit, sample, selection, window
from gmmviz.cli._common import UsageError, UsageErrorParser, usage_error
from gmmviz.cli.window import display_problem

__all__ = ["COMMANDS", "build_parser", "display_problem", "main"]

#: Subcommands: name -> one-line help. Add a command here and in :func:`build_parser`.
COMMANDS: dict[str, str] = {
    "fit": "fit a Gaussian mixture without the window and print how EM went",
    "sample": "draw points from a saved model and write them as CSV",
    "select": "compare K and covariance types by BIC and AIC",
}

#: The module of each subcommand: ``PROG``, ``DESCRIPTION``, ``add_arguments``, ``execute``.
_MODULES = {"fit": fit, "sample": sample, "select": selection}


class _Commands(argparse._SubParsersAction):
    """Subcommands, where a first positional that is not a command is the window's DATA_FILE.

    argparse cannot have an optional positional before the subcommand (it would take the
    command's name), so ``gmmviz data.csv -k 3`` arrives here as ``["data.csv", "-k", "3"]``:
    the first word becomes ``data_file`` and the rest is parsed as the window's options.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        name, *rest = values
        if name in self.choices:
            super().__call__(parser, namespace, values, option_string)
            return
        if getattr(namespace, "data_file", None) is not None:
            parser.error(f"unrecognized arguments: {' '.join(values)}")
        namespace.data_file = name
        setattr(namespace, self.dest, None)
        parser.parse_args(rest, namespace)


class _Parser(argparse.ArgumentParser):
    """The main parser: lets :class:`_Commands` see a DATA_FILE where a command may stand."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if isinstance(action, _Commands):
            return  # not a command name: _Commands takes it as the DATA_FILE
        super()._check_value(action, value)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``gmmviz``: the window's options and the subcommands."""
    parser = _Parser(
        prog="gmmviz",
        usage="%(prog)s [DATA_FILE] [options]\n       %(prog)s COMMAND [options]",
        description=(
            "Watch EM fit a Gaussian mixture, step by step. Without a command the window "
            "opens with the last settings; options set the dataset and model and can script "
            "a run. `gmmviz COMMAND --help` describes a command."
        ),
        epilog=(
            "Scripted example: gmmviz --dataset moons -k 16 --play --screenshot out.png --quit"
        ),
    )
    parser.register("action", "commands", _Commands)
    # Subcommands report usage errors as one line (UsageError) rather than argparse's usage.
    commands = parser.add_subparsers(
        action="commands",
        title="commands",
        dest="command",
        metavar="COMMAND",
        parser_class=UsageErrorParser,
    )
    for name, module in _MODULES.items():
        command = commands.add_parser(
            name, help=COMMANDS[name], description=module.DESCRIPTION, prog=module.PROG
        )
        module.add_arguments(command)
    window.add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``gmmviz`` (``[project.scripts]`` and ``python -m gmmviz``).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status. Usage errors of the window exit 2 through argparse (``SystemExit``);
        those of the subcommands are one line on stderr and the status 2.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        return usage_error(exc)
    if args.command is not None:
        return _MODULES[args.command].execute(args)
    return window.launch(args, parser)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
