"""Python entry points for Excel. Thin: xlwings in and out, `fourgood.check` and the
consolidation core in between. Every entry point takes the book (tests pass a remote-interpreter
book) or, from a macro or the ribbon, uses the calling book.

Any failure becomes one readable alert; the traceback goes to ~/.fourgood/fourgood.log.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from typing import Any, Protocol, cast

from fourgood.check import CheckResult, check_view, peek_meta
from fourgood.contract import MetaKey
from fourgood.logfile import log_traceback
from fourgood.messages import render
from fourgood.problems import FourgoodError, Problem
from fourgood.spec import load_specs
from fourgood.vocab import Status

from .book_view import book_id, book_view
from .marks import mark, markable, unmark
from .protection import unprotected
from .results_sheet import RESULTS_SHEET, previous_marks, results_sheet_name, write_results

TITLE = "fourgood – Chi bộ 4 tốt"


def _caller() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def _lang(meta: dict[str, Any]) -> str:
    return "en" if meta.get("lang") == "en" else "vi"


def _lang_of(book: Any) -> str:
    try:
        return _lang(peek_meta(book_view(book)))
    except Exception:
        return "vi"


def alert(book: Any, text: str, mode: str = "info") -> None:
    book.app.alert(text, title=TITLE, buttons="ok", mode=mode)


class EntryPoint(Protocol):
    """An action wrapped by `friendly`; `__wrapped__` (functools.wraps) is the action itself."""

    __wrapped__: Callable[..., Any]

    def __call__(self, book: Any = None, **kwargs: Any) -> Any: ...


def friendly(action: Callable[..., Any]) -> EntryPoint:
    """Run an entry point; turn any exception into an Excel alert and a log entry."""

    @functools.wraps(action)
    def run(book: Any = None, **kwargs: Any) -> Any:
        lang = "vi"
        try:
            book = book if book is not None else _caller()
            lang = _lang_of(book)
            return action(book, **kwargs)
        except FourgoodError as exc:
            _last_word(book, exc.render(lang))
        except Exception as exc:
            log = log_traceback()
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            _last_word(book, render("addin_failed", lang, {"detail": detail, "value": str(log)}))
        return None

    return cast(EntryPoint, run)


def _last_word(book: Any, text: str) -> None:
    try:
        if book is None:
            import xlwings as xw

            app = xw.apps.active
            if app is None:
                raise RuntimeError("no Excel instance to alert")
            app.alert(text, title=TITLE, buttons="ok", mode="critical")
        else:
            alert(book, text, "critical")
    except Exception:  # no Excel to talk to: the log already has the details
        log_traceback()


def _specs():
    return load_specs(os.environ.get("FOURGOOD_CRITERIA") or None)


def _check(book: Any, *, scores: bool, problems: bool, focus: str, run_at: dt.datetime | None) -> CheckResult:
    view = book_view(book)
    meta = peek_meta(view)
    kind = meta.get(MetaKey.KIND, "")
    if kind != "cell":
        detail = f"template_kind={kind}" if kind else ", ".join(view.sheets[:4])
        raise FourgoodError([Problem("addin_not_form", params={"detail": detail})])
    results = results_sheet_name(book)
    if results is not None:  # never read our own results sheet as part of the form
        view.sheets = [s for s in view.sheets if s != results]
    result = check_view(view, book_id(book), _specs(), _lang(meta))
    old = previous_marks(book)
    targets = markable(result.problems, set(view.sheets), set(RESULTS_SHEET.values())) if problems else {}
    touched = {s for s, _ in old} | {s for s, _ in targets}
    with unprotected(book, touched & set(view.sheets)):
        unmark(book, old, result.spec, result.lang)
        mark(book, targets, result.lang)
    write_results(book, result, scores=scores, problems=problems, focus=focus, run_at=run_at)
    level = "critical" if result.errors else ("info" if result.status == Status.MEETS or focus == "validate" else "warning")
    alert(book, result.headline(focus), level)
    return result


@friendly
def check(book: Any, run_at: dt.datetime | None = None) -> CheckResult:
    """The one-click action: validate, score, write the results sheet, mark problem cells, alert."""
    return _check(book, scores=True, problems=True, focus="score", run_at=run_at)


@friendly
def validate(book: Any, run_at: dt.datetime | None = None) -> CheckResult:
    """Validate only: list and mark the problems; the alert speaks about errors."""
    return _check(book, scores=False, problems=True, focus="validate", run_at=run_at)


@friendly
def score(book: Any, run_at: dt.datetime | None = None) -> CheckResult:
    """Score only: subtotals and totals; the alert gives the points (or the number of errors)."""
    return _check(book, scores=True, problems=False, focus="score", run_at=run_at)


@friendly
def consolidate(book: Any, run_at: dt.datetime | None = None):
    """Re-run the consolidation of the folder a consolidation workbook names, into that workbook."""
    from .consolidate_book import consolidate_into

    return consolidate_into(book, _specs(), _lang_of(book), run_at=run_at, alert=alert)


@friendly
def one_click(book: Any, run_at: dt.datetime | None = None):
    """The ribbon button: a form is checked; a consolidation workbook is consolidated again."""
    kind = peek_meta(book_view(book)).get(MetaKey.KIND, "")
    if kind in ("consolidated", "control"):
        return consolidate.__wrapped__(book, run_at=run_at)
    return check.__wrapped__(book, run_at=run_at)


# Names for macros: RunPython "import fourgood.addin as fg; fg.check_caller()"
def check_caller() -> None:
    check()


def validate_caller() -> None:
    validate()


def score_caller() -> None:
    score()


def consolidate_caller() -> None:
    consolidate()


def main() -> None:
    """What the xlwings ribbon add-in calls (`import fourgood; fourgood.main()`)."""
    one_click()
