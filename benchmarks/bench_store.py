"""SQLite or DuckDB for the history store (issue 12): time writing and reading back what
N forms contributed, in the two shapes a store can hold them.

- `blob`: one row per file (sha256, spec key, version, path, size, mtime, fingerprint) with the
  reader's output pickled (what fourgood.store keeps: a run with the store is the same computation).
- `rows`: the same per-file row plus ~30 typed score rows per form (criterion, self, upper, max).

    python benchmarks/bench_store.py [--n 10000] [--criteria 30]

Prints one JSON line of seconds per engine and shape.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def forms(n: int, k: int) -> tuple[list[tuple], list[tuple]]:
    files, scores = [], []
    for i in range(n):
        sha = hashlib.sha256(str(i).encode()).hexdigest()
        rows = [(sha, f"{c // 10 + 1}.{c % 10 + 1}", (c % 5) + 0.5, (c % 4) + 0.5, 5.0) for c in range(k)]
        blob = pickle.dumps({"info": {"cell_code": f"C{i:06d}", "period": "2026-11"}, "criteria": rows},
                            protocol=pickle.HIGHEST_PROTOCOL)
        files.append((sha, "specs", "0.1.0", f"/inbox/f{i:06d}.xlsx", 20_000 + i, 1.7e9 + i, "fp", blob))
        scores += rows
    return files, scores


FILE_DDL = ("CREATE TABLE reads (sha256 TEXT, specs TEXT, version TEXT, path TEXT, size BIGINT, mtime DOUBLE, "
            "fingerprint TEXT, payload BLOB, PRIMARY KEY (sha256, specs, version))")
SCORE_DDL = "CREATE TABLE scores (sha256 TEXT, criterion TEXT, self DOUBLE, upper DOUBLE, max DOUBLE)"


def bench_sqlite(path: Path, files: list[tuple], scores: list[tuple], shape: str) -> dict[str, float]:
    t0 = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(FILE_DDL)
    if shape == "rows":
        con.execute(SCORE_DDL)
    with con:
        con.executemany("INSERT INTO reads VALUES (?,?,?,?,?,?,?,?)", files)
        if shape == "rows":
            con.executemany("INSERT INTO scores VALUES (?,?,?,?,?)", scores)
    con.close()
    return _read_back(lambda: sqlite3.connect(path), path, shape, len(scores), t0)


def _read_back(connect: Callable[[], Any], path: Path, shape: str, expected: int, t0: float) -> dict[str, float]:
    """Read everything back through a new connection (SQLite or DuckDB: the same DB-API calls);
    the write took from t0 to now."""
    t1 = time.perf_counter()
    con = connect()
    got = con.execute("SELECT sha256, path, size, mtime, fingerprint, payload FROM reads").fetchall()
    if shape == "blob":
        n = sum(len(pickle.loads(r[5])["criteria"]) for r in got)
    else:
        n = len(con.execute("SELECT * FROM scores").fetchall())
    con.close()
    t2 = time.perf_counter()
    assert n == expected
    return {"write_s": round(t1 - t0, 3), "read_s": round(t2 - t1, 3), "mb": round(path.stat().st_size / 1e6, 1)}


def bench_duckdb(path: Path, files: list[tuple], scores: list[tuple], shape: str) -> dict[str, float]:
    import duckdb
    import pandas as pd

    t0 = time.perf_counter()
    con = duckdb.connect(str(path))
    con.execute(FILE_DDL)
    if shape == "rows":
        con.execute(SCORE_DDL)
    # DuckDB's executemany is row-at-a-time and slow; its fast path is a DataFrame scan.
    fdf = pd.DataFrame(files, columns=["sha256", "specs", "version", "path", "size", "mtime", "fingerprint",
                                       "payload"])
    con.register("fdf", fdf)
    con.execute("INSERT INTO reads SELECT * FROM fdf")
    if shape == "rows":
        sdf = pd.DataFrame(scores, columns=["sha256", "criterion", "self", "upper", "max"])
        con.register("sdf", sdf)
        con.execute("INSERT INTO scores SELECT * FROM sdf")
    con.close()
    return _read_back(lambda: duckdb.connect(str(path)), path, shape, len(scores), t0)


def _import_s(module: str) -> float:
    """Seconds a fresh interpreter spends importing `module` (what every `fourgood` run pays)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return round(float(run.stdout or "nan"), 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--criteria", type=int, default=30)
    args = ap.parse_args()
    files, scores = forms(args.n, args.criteria)
    out: dict[str, object] = {"n": args.n, "score_rows": len(scores)}
    with tempfile.TemporaryDirectory() as tmp:
        for shape in ("blob", "rows"):
            out[f"sqlite_{shape}"] = bench_sqlite(Path(tmp) / f"s-{shape}.sqlite", files, scores, shape)
            try:
                out[f"duckdb_{shape}"] = bench_duckdb(Path(tmp) / f"d-{shape}.duckdb", files, scores, shape)
            except ImportError:
                out[f"duckdb_{shape}"] = "not installed"
    out["import_s"] = {m: _import_s(m) for m in ("sqlite3", "duckdb")}
    out["cpus"] = os.cpu_count()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
