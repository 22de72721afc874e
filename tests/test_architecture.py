"""The shape of the code, checked: file sizes, an import graph without circles, and
permission decisions in one module. The layer contracts themselves are import-linter's
(``[tool.importlinter]`` in pyproject.toml, run by ``.ci/run``); this file checks what a
contract cannot express.
"""

from __future__ import annotations

import re
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "lianzhang"
MAX_LINES = 600


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_no_source_file_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by topic (over {MAX_LINES} lines): {long}"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(name)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a.b")
    graph.add_import(importer="a.d", imported="a.b")
    assert _cycles(graph) == [["a.b", "a.c"]]


def test_the_import_graph_has_no_circles() -> None:
    """Every import, function-level ones included: a lazy import still ties two modules."""
    graph = grimp.build_graph("lianzhang", cache_dir=None)
    assert _cycles(graph) == []


#: What a role check looks like in Python: asking for a user's role, comparing with a role
#: (by name or by value), a constant of roles, or filtering users by role or by Django's
#: superuser/staff flags. Naming a role as data (the demo's logins) is not a check.
#: ("district" and "enterprise" are also names of columns and kinds, so only the roles'
#: constants and the two bureau roles' values count.)
ROLES = r"(Role\.(ADMIN|ANALYST|DISTRICT|ENTERPRISE)|[\"'](admin|analyst)[\"'])"
ROLE_CHECK = re.compile(
    r"\brole_of\(|[=!]=\s*" + ROLES + r"|" + ROLES + r"\s*[=!]="
    r"|\bin\s*\(\s*" + ROLES + r"|\bBUREAU\b"
    r"|\.role\s*(==|!=|\bin\b)|profile__role|\bis_superuser\b|\bis_staff\b"
)
#: accounts owns the vocabulary: access.py decides, models.py defines, services.py creates.
ALLOWED = {"accounts/access.py", "accounts/models.py", "accounts/services.py"}


@pytest.mark.parametrize(
    "line",
    [
        "if role_of(user) in BUREAU:",
        "ours = role == Role.ENTERPRISE",
        "User.objects.filter(profile__role__in=x)",
        "User.objects.filter(is_superuser=True)",
        "if request.user.profile.role == 'district':",
        'if kind == "admin":',
        'if role not in ("analyst", "admin"):',
        "if who in (Role.ADMIN, Role.ANALYST):",
    ],
)
def test_role_check_pattern_catches(line: str) -> None:
    assert ROLE_CHECK.search(line)


@pytest.mark.parametrize(
    "line", ['("admin", "lianzhang-admin", Role.ADMIN, "", False),', "create_user(name, role)"]
)
def test_role_check_pattern_lets_data_through(line: str) -> None:
    assert not ROLE_CHECK.search(line)


def test_role_checks_live_only_in_accounts_access() -> None:
    offenders = [
        f"{p.relative_to(SRC)}:{number}: {text.strip()}"
        for p in _sources()
        if str(p.relative_to(SRC)) not in ALLOWED
        for number, text in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_CHECK.search(text)
    ]
    assert offenders == [], "ask accounts.access instead:\n" + "\n".join(offenders)
