"""`python -m bench [--corpus PATH] [--json] [--quick] [--llm]`: the same command as `mlsd bench`."""

from mlsd.cli.bench import bench_cmd

if __name__ == "__main__":
    bench_cmd(prog_name="python -m bench")
