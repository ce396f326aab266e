"""``python -m gmmviz``: the same as the ``gmmviz`` command."""

import sys

from gmmviz.cli import main

sys.exit(main())
