"""The ``onshore`` command line (Typer + Rich). Each command is one service call.

Command modules import what their commands use inside the command functions (services,
settings, FastAPI, DuckDB, pyarrow...), never at module level: building the app for
``--help`` must stay cheap (``tests/test_cli_start.py`` checks that no heavy stack is
imported and that ``onshore --help`` stays under 0.5 s of import time). The root group
imports a command's module only when that command runs (``onshore.cli.lazy_group``): a new
root command gets a row in ``onshore.cli.commands.COMMANDS``. Print through
``onshore.cli.console.CliConsole`` so piped output is not wrapped at 80 columns.
"""
