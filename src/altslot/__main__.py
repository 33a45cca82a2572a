"""``python -m altslot`` runs the command line."""

from altslot.commands.cli import main

main()
