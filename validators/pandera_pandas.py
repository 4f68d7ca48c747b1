"""pandera's pandas API, imported without the optional libraries it would load for nothing.

Why: a secretary's click checks one form in a fresh process, and pandera (0.35) spends more
time on libraries fourgood never uses than on the check itself:
- building a `DataFrameModel`'s schema asks `pandera.typing` which Series and Index types
  exist; to know, it imports `pandera.typing.dask`, which imports `dask.dataframe` whenever dask
  is installed (`fourgood[dask]`, for `--scheduler`): 0.8–1.3 s, spent even when that import then
  fails (dask without pyarrow);
- its first validation registers the pandas backend, whose built-in checks import the data
  synthesis strategies, which import hypothesis when it is installed (a test dependency): 0.3 s.
fourgood validates pandas frames only and never synthesises data, so pandera loads here with
dask and hypothesis hidden: it records both absent, once, as it does where they are not
installed. Only libraries not yet imported are hidden, and only while pandera loads: a process
that imported either before (pytest with hypothesis' plugin, a dask worker) keeps pandera's
full behaviour, and both import normally afterwards (`--scheduler` uses dask.distributed).

Costs of every validation go too (a check in the server is measured in CPU milliseconds,
benchmarks/RESULTS.md): the failure report pandera formats for text columns that pass, its
import of geopandas (absent) for every column's dtype, its lookup of each column's pandera type,
and a copy of its configuration for each core check of each column.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

# libraries pandera loads for other dataframe kinds or for data synthesis, never for our checks
UNNEEDED = ("dask", "hypothesis")


@contextmanager
def hidden(names: Iterable[str]) -> Iterator[None]:
    """Make `import NAME` fail (ImportError) for each NAME not imported yet, for the duration."""
    absent = [name for name in names if name not in sys.modules]
    for name in absent:
        sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not available"
    try:
        yield
    finally:
        for name in absent:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


with hidden(UNNEEDED):
    import pandera.pandas as pa
    import pandera.strategies.pandas_strategies  # noqa: F401  decides once: hypothesis absent
    import pandera.typing.dask  # noqa: F401  decides once: dask frames absent
    from pandera.typing import Series



def _no_report_when_passed() -> None:
    """pandera (0.35) checks a `Series[str]` column element by element, then formats a failure
    report (an empty frame, and its text) even when every element passes: about 90 reports for one
    form, about a fifth of the CPU of a check in the server (benchmarks/RESULTS.md). A column whose
    elements all pass is answered `passed` at once; any other column goes to pandera's own check,
    unchanged (its message and failure cases). Nothing changes if pandera's backend is not as known.
    The pandera type of each pandas dtype is looked up once per process, not once per column."""
    import numpy as np
    from pandera.backends.base import CoreCheckResult
    from pandera.backends.pandas.array import ArraySchemaBackend
    from pandera.config import ValidationScope
    from pandera.engines.pandas_engine import Engine
    from pandera.errors import SchemaErrorReason
    from pandera.validation_depth import validate_scope

    original = ArraySchemaBackend.__dict__.get("check_dtype")
    if original is None:
        return

    engine_dtype: dict[object, object] = {}  # a pandas dtype's pandera type: a registry lookup per column otherwise

    def found_dtype(dtype: object) -> object:
        try:
            return engine_dtype[dtype]
        except KeyError:
            engine_dtype[dtype] = found = Engine.dtype(dtype)
            return found
        except TypeError:  # an unhashable dtype: asked each time, as pandera does
            return Engine.dtype(dtype)

    @validate_scope(scope=ValidationScope.SCHEMA)
    def check_dtype(self, check_obj, schema):
        if schema.dtype is not None:
            result = schema.dtype.check(found_dtype(check_obj.dtype), check_obj)
            if not isinstance(result, bool) and bool(np.all(result)):
                return CoreCheckResult(passed=True, check=f"dtype('{schema.dtype}')",
                                       reason_code=SchemaErrorReason.WRONG_DATATYPE)
        return original(self, check_obj, schema)

    ArraySchemaBackend.check_dtype = check_dtype  # type: ignore[method-assign]


def _not_geometry(pd_dtype: object) -> bool:
    return False


def _no_geopandas_lookups() -> None:
    """pandera asks whether each column's dtype is geopandas' geometry by importing geopandas;
    where it is not installed, every ask is a failed import searching the whole path again (about
    660 for one form, 13 ms of a check). Not installed at start-up: no column is geometry."""
    import importlib.util

    from pandera.engines import pandas_engine

    if hasattr(pandas_engine, "is_geopandas_dtype") and importlib.util.find_spec("geopandas") is None:
        pandas_engine.is_geopandas_dtype = _not_geometry


class _Depth:
    """What pandera's scope decorator reads of the configuration: the validation depth."""

    __slots__ = ("validation_depth",)

    def __init__(self, depth: object) -> None:
        self.validation_depth = depth


def _depth_without_copies() -> None:
    """pandera runs each of a column's core checks (name, nulls, uniqueness, dtype, checks) through
    a decorator that copies the whole configuration (`get_config_context`) only to read its
    validation depth: about 700 copies for one form, 5% of a check's CPU. That decorator's module
    now reads the depth where it is kept, without a copy; a depth set by `config_context` or
    PANDERA_VALIDATION_DEPTH still decides, and every other reader of the configuration is unchanged."""
    from pandera import config, validation_depth
    from pandera.config import ValidationDepth

    copying = getattr(validation_depth, "get_config_context", None)
    context = getattr(config, "_CONTEXT_CONFIG", None)
    if copying is None or context is None or not hasattr(context, "get"):
        return
    default = _Depth(ValidationDepth.SCHEMA_AND_DATA)

    def depth_only(validation_depth_default: ValidationDepth | None = ValidationDepth.SCHEMA_AND_DATA) -> Any:
        current = context.get()
        if current.validation_depth is not None:
            return current  # read, never changed, by the decorator
        if validation_depth_default is ValidationDepth.SCHEMA_AND_DATA:
            return default
        return copying(validation_depth_default)

    validation_depth.get_config_context = depth_only


_no_report_when_passed()
_no_geopandas_lookups()
_depth_without_copies()

__all__ = ["pa", "Series", "hidden", "UNNEEDED"]
