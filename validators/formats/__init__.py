"""Open a submitted file as a `WorkbookView`: python-calamine first, a fallback where it misreads.

Real programs write the same formats in ways calamine (0.9) does not always read. Each case is
detected from the file itself, and only then is another reader used, one backend per format
behind one interface (`base.Backend`, chosen in `dispatch`):

* `ods`: calamine stops on an indented content.xml (Gnumeric, SheetJS) -> a streaming read of it;
* `xlsb`: calamine skips SheetJS's short cell records -> the BIFF12 record reader;
* `xls`: encrypted files and Gnumeric's reused date format ids -> xlrd;
* `calamine`: everything else (xlsx, xlsm), calamine alone.
"""

from .base import MAX_CELLS, MAX_FORM_SHEET_BYTES, MAX_MERGED, Backend, WorkbookView, error_summary
from .dispatch import BACKENDS, open_view
from .xlsb import is_date_format

__all__ = ["BACKENDS", "MAX_CELLS", "MAX_FORM_SHEET_BYTES", "MAX_MERGED", "Backend", "WorkbookView", "error_summary",
           "is_date_format", "open_view"]
