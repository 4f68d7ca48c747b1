"""The workbook contract: every sheet name, defined name, `_meta` key, template kind and
hidden-sheet column that fourgood writes or reads is defined here, once.

Every input is located through a workbook-level defined name (``fg_*``), never through a
fixed coordinate: Excel and LibreOffice move the names along when staff insert rows,
widen columns or move the table. Labels exist in Vietnamese and English. What a province
may change (contents, criteria, points, step, threshold) is not here: it is the spec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from .records import CELL_COLUMNS, CELL_NUMBERS, CELL_TEXT
from .records import ROLLUP_REQUIRED as ROLLUP_MINIMUM
from .vocab import Status, Text

Lang = Literal["vi", "en"]

META_SHEET = "_meta"
FONT = "Times New Roman"  # the reports' and the add-in's results sheet's font
TEMPLATE_FORMAT = "fourgood-template/1"
STORE_SUFFIX = ".fourgood.sqlite"  # a history store: `OUT.xlsx` -> `OUT.fourgood.sqlite` (store.beside)


class Kind:
    """Values of the `template_kind` key: what a workbook written by fourgood is."""

    CELL = "cell"  # a scoring form
    ROSTER = "roster"  # the list of cells a board expects
    CONTROL = "control"  # the board's consolidation control workbook
    CONSOLIDATED = "consolidated"  # a consolidated report (readable again one level up)


class MetaKey:
    """Keys of the `_meta` sheet's key/value rows (column A key, column B value)."""

    FORMAT = "format"
    KIND = "template_kind"
    LANG = "lang"
    GENERATOR = "generator"
    CELL_TYPE = "cell_type"
    SPEC_ID = "spec_id"
    SPEC_VERSION = "spec_version"
    FINGERPRINT = "fingerprint"
    THRESHOLD = "threshold"
    STEP = "step"
    SOURCES = "sources"  # consolidated: the folders and files it was built from
    ROSTER = "roster"
    PERIOD = "period"
    # consolidated: how its report is headed and signed (--issuer, --place, --signer), so that the
    # workbook consolidated again from Excel keeps them
    ISSUER = "issuer"
    PLACE = "place"
    SIGNER = "signer"
    # Rows that list the spec's structure (key in column A, then values) rather than key/value.
    CRITERION_ROW = "criterion"
    VETO_ROW = "veto"


def meta_rows(kind: str, lang: str, generator: str, **entries: Any) -> list[tuple[Any, ...]]:
    """The `_meta` key/value rows every workbook kind starts with, then its own entries.

    `entries` are keyed by `MetaKey` attribute values; the one writer of the sheet is
    `fourgood.workbook_templates.meta.write_meta_sheet`.
    """
    known = {v for k, v in vars(MetaKey).items() if k.isupper()}
    unknown = set(entries) - known
    if unknown:
        raise ValueError(f"not _meta keys: {sorted(unknown)}")
    rows: list[tuple[Any, ...]] = [(MetaKey.FORMAT, TEMPLATE_FORMAT), (MetaKey.KIND, kind), (MetaKey.LANG, lang),
                                   (MetaKey.GENERATOR, generator)]
    rows += [(key, value) for key, value in entries.items()]
    return rows


@dataclass(frozen=True)
class SheetNames:
    instructions: str
    info: str
    scoring: str


SHEETS: dict[str, SheetNames] = {
    "vi": SheetNames("Hướng dẫn", "Thông tin", "Chấm điểm"),
    "en": SheetNames("Instructions", "Information", "Scoring"),
}


@dataclass(frozen=True)
class InfoField:
    key: str
    label_vi: str
    label_en: str
    kind: Literal["text", "code", "period", "year", "whole", "percent", "date", "fixed"]
    required: bool
    hint_vi: str = ""
    hint_en: str = ""
    former_labels: tuple[str, ...] = ()  # labels of earlier templates: a form is still located by them

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_vi


IDENTITY_FIELDS: tuple[InfoField, ...] = (
    # Hints follow the 2026 structure (domain.md): no district level, no provincial blocs.
    InfoField("province", "Tỉnh, thành phố", "Province", "text", False, "Ví dụ: Tỉnh Ninh Bình",
              "e.g. Ninh Bình province"),
    # Levels of Quy định 294-QĐ/TW (from 1 July 2025): the commune/ward committees and the two provincial
    # committees are the level directly above the grassroots; a cell directly under one is a grassroots cell.
    InfoField("upper_committee", "Cấp trên trực tiếp của tổ chức cơ sở đảng",
              "Committee directly above the grassroots", "text", True,
              "Đảng bộ xã, phường, đặc khu; Đảng bộ các cơ quan Đảng tỉnh hoặc Đảng bộ Ủy ban nhân dân tỉnh",
              "Commune, ward or special-zone committee; the provincial Party agencies committee or the "
              "provincial People's Committee party committee",
              former_labels=("Cấp ủy cấp trên cơ sở", "Upper-level committee")),
    InfoField("grassroots", "Đảng bộ cơ sở", "Grassroots committee", "text", False,
              "Để trống nếu là chi bộ cơ sở: chi bộ trực thuộc trực tiếp đảng bộ ở dòng trên (ví dụ chi bộ thôn, "
              "tổ dân phố trực thuộc Đảng bộ xã, phường)",
              "Leave empty for a grassroots cell: a cell directly under the committee above (e.g. a village or "
              "residential-group cell directly under a commune or ward committee)"),
    InfoField("cell_name", "Tên chi bộ", "Party cell name", "text", True),
    InfoField("cell_code", "Mã chi bộ", "Party cell code", "code", True,
              "Mã do Ban Tổ chức cấp, ví dụ CQD-012", "Code given by the organisation board, e.g. CQD-012"),
    InfoField("cell_type", "Loại chi bộ", "Party cell type", "fixed", True, "Cố định theo mẫu", "Fixed by the template"),
    InfoField("period", "Kỳ đánh giá", "Period", "period", True, "Chọn tháng hoặc “Cả năm”", "Pick a month or 'Cả năm'"),
    InfoField("year", "Năm", "Year", "year", True),
    InfoField("members", "Số đảng viên", "Number of members", "whole", True),
    InfoField("secretary", "Bí thư chi bộ", "Cell secretary", "text", False),
    InfoField("date", "Ngày đánh giá", "Date of evaluation", "date", False, "Ngày/tháng/năm", "Day/month/year"),
)
ACTIVITY_FIELDS: tuple[InfoField, ...] = (
    InfoField("regular_meetings", "Số kỳ sinh hoạt thường kỳ trong kỳ", "Regular meetings held in the period",
              "whole", False),
    InfoField("thematic_meetings", "Số kỳ sinh hoạt chuyên đề trong kỳ", "Thematic meetings held in the period",
              "whole", False),
    InfoField("attendance", "Tỷ lệ đảng viên dự sinh hoạt bình quân (%)", "Average member attendance (%)",
              "percent", False),
)
INFO_FIELDS: tuple[InfoField, ...] = IDENTITY_FIELDS + ACTIVITY_FIELDS
INFO_BY_KEY = {f.key: f for f in INFO_FIELDS}

# Meeting counts a period can hold: at most weekly regular meetings, three thematic a month.
MAX_MEETINGS_PER_MONTH = {"regular_meetings": 5, "thematic_meetings": 3}
REGULAR_MEETINGS_PER_YEAR = 12


def info_name(key: str) -> str:
    return f"fg_{key}"


def veto_name(veto_id: str) -> str:
    return "fg_veto_" + "".join(ch if ch.isalnum() else "_" for ch in veto_id)


# Column ranges of the scoring table (content rows and criterion rows alike).
TABLE_NAMES = {"id": "fg_ids", "max": "fg_max", "self": "fg_self", "upper": "fg_upper", "notes": "fg_notes"}
TOTAL_NAMES = {
    "max": "fg_max_total",
    "self": "fg_self_total",
    "upper": "fg_upper_total",
    "self_status": "fg_self_status",
    "upper_status": "fg_upper_status",
}
VETO_RANGE = "fg_vetoes"
META_NAME = "fg_meta"

PERIODS_VI = tuple(f"Tháng {m}" for m in range(1, 13)) + ("Cả năm",)
PERIODS_EN = tuple(f"Month {m}" for m in range(1, 13)) + ("Whole year",)
YES_NO = {"vi": ("Có", "Không"), "en": ("Yes", "No")}
YEAR_RANGE = (2000, 2100)

TABLE_HEADERS = {
    "vi": ("STT", "Tiêu chí", "Điểm chuẩn", "Chi bộ tự chấm", "Cấp ủy cấp trên chấm", "Ghi chú / minh chứng"),
    "en": ("No.", "Criterion", "Max points", "Self score", "Upper-level score", "Notes / evidence"),
}
COLUMN_LABELS = {
    "self": Text("Chi bộ tự chấm", "self score"),
    "upper": Text("Cấp ủy cấp trên chấm", "upper-level score"),
}


def column_label(column: str, lang: str) -> str:
    return COLUMN_LABELS[column].of(lang)


# Verdict texts, shared by the form's formulas and by Python scoring so they can be compared.
def status_text(status: str, lang: str, threshold: float | None) -> str:
    """The verdict label; "below" names the spec's threshold (None: the threshold in words).

    "invalid" is a whole submission's (it has errors); "invalid_score" and "veto_unanswered" are
    the verdicts of one score column only (the form's status cells, `scoring.column_status`).
    """
    if threshold is None:
        under = Text("ngưỡng đạt", "the threshold")
    else:
        under = Text(f"{threshold:g}".replace(".", ",") + " điểm", f"{threshold:g} points")
    texts = {
        Status.MEETS: Text("Đạt “Chi bộ 4 tốt”", "Meets 'Chi bộ 4 tốt'"),
        Status.BELOW: Text(f"Không đạt (dưới {under.vi})", f"Not met (under {under.en})"),
        Status.INCOMPLETE: Text("Chưa chấm đủ", "Not fully scored"),
        Status.VETO: Text("Không đạt (thuộc trường hợp loại trừ)", "Not met (exclusion condition)"),
        Status.INVALID: Text("Phiếu có lỗi", "Form has errors"),
        Status.INVALID_SCORE: Text("Có điểm không hợp lệ", "A score is invalid"),
        Status.VETO_UNANSWERED: Text("Chưa trả lời câu hỏi loại trừ", "Exclusion question unanswered"),
    }
    return texts[Status(status)].of(lang)


# Roster: the cells a board expects (read for completeness by the consolidation).
ROSTER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("cell_code", "Mã chi bộ", "Cell code"),
    ("cell_name", "Tên chi bộ", "Cell name"),
    ("cell_type", "Loại chi bộ", "Cell type"),
    ("members", "Số đảng viên", "Members"),
    ("parent_code", "Mã tổ chức trực thuộc", "Parent organisation code"),
    # A cell renamed or merged in the year: the codes its forms may still carry ("KCQ-01; KCQ-02").
    ("former_codes", "Mã cũ", "Former codes"),
    # Before 2026 a roster named the committees instead; still read when no parent code is given.
    ("grassroots", "Đảng bộ cơ sở", "Grassroots committee"),
    ("upper_committee", "Cấp ủy cấp trên cơ sở", "Upper-level committee"),
)
# The roster's organisations: every party organisation above the cells, each naming its parent,
# so the tree has whatever depth the province has (2025 reorganisation: no fixed levels).
ORG_SHEET = {"vi": "Tổ chức đảng", "en": "Organisations"}
ORG_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("org_code", "Mã tổ chức", "Organisation code"),
    ("org_name", "Tên tổ chức", "Organisation name"),
    ("org_kind", "Cấp", "Level"),
    ("org_parent", "Mã tổ chức cấp trên", "Parent organisation code"),
)
ORG_KINDS_NAME = "fg_org_kinds"  # the roster's list of organisation levels (data validation)
ROSTER_SHEET = {"vi": "Danh sách chi bộ", "en": "Cells"}
ROSTER_LISTS_SHEET = {"vi": "Danh mục", "en": "Lists"}
ROSTER_HEADER_NAME = "fg_roster_header"
CELL_TYPES_NAME = "fg_cell_types"  # the roster's list of cell types (data validation)


# The consolidation control workbook: (key, Vietnamese label, English label, hint vi, hint en).
CONTROL_SHEET = {"vi": "Tổng hợp", "en": "Consolidation"}


def control_name(key: str) -> str:
    """Defined name of a control-workbook field (source, roster, period)."""
    return f"fg_{key}"


CONTROL_FIELDS = [
    ("source", "Thư mục chứa phiếu nộp (*)", "Folder of submitted forms (*)",
     "Ví dụ: D:\\Tong hop\\Phieu nop (có thể ghi nhiều thư mục, cách nhau bởi dấu ;)",
     "e.g. D:\\Consolidation\\Forms (several folders separated by ;)"),
    ("roster", "Danh sách chi bộ (nếu có)", "Roster of cells (optional)",
     "Tệp danh sách chi bộ theo mẫu, để biết chi bộ nào chưa nộp",
     "The roster file from the templates, to list the cells that have not submitted"),
    ("period", "Kỳ tổng hợp (nếu chỉ lấy một kỳ)", "Period (to keep one only)",
     "Năm (2026) hoặc năm-tháng (2026-11); để trống: tổng hợp mọi kỳ",
     "A year (2026) or a year and month (2026-11); blank: every period"),
]


# The consolidated workbook's report sheets: (Vietnamese, English) by key.
REPORT_SHEETS: dict[str, tuple[str, str]] = {
    "report": ("Báo cáo", "Report"),
    "hierarchy": ("Tổng hợp theo cấp", "By hierarchy"),
    "by_type": ("Theo loại chi bộ", "By cell type"),
    "grassroots": ("Đảng bộ cơ sở", "Grassroots committees"),
    "detail": ("Chi tiết", "Detail"),
    "below": ("Dưới ngưỡng đạt", "Under the threshold"),
    "by_criterion": ("Theo tiêu chí", "By criterion"),
    "missing": ("Chưa nộp", "Missing"),
    "rejected": ("Tệp bị từ chối", "Rejected files"),
    "log": ("Nhật ký", "Log"),
    "charts": ("Biểu đồ", "Charts"),
}

# The hidden roll-up sheet of a consolidated workbook: one machine-readable row per cell and
# period, so that a higher level can consolidate the workbook again. Its columns are the fixed
# ones below, then one subtotal column per content of the specs used (`content_column`).
ROLLUP_SHEET = "_du_lieu"
ROLLUP_TEXT = CELL_TEXT  # the cell record's columns (records.CELL), declared once there
ROLLUP_NUMBERS = CELL_NUMBERS
ROLLUP_COLUMNS: tuple[str, ...] = CELL_COLUMNS
ROLLUP_REQUIRED = ROLLUP_MINIMUM  # what a workbook to roll up must carry: the first roll-up sheet's columns
ROLLUP_STATUSES = ("meets", "below", "incomplete", "veto", "invalid")
CONTENT_PREFIX = "final:"


def content_column(content_id: str, column: str = "final") -> str:
    """The subtotal column of one content: 'final:I', 'self:II' (no clash with '*_total')."""
    return f"{column}:{content_id}"


def content_of_column(name: str, column: str = "final") -> str | None:
    """The content id of a subtotal column, or None for any other column."""
    prefix = f"{column}:"
    return name[len(prefix):] if name.startswith(prefix) else None


def plain_value(value: Any) -> Any:
    """What a spreadsheet cell takes: NaN becomes empty, NumPy scalars plain Python.

    Here rather than in the report writer: the add-in's results sheet needs it on every check,
    without loading openpyxl and the roll-up."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value
