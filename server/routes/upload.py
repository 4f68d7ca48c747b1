"""What the check and the submission share: the upload saved under its content hash in a private
folder (streamed, never whole in memory) and checked in the bounded pool."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..answers import answer
from ..checking import display_name, save_upload
from ..config import ServerConfig
from ..pool import Overrun


@contextmanager
def upload_folder(config: ServerConfig, prefix: str) -> Iterator[Path]:
    """A private folder in the state's tmp/ for one upload, removed whatever happens."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=config.inbox.tmp_dir))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def received(file: Any, config: ServerConfig, work: Path) -> tuple[Path, str] | JSONResponse:
    """The upload saved in `work` under its content hash (streamed: never whole in memory)."""
    if file is None or not hasattr(file, "file"):
        return answer(config, 400, "http_no_file")
    path = await run_in_threadpool(save_upload, file.file, work, config.max_upload)
    if path is None:
        return answer(config, 400, "http_empty")
    if path.stat().st_size > config.max_upload:
        from ..guard import _limit_shown

        return answer(config, 413, "http_too_large", expected=_limit_shown(config.max_upload, "http_too_large"))
    return path, display_name(file.filename)


async def checked(config: ServerConfig, path: Path, name: str) -> dict[str, Any] | JSONResponse:
    """One element of `fourgood validate --json` for the saved upload, or 422 when its check overran."""
    try:
        obj, _ = await run_in_threadpool(config.pool.run, path, name, config.specs, config.lang)
    except Overrun:
        return answer(config, 422, "http_check_limit", expected=config.check_seconds)
    return obj
