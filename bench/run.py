"""Run every benchmark (bench/bench_*.py, each with a main()) in turn: `make bench`."""

import importlib
import pkgutil
import time
from pathlib import Path


def main() -> None:
    folder = Path(__file__).resolve().parent
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        start = time.perf_counter()
        module.main()
        print(f"-- {name} done in {time.perf_counter() - start:.0f} s\n")


if __name__ == "__main__":
    main()
