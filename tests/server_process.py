"""Start `fourgood serve` as a real process on 127.0.0.1 and a free port (tests and benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, inbox: Path, roster: Path | None, *, port: int | None = None, rate: int = 30,
                 licence: bool = False, log: Path | None = None, hostname: str | None = None,
                 args: list[str] | None = None):
        self.inbox, self.roster, self.rate, self.hostname = inbox, roster, rate, hostname
        self.args = list(args or [])
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.licence = licence
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Served:
        cmd = [sys.executable, "-m", "fourgood", "serve", "--inbox", str(self.inbox), "--host", "127.0.0.1",
               "--port", str(self.port), "--rate", str(self.rate)]
        if self.roster:
            cmd += ["--roster", str(self.roster)]
        if self.hostname:
            cmd += ["--hostname", self.hostname]
        cmd += self.args
        env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
        if self.licence:
            env["XLWINGS_LICENSE_KEY"] = "noncommercial"
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"fourgood serve exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("fourgood serve did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
