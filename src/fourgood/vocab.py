"""One vocabulary: the words fourgood's stages hand each other, and one bilingual text.

The enums are `StrEnum`s: a member *is* its string (`Status.MEETS == "meets"`, `str()` and
f-strings give "meets"), so frames, JSON and stores holding plain strings keep comparing equal
and nothing that reads them has to change. Put `.value` (or `str(...)`) into anything pickled
or stored, so stores never hold a fourgood class.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Text(NamedTuple):
    """A user-facing text in Vietnamese (always) and English (with --lang en).

    Immutable, and a (vi, en) pair as well, so the pairs written before it (`vi, en = pair`,
    `pair[0]`) read a Text unchanged while their modules move to `.of(lang)`."""

    vi: str
    en: str

    def of(self, lang: str) -> str:
        """The text in `lang`; Vietnamese unless English is asked for."""
        return self.en if lang == "en" else self.vi


class Status(StrEnum):
    """What a file or a form is judged to be (`status` in `fourgood validate --json`, the roll-up's
    status column). A form's own verdict is one of FORM_STATUSES; the rest say what else a file is."""

    MEETS = "meets"  # scored, at or above the threshold, no exclusion
    BELOW = "below"  # scored, under the threshold
    INCOMPLETE = "incomplete"  # some criterion (or the exclusion question) not answered
    VETO = "veto"  # an exclusion question answered “Có”
    INVALID = "invalid"  # at least one error
    NOT_A_FORM = "not_a_form"  # invalid, and no scoring form at all (a PDF, the roster, ...)
    SKIPPED = "skipped"  # a lock or system file: listed, never an error
    CONSOLIDATED = "consolidated"  # a lower level's consolidated workbook
    MISSING = "missing"  # roll-up: a cell the roster expects sent no form
    # One score column's verdict only, as the form's status cells show it (scoring.column_status).
    INVALID_SCORE = "invalid_score"
    VETO_UNANSWERED = "veto_unanswered"


# A scored form's verdicts (the roll-up columns of a consolidated workbook carry only these).
FORM_STATUSES = (Status.MEETS, Status.BELOW, Status.INCOMPLETE, Status.VETO, Status.INVALID)
# The verdicts with a final score (a month or year-end form that decides something).
SCORED = (Status.MEETS, Status.BELOW, Status.VETO)


class Verdict(StrEnum):
    """What a consolidation did with a file (the `verdict` column of its files frame, the log sheet)."""

    COUNTED = "counted"  # the form that counts for its cell and period
    SUPERSEDED = "superseded"  # a valid form another one of the same cell and period replaces
    REJECTED = "rejected"  # invalid: listed with its problems, never counted
    NOT_A_FORM = "not_a_form"  # rejected, and no scoring form at all
    SKIPPED = "skipped"  # a lock or system file


class FileCategory(StrEnum):
    """Which files a file falls in for every count (validate's closing line, consolidate's summary)."""

    VALID = "valid"
    INVALID = "invalid"
    SKIPPED = "skipped"


class ProblemCategory(StrEnum):
    """Whose problem a problem code is (messages.PROBLEMS; the README's table of codes)."""

    FORM = "form"  # a form's content: its information sheet, its scores, its exclusion questions
    FILE = "file"  # the file as a whole: unreadable, refused, not our template, skipped, ...
    NOT_A_FORM = "not_a_form"  # the file is no scoring form at all (a PDF, the roster, ...)
    BATCH = "batch"  # between files: duplicates, conflicting roll-ups, forms outside the period
    INPUT = "input"  # what a command is given (criteria tables, the roster, options): it stops
    SERVER = "server"  # the server's answers (`fourgood serve`)


class Severity(StrEnum):
    """A problem's severity: an error makes its file invalid, a warning never does."""

    ERROR = "error"
    WARNING = "warning"


class Level(StrEnum):
    """Kinds of organisation in the party tree, in the order they usually nest (structure.KINDS)."""

    PROVINCE = "province"
    UPPER = "upper"  # the committee directly above the grassroots (a commune or ward committee, ...)
    GRASSROOTS = "grassroots"
    DEPARTMENT = "department"
