"""The `fourgood` command. Thin: parses arguments and calls the core; never shows a traceback.

Three parts: `argparse_vi` (argparse in Vietnamese, the language asked for), `parser` (one function
per subcommand, shared options in `options`) and `dispatch` (`main`: run the command, exit codes).

Exit codes (README, "Exit codes"): 0 done and every file valid, 1 some file has errors (validate),
2 nothing to do as asked (usage error, missing path, no files, no form for the period, located
input error, an output that cannot be written), 3 unexpected error (details in the log), 130 interrupted, 141 stdout closed early.
"""

from .argparse_vi import ARGPARSE_TYPES_VI, ARGPARSE_VI, LANG_ENV, UsageError, argparse_language, requested_lang
from .dispatch import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    main,
)
from .parser import EXIT_CODES_HELP, build_parser

__all__ = ["ARGPARSE_TYPES_VI", "ARGPARSE_VI", "EXIT_BROKEN_PIPE", "EXIT_CODES_HELP", "EXIT_INTERRUPTED", "EXIT_INVALID",
           "EXIT_OK", "EXIT_UNEXPECTED", "EXIT_USAGE", "LANG_ENV", "UsageError", "argparse_language", "build_parser",
           "main", "requested_lang"]
