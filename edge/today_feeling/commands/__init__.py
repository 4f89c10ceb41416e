"""One module per CLI subcommand (see today_feeling.cli.COMMANDS)."""
