"""The form's and the cell's records (fourgood.records): each column declared once, every other
list derived from it, and the frames the stages hand over are what the models say."""

from __future__ import annotations

import sqlite3

import pytest

from fourgood import contract, records
from fourgood.demo import build_demo
from fourgood.rollup import consolidate_paths
from fourgood.spec import load_specs


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    inbox, roster, _ = build_demo(folder, seed=3)
    return folder, inbox, roster


def test_every_list_of_cell_columns_derives_from_the_one_declaration():
    assert contract.ROLLUP_COLUMNS == records.CELL_COLUMNS == tuple(c.name for c in records.CELL)
    assert set(contract.ROLLUP_TEXT) | set(contract.ROLLUP_NUMBERS) == set(records.CELL_COLUMNS) - {"members"} | {
        "members"}
    assert set(records.HISTORY) <= set(records.CELL_COLUMNS)
    assert set(records.FORM_STORED).isdisjoint(records.FORM_PATH)
    assert records.ASSESSED == records.FORM_PATH[:4] + ("sha256",) + records.FORM_PATH[4:] + records.ASSESSED[6:]


def test_a_consolidation_hands_over_frames_the_models_describe(demo, tmp_path):
    folder, inbox, roster = demo
    c = consolidate_paths([str(inbox)], load_specs(), roster=str(roster), store=tmp_path / "kho.sqlite")
    assert list(c.files.columns[:len(records.ASSESSED)]) == list(records.ASSESSED)
    records.FormResult.validate(c.files.drop(columns=["verdict", "reason"]))
    assert list(c.cells.columns[:len(records.CELL_COLUMNS)]) == list(records.CELL_COLUMNS)
    records.CellResult.validate(c.cells)
    with sqlite3.connect(tmp_path / "kho.sqlite") as con:  # the store's cell table: the cell record's history columns
        columns = [r[1] for r in con.execute("PRAGMA table_info(cells)")]
    assert tuple(columns) == records.HISTORY


def test_the_cells_carry_their_chains_parsed_once_beside_the_text(demo):
    from fourgood.structure import CHAIN, chain_from_text

    folder, inbox, roster = demo
    c = consolidate_paths([str(inbox)], load_specs(), roster=str(roster))
    assert len(c.cells) and all(isinstance(ch, tuple) and ch for ch in c.cells[CHAIN])
    assert [chain_from_text(t) for t in c.cells["org_chain"]] == list(c.cells[CHAIN])


def test_a_model_rejects_a_frame_missing_a_declared_column():
    import pandas as pd
    from pandera.errors import SchemaError

    frame = pd.DataFrame({c: [] for c in records.CELL_COLUMNS if c != "status"})
    with pytest.raises(SchemaError):
        records.CellResult.validate(frame)


def test_the_columns_a_workbook_to_roll_up_must_carry_stay_those_of_the_first_roll_up_sheet():
    """A column added to the cell record must not make every earlier consolidated workbook unreadable."""
    from fourgood.validators.frames import ROLLUP_REQUIRED

    assert contract.ROLLUP_REQUIRED == ROLLUP_REQUIRED
    assert set(contract.ROLLUP_REQUIRED) == set(records.CELL_COLUMNS) - {"threshold", "org_chain"}
