"""The command line: ``altslot serve``, ``find``, ``warm``, ``demo``, ``calcom-sim``, ``bench`` and the rest."""
