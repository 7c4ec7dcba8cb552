"""Load, check and compile time per period (ms), and the whole `rammeaftale check` as a user runs it.

    python benchmarks/bench_load.py [--rules DIR] [--repeat N]

Per period: `load` parses its rule files (YAML, schema, DSL), `check` type-checks it, `compile` turns it into
closures; all from the files, with the rule cache off. Then `rammeaftale check` in a fresh interpreter (start-up
included), once with an empty rule cache (cold) and then from it (warm), best of N. Timings vary on a shared
machine: compare lines of one run.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def per_period(root: Path) -> list[tuple[str, float, float, float]]:
    from rammeaftale.engine.check import check_period
    from rammeaftale.engine.compile import compile_period
    from rammeaftale.engine.periods import _head, _parents_first, period_dirs
    from rammeaftale.engine.rulefile import load_period_dir
    dirs = period_dirs(root)
    heads = {directory: _head(directory) for directory in dirs}
    loaded, rows = {}, []
    for directory in _parents_first(heads, root, []):
        head = heads[directory]
        parent = loaded.get((str(head.get("region")), str(head.get("extends")))) if head.get("extends") else None
        start = time.perf_counter()
        period = load_period_dir(directory, root, parent)
        loaded_at = time.perf_counter()
        check_period(period)
        checked_at = time.perf_counter()
        compile_period(period)
        compiled_at = time.perf_counter()
        loaded[period.key] = period
        rows.append((f"{period.region} {period.id}", 1000 * (loaded_at - start), 1000 * (checked_at - loaded_at),
                     1000 * (compiled_at - checked_at)))
    return rows


def whole_check(rules: Path | None, cache: str, repeat: int) -> float:
    command = [sys.executable, "-m", "rammeaftale.engine.cli", "check"] + (["--rules", str(rules)] if rules else [])
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env={**os.environ, "RAMMEAFTALE_CACHE_DIR": cache}, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return 1000 * best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=None, help="rules folder (default: the shipped rules)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["RAMMEAFTALE_CACHE"] = "0"          # per period: always from the files
    from rammeaftale.engine.periods import default_rules_dir
    root = args.rules or default_rules_dir()
    print(f"{'period':<24}{'load ms':>10}{'check ms':>10}{'compile ms':>12}")
    total = [0.0, 0.0, 0.0]
    for label, *times in per_period(root):
        total = [a + b for a, b in zip(total, times)]
        print(f"{label:<24}{times[0]:>10.1f}{times[1]:>10.1f}{times[2]:>12.1f}")
    print(f"{'all periods':<24}{total[0]:>10.1f}{total[1]:>10.1f}{total[2]:>12.1f}")
    del os.environ["RAMMEAFTALE_CACHE"]
    with tempfile.TemporaryDirectory() as cache:
        cold = whole_check(args.rules, cache, 1)
        warm = whole_check(args.rules, cache, args.repeat)
    print(f"rammeaftale check, interpreter start included: cold cache {cold:.0f} ms, warm cache {warm:.0f} ms "
          f"(best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
