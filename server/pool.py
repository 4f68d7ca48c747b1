"""Checks run in a bounded pool of child processes, each bounded in CPU time and memory.

A form is read by the same code as `fourgood validate`; the reader refuses what no form can be
(zip bombs, sheets far larger than a form), and this pool is the last line: each check runs in its
own process forked from a preloaded fork server (no import cost per check), with an RLIMIT_CPU and
an RLIMIT_AS, and is killed when it outlives its wall-clock time. At most `workers` checks run at
once and at most `queue` wait; beyond that the server answers 503 with Retry-After at once, never
a growing backlog. The server's own process never holds a form's parsed content.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

PRELOAD = ["fourgood.server.warm"]


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class Overrun(Exception):
    """A check went over its time or memory and was stopped."""


@dataclass
class Usage:
    """What one check cost, measured inside its process (tests assert the limits on it)."""

    cpu_seconds: float  # the check itself
    peak_rss_mb: float  # the process's high-water mark
    grown_mb: float  # the high-water mark minus the resident size before the check
    process_cpu_seconds: float = 0.0  # the whole process: fork, receiving the specs and the upload, the check


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(conn: Connection, upload: bytes | str, name: str, specs: dict[str, Any], lang: str, cpu_seconds: float,
           memory_mb: int) -> None:
    """In the check's own process: limit it, check, send (result, usage). `upload`: the file's bytes
    (they came through the pipe: nothing on disk), or the path of a saved one."""
    from .checking import check_bytes, check_file

    before = resource.getrusage(resource.RUSAGE_SELF)
    used = before.ru_utime + before.ru_stime
    # CPU time, to the millisecond: SIGPROF (not handled, so it ends the process) when it is spent;
    # RLIMIT_CPU (whole seconds) behind it
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(used + cpu_seconds) + 1, math.ceil(used + cpu_seconds) + 2))
    vm = _vm_bytes()
    if vm and memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (vm + memory_mb * 1024 * 1024, resource.RLIM_INFINITY))
    rss = _rss_mb()
    try:
        result: Any = (check_bytes(upload, name, specs, lang) if isinstance(upload, bytes)
                       else check_file(Path(upload), name, specs, lang))
    except MemoryError:
        result = None
    signal.setitimer(signal.ITIMER_PROF, 0)
    after = resource.getrusage(resource.RUSAGE_SELF)
    peak = after.ru_maxrss / 1024
    usage = Usage(after.ru_utime + after.ru_stime - used, peak, max(0.0, peak - rss), after.ru_utime + after.ru_stime)
    conn.send((result, usage))
    conn.close()


class CheckPool:
    """At most `workers` checks at once, `queue` more waiting; each in a limited child process."""

    def __init__(self, workers: int = 2, queue: int = 32, seconds: float = 10.0, memory_mb: int = 512):
        self.workers, self.queue, self.seconds, self.memory_mb = workers, queue, seconds, memory_mb
        self._admitted = 0
        self._lock = threading.Lock()
        self._running = threading.BoundedSemaphore(workers)
        self._context: Any = None

    def context(self) -> Any:
        """The fork server, started once with fourgood imported (each check then forks in milliseconds)."""
        if self._context is None:
            for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ.setdefault(name, "1")  # one check, one core: the pool decides how many run
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            self._context = ctx
        return self._context

    def start(self) -> None:
        """Start the fork server now (at start-up) rather than on the first check."""
        from multiprocessing import forkserver

        self.context()
        forkserver.ensure_running()

    def admit(self) -> None:
        """Take a place (running or waiting) or raise Busy."""
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                raise Busy()
            self._admitted += 1

    def retry_after(self) -> int:
        """Seconds after which a place is likely free: the queue drained at about one second a check."""
        return max(1, math.ceil((self.workers + self.queue) / self.workers))

    def release(self) -> None:
        with self._lock:
            self._admitted -= 1

    def run(self, upload: bytes | Path, name: str, specs: dict[str, Any], lang: str) -> tuple[dict[str, Any], Usage]:
        """Check one file, its bytes or a saved one's path, in a child process (blocking; call from a
        worker thread, after `admit`)."""
        with self._running:
            return self._run(upload, name, specs, lang)

    def _run(self, upload: bytes | Path, name: str, specs: dict[str, Any], lang: str) -> tuple[dict[str, Any], Usage]:
        ctx = self.context()
        parent, child = ctx.Pipe(duplex=False)
        sent = upload if isinstance(upload, bytes) else str(upload)
        proc = ctx.Process(target=_child, args=(child, sent, name, specs, lang, self.seconds, self.memory_mb),
                           daemon=True)
        proc.start()
        child.close()
        try:
            # wall clock: the CPU limit, plus room for a busy machine
            if not parent.poll(self.seconds * 3 + 5):
                raise Overrun()
            try:
                result, usage = parent.recv()
            except (EOFError, OSError):  # killed by its CPU or memory limit before it answered
                raise Overrun() from None
            if result is None:
                raise Overrun()
            return result, usage
        finally:
            parent.close()
            if proc.is_alive():
                proc.kill()
            proc.join(5)
