"""fourgood's scripts for xlwings Server (this folder is the XLWINGS_PROJECT_DIR that `fourgood serve`
sets). The work is done in fourgood.server.scripts; here the scripts are registered with xlwings."""

import xlwings as xw
from xlwings.server import script
from xlwings_server.models import CurrentUser

from fourgood.server import app as _app
from fourgood.server.scripts import CONSOLIDATION_SHEETS, FORM_SHEETS, check_form, consolidate_inbox


@script(name="Kiểm tra phiếu", include=FORM_SHEETS)
def kiem_tra_phieu(book: xw.Book, current_user: CurrentUser):
    """Validate and score the open form: results sheet, marked cells, one-sentence verdict."""
    check_form(book, current_user)


@script(name="Tổng hợp", include=CONSOLIDATION_SHEETS)
def tong_hop(book: xw.Book, current_user: CurrentUser):
    """Board only: consolidate the server's inbox into the open consolidation workbook."""
    config = _app.current_config()
    consolidate_inbox(book, current_user, config.inbox.inbox, config.roster_path, config.lang)
