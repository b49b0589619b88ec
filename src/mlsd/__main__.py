"""`python -m mlsd`: the same as the `mlsd` command."""

from mlsd.cli import main

main()
