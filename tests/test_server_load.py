"""Load and crash safety of `fourgood serve` on 127.0.0.1 (benchmarks/bench_server.py, smaller):
concurrent clients each get a receipt, the inbox holds exactly those files byte-identical, one
consolidation counts each cell once; a server killed (SIGKILL) mid-run and restarted loses no
accepted file and leaves no partial one. Correctness only; the figures are in benchmarks/."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_server.py"


def test_concurrent_submissions_and_a_killed_server_lose_nothing(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_server", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = bench.run(n=40, clients=20, kill_after=12, work=tmp_path)  # run() asserts the inbox and the consolidation
    assert out["phase1"]["requests"] == 40 and out["phase1"]["failures"] == 0
    assert out["phase1"]["consolidated_cells"] == 40
    assert out["phase2"] == {"killed_after_receipts": 12, "receipts": 40, "failures_after_retry": 0,
                             "consolidated_cells": 40}
