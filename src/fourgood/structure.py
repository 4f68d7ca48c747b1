"""The party structure above each cell: a chain of organisations from the province down.

Since 2025 there is no fixed set of levels (domain.md): a village cell sits under a commune
committee directly under the province; an agency cell may sit under a departmental committee,
a grassroots committee and one of the two provincial agency committees. So the structure is
data: each cell carries its chain (root first), taken from the roster when the board has one,
else from what the form says (province, upper-level committee, grassroots committee). A chain
is stored as JSON text (hashable, and written as is to the hidden roll-up sheet).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .spec import fold

# Kinds of organisation, in the order they usually nest.
PROVINCE, UPPER, GRASSROOTS, DEPARTMENT = "province", "upper", "grassroots", "department"
KINDS = (PROVINCE, UPPER, GRASSROOTS, DEPARTMENT)
KIND_LABELS: dict[str, tuple[str, str]] = {
    PROVINCE: ("Đảng bộ tỉnh", "Province committee"),
    UPPER: ("Cấp trên trực tiếp cơ sở", "Upper-level committee"),
    GRASSROOTS: ("Tổ chức cơ sở đảng", "Grassroots organisation"),
    DEPARTMENT: ("Đảng bộ bộ phận", "Departmental committee"),
}
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
    orphans = any(not c for c in chains)  # cells whose forms name no organisation at all
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

    def ordered(orgs: list[Org]) -> list[Org]:
        return sorted(orgs, key=lambda o: fold(o.name)) if by_name else orgs

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
