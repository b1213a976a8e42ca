"""``python -m nmmsim`` runs the command-line interface."""

import sys

from nmmsim.cli import main

sys.exit(main())
