"""Render the README's picture of a results sheet, as staff see it after one click.

    XLWINGS_LICENSE_KEY=noncommercial python docs/make_addin_picture.py

(The key is for xlwings' remote interpreter, which plays Excel here; it is never set by
fourgood itself.) Fills a real form with two mistakes, runs the add-in's one-click action on
an xlwings remote book, applies the recorded actions to the file (tests/replay.py) and
renders the results sheet with LibreOffice.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402
from openpyxl.worksheet.properties import PageSetupProperties  # noqa: E402

import fourgood.addin as fg  # noqa: E402
from fourgood.libreoffice import convert  # noqa: E402
from fourgood.spec import load_specs  # noqa: E402
from fourgood.workbook_templates import writer  # noqa: E402
from tests.helpers import make_submission, scores_totalling  # noqa: E402
from tests.replay import replay  # noqa: E402
from tests.xlwings_book import actions, remote_book  # noqa: E402


def main() -> None:
    spec = load_specs()["agency"]
    scores = scores_totalling(spec, 97)
    scores["1.2"] = spec.criteria[1].max + 2
    scores["3.1"] = "tốt"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        form = make_submission(Path(writer.__file__).parent / writer.template_filename("agency"), spec,
                               tmp / "phieu.xlsx", self_scores=scores)
        book = remote_book(form)
        fg.check(book)
        seen = replay(form, actions(book), tmp / "sau-khi-bam.xlsx")
        wb = load_workbook(seen)
        for ws in list(wb.worksheets):
            if ws.title != "Kết quả kiểm tra":
                wb.remove(ws)
        ws = wb.worksheets[0]
        wb.active = 0
        ws.sheet_state = "visible"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        wb.save(tmp / "ket-qua.xlsx")
        pdf = convert(tmp / "ket-qua.xlsx", "pdf", tmp)
        out = ROOT / "docs" / "img" / "ket-qua-kiem-tra"
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-x", "60", "-y", "90", "-W", "1180", "-H", "340", "-singlefile", str(pdf), str(out)], check=True)
        print(out.with_suffix(".png"))


if __name__ == "__main__":
    main()
