"""`python -m mlsd.cli`: the same as the `mlsd` command."""

from mlsd.cli import main

main()
