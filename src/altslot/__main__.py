"""``python -m altslot`` runs the command line."""

from altslot.cli import main

main()
