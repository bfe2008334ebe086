"""`python -m riskcore` runs the CLI."""

from riskcore.cli import main

main()
