"""Excel add-in: xlwings entry points that call the same core as the command line.

Macros call these through RunPython, e.g. ``RunPython "import fourgood.addin as fg; fg.check_caller()"``;
the ribbon add-in calls :func:`fourgood.main`.
"""

from .entry import (
    check,
    check_caller,
    consolidate,
    consolidate_caller,
    main,
    one_click,
    score,
    score_caller,
    validate,
    validate_caller,
)

__all__ = ["check", "check_caller", "consolidate", "consolidate_caller", "main", "one_click", "score",
           "score_caller", "validate", "validate_caller"]
