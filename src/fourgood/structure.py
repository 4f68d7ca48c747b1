"""The party structure above each cell: a chain of organisations from the province down.

Since 2025 there is no fixed set of levels (domain.md): a village cell sits under a commune
committee directly under the province; an agency cell may sit under a departmental committee,
a grassroots committee and one of the two provincial agency committees. So the structure is
data: each cell carries its chain (root first), taken from the roster when the board has one,
else from what the form says (province, upper-level committee, grassroots committee). A chain
is written as JSON text (`org_chain`: the hidden roll-up sheet, the roster, the history store);
the frames carry it parsed too (`chain`, tuples of `Org`): it is parsed once, where it comes in
(`with_chains`), and every stage after reads the parsed one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from .spec import fold
from .vocab import Level

# Kinds of organisation, in the order they usually nest (the levels a roster gives).
PROVINCE, UPPER, GRASSROOTS, DEPARTMENT = Level.PROVINCE.value, Level.UPPER.value, Level.GRASSROOTS.value, Level.DEPARTMENT.value
KINDS = (PROVINCE, UPPER, GRASSROOTS, DEPARTMENT)
# Rows of the summary by level that are not organisations of the roster: a cell directly under the
# level above the grassroots is a grassroots organisation itself (chi bộ cơ sở, Quy định 294-QĐ/TW);
# the cells directly under an organisation that also has organisations under it are one row.
GRASSROOTS_CELL, DIRECT = "grassroots_cell", "direct_cells"
ABOVE_GRASSROOTS = (PROVINCE, UPPER)  # a cell directly under one of these is a grassroots cell
KIND_LABELS: dict[str, tuple[str, str]] = {
    PROVINCE: ("Đảng bộ tỉnh", "Province committee"),
    UPPER: ("Cấp trên trực tiếp cơ sở", "Upper-level committee"),
    GRASSROOTS: ("Tổ chức cơ sở đảng", "Grassroots organisation"),
    DEPARTMENT: ("Đảng bộ bộ phận", "Departmental committee"),
    GRASSROOTS_CELL: ("Chi bộ cơ sở", "Grassroots cell"),
    DIRECT: ("Chi bộ trực thuộc", "Party cells"),
}
DIRECT_ROW = ("Các chi bộ trực thuộc", "Cells directly under it")  # the name of a DIRECT row
GRASSROOTS_LEVELS = (GRASSROOTS, GRASSROOTS_CELL)  # the grassroots organisations (sheet "Đảng bộ cơ sở")
GRASSROOTS_CELL_MARK = ("(chi bộ cơ sở)", "(grassroots cell)")  # its grassroots column in the cell lists
ORPHANS = ("Chi bộ chưa rõ tổ chức cấp trên", "Cells naming no organisation")
KIND_ALIASES = {
    PROVINCE: ("tinh", "thanh pho", "dang bo tinh", "dang bo thanh pho", "province", "city"),
    UPPER: ("cap tren co so", "cap tren truc tiep co so", "cap uy cap tren co so", "upper", "upper level"),
    GRASSROOTS: ("co so", "to chuc co so dang", "dang bo co so", "chi bo co so", "grassroots"),
    DEPARTMENT: ("bo phan", "dang bo bo phan", "department", "departmental"),
}
TOTAL_ID = "*"  # the node above several top organisations (forms that name no province)


def kind_from_text(text: object) -> str | None:
    key = fold(str(text or ""))
    if not key:
        return None
    for kind, aliases in KIND_ALIASES.items():
        if key in aliases or key == kind:
            return kind
    return None


def kind_label(kind: str, lang: str) -> str:
    vi, en = KIND_LABELS.get(kind, ("Toàn bộ", "All"))
    return en if lang == "en" else vi


def guess_kind(parent_kind: str | None) -> str:
    """A level the roster left blank, from its place: the top is the province; under the province,
    the level directly above the grassroots (Quy định 294-QĐ/TW: a commune or ward committee, or a
    provincial agency committee); under that, a grassroots organisation; under a grassroots or
    departmental committee, a departmental committee (never a second grassroots organisation)."""
    if parent_kind is None:
        return PROVINCE
    return {PROVINCE: UPPER, UPPER: GRASSROOTS}.get(parent_kind, DEPARTMENT)


@dataclass(frozen=True)
class Org:
    """One organisation of a chain: a stable id (the roster's code, or a key from its name)."""

    id: str
    name: str
    kind: str


Chain = tuple[Org, ...]


def chain_to_text(chain: Sequence[Org]) -> str:
    return json.dumps([[o.id, o.name, o.kind] for o in chain], ensure_ascii=False, separators=(",", ":"))


def chain_from_text(text: object) -> Chain:
    """A chain back from its JSON; an empty chain for anything unreadable."""
    if not isinstance(text, str) or not text.startswith("["):
        return ()
    try:
        items = json.loads(text)
        return tuple(Org(str(i), str(n), str(k)) for i, n, k in items)
    except (ValueError, TypeError):
        return ()


def name_key(name: str) -> str:
    """Id of an organisation known only by name: case, diacritics and spacing do not matter."""
    return "~" + fold(name)


def chain_from_names(province: str, upper: str, grassroots: str) -> Chain:
    """The chain a form describes: province, upper-level committee, grassroots committee (blanks dropped).

    Ids join the names above, so the same name under two parents stays two organisations.
    """
    out: list[Org] = []
    for name, kind in ((province, PROVINCE), (upper, UPPER), (grassroots, GRASSROOTS)):
        name = " ".join(str(name or "").split())
        if not name or (out and fold(out[-1].name) == fold(name)):
            continue
        parent = out[-1].id if out else ""
        out.append(Org(f"{parent}{name_key(name)}", name, kind))
    return tuple(out)


def is_grassroots_cell(chain: Sequence[Org]) -> bool:
    """A cell directly under the province or the level directly above the grassroots (chi bộ cơ sở)."""
    return bool(chain) and chain[-1].kind in ABOVE_GRASSROOTS


def level_names(chain: Sequence[Org]) -> tuple[str, str]:
    """(the organisation directly above the grassroots, the grassroots organisation) of a cell with
    this chain, from the levels the chain states; the second is '' for a grassroots cell."""
    if not chain:
        return "", ""
    if is_grassroots_cell(chain):
        return chain[-1].name, ""
    g = next((i for i, o in enumerate(chain) if o.kind == GRASSROOTS), None)
    if g is None:  # no level says grassroots: the first organisation below the upper levels is
        g = next((i for i, o in enumerate(chain) if o.kind not in ABOVE_GRASSROOTS), len(chain) - 1)
    return (chain[g - 1].name if g > 0 else ""), chain[g].name


def row_chains(chains: Sequence[Chain], codes: Sequence[str], names: Sequence[str], lang: str = "vi") -> list[Chain]:
    """Each cell's chain down to the row of the summary by level it counts in directly, so that the
    figures of every organisation are the sum of the rows right below it: a grassroots cell is a row
    of its own (kind GRASSROOTS_CELL); the cells directly under an organisation that also has
    organisations under it share one row, "Các chi bộ trực thuộc" (kind DIRECT); so do the cells
    whose forms name no organisation (under the total node)."""
    has_sub = {c[i].id for c in chains for i in range(len(c) - 1)}
    direct = DIRECT_ROW[1] if lang == "en" else DIRECT_ROW[0]
    orphans = ORPHANS[1] if lang == "en" else ORPHANS[0]
    out: list[Chain] = []
    for chain, code, name in zip(chains, codes, names):
        if not chain:
            out.append((Org(DIRECT_MARK, orphans, DIRECT),))
        elif is_grassroots_cell(chain):
            label = name if isinstance(name, str) and name.strip() else str(code)
            out.append((*chain, Org(CELL_MARK + str(code), label, GRASSROOTS_CELL)))
        elif chain[-1].id in has_sub:
            out.append((*chain, Org(chain[-1].id + DIRECT_MARK, direct, DIRECT)))
        else:
            out.append(chain)
    return out


CELL_MARK, DIRECT_MARK = "@", "@*"  # ids of the rows row_chains adds (roster codes and name keys have no '@')


@dataclass(frozen=True)
class Node:
    """An organisation in the tree of a consolidation, with its place for display."""

    id: str
    name: str
    kind: str
    depth: int
    parent: str
    order: int


def tree(chains: Iterable[Chain], lang: str = "vi", by_name: bool = False) -> dict[str, Node]:
    """Every organisation of the chains, in display order: depth first, children in the order they
    first appear (the roster's order), or by name (`by_name`, for a tree built from forms).

    When the chains do not share one top organisation, a total node (id `TOTAL_ID`) heads them.
    """
    chains = list(chains)
    # cells whose forms name no organisation at all (or their row, from row_chains): under a total node
    orphans = any(not c or c[0].id == DIRECT_MARK for c in chains)
    chains = [c for c in chains if c]
    children: dict[str, list[Org]] = {}
    seen: set[str] = set()
    tops: list[Org] = []
    for chain in chains:
        for depth, org in enumerate(chain):
            if org.id in seen:
                continue
            seen.add(org.id)
            if depth == 0:
                tops.append(org)
            else:
                children.setdefault(chain[depth - 1].id, []).append(org)
    nodes: dict[str, Node] = {}

    def ordered(orgs: list[Org]) -> list[Org]:  # by name: organisations, then grassroots cells, then the rest
        rank = {GRASSROOTS_CELL: 1, DIRECT: 2}
        return sorted(orgs, key=lambda o: (rank.get(o.kind, 0), fold(o.name))) if by_name else orgs

    def walk(org: Org, depth: int, parent: str) -> None:
        nodes[org.id] = Node(org.id, org.name, org.kind, depth, parent, len(nodes))
        for child in ordered(children.get(org.id, [])):
            walk(child, depth + 1, org.id)

    if len(tops) == 1 and not orphans:
        walk(tops[0], 0, "")
    else:
        nodes[TOTAL_ID] = Node(TOTAL_ID, "Toàn bộ" if lang != "en" else "All", "", 0, "", 0)
        for top in ordered(tops):
            walk(top, 1, TOTAL_ID)
    return nodes


def ancestors(chain: Chain, nodes: dict[str, Node]) -> list[str]:
    """Ids of every node a cell with this chain counts under (the total node too)."""
    ids = [o.id for o in chain if o.id in nodes]
    return ([TOTAL_ID] if TOTAL_ID in nodes else []) + ids


CHAIN = "chain"  # the frames' column of parsed chains (beside `org_chain`, their text)


def parse_chains(texts: Iterable[object]) -> list[Chain]:
    """Chains from their JSON text, each distinct text parsed once."""
    memo: dict[str, Chain] = {}
    out: list[Chain] = []
    for text in texts:
        if not isinstance(text, str):
            out.append(())
            continue
        if text not in memo:
            memo[text] = chain_from_text(text)
        out.append(memo[text])
    return out


def with_chains(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its chains parsed (`chain`), from its `org_chain` text: where rows come in
    (the roster, a lower level's workbook, the history store). A frame that has them is returned as is."""
    if CHAIN in frame or "org_chain" not in frame:
        return frame
    return frame.assign(**{CHAIN: pd.Series(parse_chains(frame["org_chain"]), index=frame.index, dtype=object)})


def frame_row_chains(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Each row's chain down to the row of the summary by level it counts in directly (structure.row_chains)."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    frame = with_chains(frame)
    chains: list[Chain] = ([c if isinstance(c, tuple) else () for c in frame[CHAIN]] if CHAIN in frame
                           else [()] * len(frame))
    names = frame["cell_name"] if "cell_name" in frame else frame["cell_code"]
    return pd.Series(row_chains(chains, list(frame["cell_code"]), list(names), lang), index=frame.index, dtype=object)


def node_info(nodes: dict[str, Node]) -> pd.DataFrame:
    return pd.DataFrame([{"node": n.id, "name": n.name, "kind": n.kind, "depth": n.depth, "parent": n.parent,
                          "order": n.order} for n in nodes.values()])


def all_cells_4good(meets: pd.Series, cells: pd.Series, kind: pd.Series) -> pd.Series:
    """Whether every cell under an organisation is 4-good (the "100% of the cells" criterion); None
    for a row with no cells under it (a grassroots cell, the cells directly under an organisation)."""
    yes = ((meets == cells) & (cells > 0)).astype(object)
    return yes.where(~kind.isin([GRASSROOTS_CELL, DIRECT]), None)
