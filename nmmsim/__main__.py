"""``python -m nmmsim`` runs the command-line interface."""

import sys

from nmmsim.cli import main

if __name__ == "__main__":  # Monte Carlo workers import this module again; they must not run it
    sys.exit(main())
