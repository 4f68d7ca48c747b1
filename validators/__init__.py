"""Read submitted workbooks and judge them: the reader (`reader`, `locate`, `package`,
`normalize`, `formats`) records what a file holds; the declared frames (`frames`) carry a whole
batch; the rules (`rules`, run by `run`) judge it, all of them at once in `judge`; `duplicates`
decides which file counts.
"""

from .judge import validate_frames

__all__ = ["validate_frames"]
