"""The whole server: xlwings Server's FastAPI app (Office.js add-in, manifest, script calls) with
fourgood's page and API mounted on it.

xlwings Server is configured through environment variables and a project folder read when it is
first imported; `server/project` is that folder (custom scripts, the auth provider backed by our
tokens, the manifest with the "4 Tốt" tab, the task pane). The licence key xlwings needs to run
scripts is configuration: the environment variable XLWINGS_LICENSE_KEY, never code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .api import build_router
from .config import ServerConfig
from .guard import Guard
from .handlers import install_answers

PROJECT = Path(__file__).parent / "project"
_CONFIG: ServerConfig | None = None
_APP: Any = None

XLWINGS_SETTINGS = {
    "XLWINGS_PROJECT_DIR": str(PROJECT),
    "XLWINGS_PROJECT_NAME": "4 Tốt",
    "XLWINGS_ENVIRONMENT": "prod",
    "XLWINGS_AUTH_PROVIDERS": '["custom"]',
    "XLWINGS_ENABLE_EXAMPLES": "false",
    "XLWINGS_ENABLE_SOCKETIO": "false",
    "XLWINGS_ENABLE_HOTRELOAD": "false",
    "XLWINGS_ENABLE_WASM": "false",
    "XLWINGS_CDN_OFFICEJS": "false",
    "XLWINGS_HOSTNAME": "",  # the manifest's address is fourgood's configuration (guard.configured_host)
}


def current_config() -> ServerConfig:
    if _CONFIG is None:
        raise RuntimeError("fourgood server is not configured")
    return _CONFIG


def configure(config: ServerConfig) -> None:
    global _CONFIG
    _CONFIG = config


def full_app(config: ServerConfig) -> Any:
    """The ASGI app `fourgood serve` runs. xlwings Server is imported once per process; calling this
    again (tests) only swaps the configuration. The manifest's address is `config.public_url`
    (the Guard gives it to xlwings Server's manifest route), never XLWINGS_HOSTNAME, whose
    https-only form would drop an http address used for trying it out."""
    global _APP
    configure(config)
    if _APP is not None:
        return _APP
    ours = dict(XLWINGS_SETTINGS)
    saved = {key: os.environ.get(key) for key in [*ours, "XLWINGS_ON_SERVER"]}
    os.environ.update(ours)  # ours, not the environment's: the project folder decides what is served
    try:
        return _import_xlwings_server()
    finally:
        # xlwings Server read its settings on import; leave the process environment as it was, so that
        # other code in this process (the tests, subprocesses) does not run as "xlwings on a server"
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _import_xlwings_server() -> Any:
    global _APP
    import sys

    loaded = sys.modules.get("xlwings_server.config")
    if loaded is not None and Path(loaded.PROJECT_DIR).resolve() != PROJECT.resolve():
        raise RuntimeError("xlwings_server was imported before fourgood configured it")
    import xlwings_server.main as xs

    # xlwings Server answers "/" with a health check; the check-and-submit page is ours, so our routes
    # go first.
    routes = xs.app.router.routes
    before = len(routes)
    xs.app.include_router(build_router(current_config))
    ours = routes[before:]
    del routes[before:]
    routes[0:0] = ours
    install_answers(xs.app, current_config)
    _APP = Guard(xs.main_app, current_config)
    return _APP
