"""The ``onshore`` command line (Typer + Rich). Each command is one service call."""
