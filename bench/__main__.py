"""`python -m bench [--corpus PATH] [--json] [--quick] [--llm]`: the same command as `mlsd bench`."""

from mlsd.cli import friendly_errors
from mlsd.cli_bench import bench_command

if __name__ == "__main__":
    bench_command(friendly_errors)(prog_name="python -m bench")
