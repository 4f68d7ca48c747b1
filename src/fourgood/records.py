"""The two records every stage hands over: the form (one row per input file, `FormResult`) and
the cell (one row per cell and period counted, `CellResult`).

Each column is declared once, below, with what it is (its type) and where it comes from (its
roles); every other list of columns derives from these two tuples: the contract's roll-up
columns, the frame `pipeline.assess` builds, the cell row `rollup` builds, what the history
store keeps per form and per cell. Adding a column is one line here.

The pandera models (`FormResult`, `CellResult`) are built from the same declarations on first
use (`from fourgood.records import CellResult`): pandera costs a second to import, and checking
one form must not pay it for a model only the tests validate against.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

TEXT, NUMBER, INTEGER, FLAG, ANY = "text", "number", "integer", "flag", "any"

# Where a form's column comes from.
FILE = "file"  # the file on disk (its path, name, size, time), not its content: never stored by content
CONTENT = "content"  # the file's content as read (hash, format, kind)
VERDICT = "verdict"  # the problems found in it
INFO = "info"  # the form's information block (validators.frames' info frame)
TOTAL = "total"  # scoring.score_batch's totals
SETTLED = "settled"  # pipeline.settle's rules across files
ROLLED = "rolled"  # rollup's columns, for the report


@dataclass(frozen=True)
class Column:
    """One column of a record: its name, its type and the roles saying where it comes from and
    who keeps it (`cell`: also a column of the cell record; `history`: kept per cell and period by
    the history store)."""

    name: str
    kind: str
    source: str
    cell: bool = False
    history: bool = False


# One row per input file: BatchResult.files, in this order.
FORM: tuple[Column, ...] = (
    Column("file", TEXT, FILE, cell=True),
    Column("name", TEXT, FILE),
    Column("skipped", TEXT, FILE),
    Column("size", INTEGER, FILE),
    Column("sha256", TEXT, CONTENT),
    Column("mtime", NUMBER, FILE),
    Column("format", TEXT, CONTENT),
    Column("kind", TEXT, CONTENT),
    Column("errors", INTEGER, VERDICT),
    Column("warnings", INTEGER, VERDICT),
    Column("valid", FLAG, VERDICT),
    Column("cell_code", TEXT, INFO, cell=True, history=True),
    Column("cell_name", TEXT, INFO, cell=True, history=True),
    Column("cell_type", TEXT, INFO, cell=True, history=True),
    Column("period", TEXT, INFO, cell=True, history=True),
    Column("year", NUMBER, INFO),
    Column("month", NUMBER, INFO),
    Column("upper_committee", TEXT, INFO, cell=True, history=True),
    Column("grassroots", TEXT, INFO, cell=True, history=True),
    Column("province", TEXT, INFO, cell=True),
    Column("members", NUMBER, INFO, cell=True),
    Column("date", TEXT, INFO),
    Column("spec_id", TEXT, INFO),
    Column("spec_version", TEXT, INFO, cell=True),
    Column("fingerprint", TEXT, INFO, cell=True),
    Column("threshold", NUMBER, INFO, cell=True, history=True),
    Column("self_total", NUMBER, TOTAL, cell=True),
    Column("upper_total", NUMBER, TOTAL, cell=True),
    Column("final_total", NUMBER, TOTAL, cell=True, history=True),
    Column("final_source", TEXT, TOTAL, cell=True),
    Column("status", TEXT, TOTAL, cell=True, history=True),
    Column("self_complete", ANY, TOTAL),
    Column("upper_complete", ANY, TOTAL),
    Column("gap", NUMBER, TOTAL, cell=True),
    Column("category", TEXT, VERDICT),
    Column("counted", FLAG, SETTLED),
    Column("verdict", TEXT, ROLLED),
    Column("reason", TEXT, ROLLED),
)

# One row per cell and period (rollup's cells frame; the hidden roll-up sheet): the form's columns
# marked `cell`, in the roll-up sheet's order below (a column marked later comes after them), then
# the organisation chain.
ROLLUP_ORDER = ("cell_code", "cell_name", "cell_type", "grassroots", "upper_committee", "province", "period", "members",
                "self_total", "upper_total", "final_total", "final_source", "gap", "threshold", "status", "file",
                "fingerprint", "spec_version")
# org_chain: the cell's organisations, root first, as JSON text (the workbook's and the store's form;
# the frames also carry them parsed, in `chain`: structure.with_chains)
ORG_CHAIN = Column("org_chain", TEXT, ROLLED, history=True)
CELL: tuple[Column, ...] = (*sorted((c for c in FORM if c.cell), key=lambda c: (
    ROLLUP_ORDER.index(c.name) if c.name in ROLLUP_ORDER else len(ROLLUP_ORDER))), ORG_CHAIN)


def names(columns: tuple[Column, ...], *sources: str) -> tuple[str, ...]:
    return tuple(c.name for c in columns if not sources or c.source in sources)


# The form as pipeline.assess builds it (before the rules across files and the report's columns).
ASSESSED = names(FORM, FILE, CONTENT, VERDICT, INFO, TOTAL)
FORM_INFO = names(FORM, INFO)  # taken from the information frame
FORM_TOTALS = names(FORM, TOTAL)  # taken from the scores
FORM_PATH = names(FORM, FILE)  # of the file on disk: a stored judgement gets them from the disk again
FORM_STORED = tuple(c for c in ASSESSED if c not in FORM_PATH)  # what the store keeps of a form, by content
FORM_NUMBERS = tuple(c.name for c in FORM if c.kind == NUMBER)
CELL_COLUMNS = names(CELL)
# What a consolidated workbook must carry to be rolled up: the columns of fourgood 0.1's roll-up
# sheet (threshold and org_chain came later). A column added to the cell record is optional there,
# or every workbook written before it would be refused.
ROLLUP_REQUIRED = tuple(n for n in ROLLUP_ORDER if n != "threshold")
CELL_TEXT = tuple(c.name for c in CELL if c.kind == TEXT)
CELL_NUMBERS = tuple(c.name for c in CELL if c.kind == NUMBER)
HISTORY = tuple(c.name for c in CELL if c.history)  # kept per cell and period by the history store


@cache
def _model(name: str, columns: tuple[Column, ...]) -> Any:
    """A pandera DataFrameModel with one field per column: numbers, counts and flags must be
    (coercible to) their type, text is text or missing; nullable where a form may lack it."""
    import pandera.pandas as pa
    from pandera.typing import Series

    def text(cls: Any, value: Any) -> bool:
        return value is None or isinstance(value, str) or value != value

    types: dict[str, Any] = {TEXT: Any, NUMBER: float, INTEGER: int, FLAG: bool, ANY: Any}
    fields: dict[str, Any] = {}
    annotations: dict[str, Any] = {}
    for c in columns:
        annotations[c.name] = Series.__class_getitem__(types[c.kind])  # a type chosen at run time
        fields[c.name] = pa.Field(nullable=c.kind not in (INTEGER, FLAG), coerce=c.kind in (NUMBER, INTEGER, FLAG))
    fields["text_is_text"] = pa.check(*(c.name for c in columns if c.kind == TEXT), element_wise=True)(text)
    config = type("Config", (), {"strict": False, "ordered": False})
    return type(name, (pa.DataFrameModel,), {"__annotations__": annotations, **fields, "Config": config,
                                              "__module__": __name__})


def __getattr__(attr: str) -> Any:
    if attr == "FormResult":
        return _model("FormResult", tuple(c for c in FORM if c.source != ROLLED))
    if attr == "CellResult":
        return _model("CellResult", CELL)
    raise AttributeError(attr)
