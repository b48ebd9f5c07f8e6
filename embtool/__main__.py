"""``python -m embtool`` runs the command-line interface."""

from embtool.cli import main

main()
