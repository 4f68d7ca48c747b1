"""`fourgood serve`: the province's server (README, "The province's server").

A check-and-submit page and HTTP API for any spreadsheet program, an inbox of accepted forms that
`fourgood consolidate` reads like any folder, tokens for units and the board, and the Excel add-in
through xlwings Server. A door like the command line: it calls the core through its public API
(`validate_paths`, `consolidate_paths`, `write_consolidated`, `validate_cmd.to_json`) and the Excel
entry points of `fourgood.addin`; the core never imports it.

Needs the optional extra: ``pip install "fourgood[server]"``.

Modules: `config` (ServerConfig, make_config), `serving` (serve), `tokens_cli` (token add|list|revoke);
the HTTP side: `api` (the routes assembled), `routes/`, `deps` (FastAPI dependencies), `answers`,
`handlers`, `refusals`, `guard` (before any route), `pool` and `checking`; on disk: `inbox`, `tokens`,
`audit` (`clock`: UTC as they write it); `limits` (rate limits), `app` (xlwings Server), `scripts`
(the add-in's scripts).
"""

from .config import ServeError, ServerConfig, make_config
from .serving import LOCAL_HOSTS, check_listen, public_url, serve, start_notes
from .tokens_cli import token_command

__all__ = ["LOCAL_HOSTS", "ServeError", "ServerConfig", "check_listen", "make_config", "public_url", "serve",
           "start_notes", "token_command"]
