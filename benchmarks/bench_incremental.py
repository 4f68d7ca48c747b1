"""The history store's incremental figures alone (issue 18): a full `consolidate --jobs 2 --no-store`
run, then a store filled from the same N forms, re-run with nothing new and with `--new` forms added.

    python benchmarks/bench_incremental.py --files 3000 [--new 100] [--repeat 1] [--cache /tmp/core-bench]

It drives benchmarks/bench_consolidate.py's own parts (same contender script, same timing after the
imports, same checks of the summary JSON), with the generated forms and outputs in `--cache`
(default: the benchmark's cache), and prints the ratios to the full run as one JSON line:
`noop_ratio` (target ≤ 0.05) and `incremental_ratio` (target ≤ 0.10).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_consolidate as bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=bench.CACHE)
    args = parser.parse_args()
    bench.CACHE, bench.OUT = args.cache, args.cache / "out"
    bench.OUT.mkdir(parents=True, exist_ok=True)
    rep = bench.Report()
    folder = bench.build(str(args.files), bench.monthly_forms(0, args.files))
    full = bench.part_pipeline(rep, folder, args.files, args.repeat, (2,))[2].seconds
    inc = bench.part_incremental(rep, folder, args.files, args.new, args.repeat, False)
    print(rep.table())
    print(json.dumps({"files": args.files, "new": args.new, "full_s": round(full, 3), **inc,
                      "noop_ratio": round(inc["noop_s"] / full, 3),
                      "incremental_ratio": round(inc["incremental_s"] / full, 3)}))


if __name__ == "__main__":
    main()
