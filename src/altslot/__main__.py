"""``python -m altslot`` runs the command line."""

from altslot.shell.cli import main

main()
