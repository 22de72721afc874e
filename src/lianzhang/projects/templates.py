"""Node templates per project category, as data (pure Python).

A template file (YAML) looks like::

    category: industrial          # one of stages.CATEGORIES
    zh: 产业化项目
    en: Industrial project
    milestones:                   # the nodes that mark 立项, 开工, 实质性建设 and 竣工
      approved: filing
      started: groundbreaking
      building: first_works
      completed: completion_acceptance
    nodes:
      - {code: agreement, zh: 签订投资协议, en: Agreement signed, stage: signing, days: 5}
      - {code: registration, zh: 项目公司注册, en: Company registered, stage: landing,
         after: [agreement], days: 10}

A node without ``after`` starts on the project's start date; a node starts when every node
in its ``after`` list has finished, so nodes with the same predecessors run in parallel and
a chain of ``after`` is serial. ``days`` is the default time limit in working days, which a
project's owner refines. The shipped templates (``templates_data/``) are editable defaults:
no official node list with time limits was found (``shared/reference/projects.md``).

>>> t = template("industrial")
>>> len(t.nodes), t.order[0], t.milestones["started"]
(30, 'proposal', 'groundbreaking')
>>> sorted(t.node("land_contract").after)
['land_auction', 'registration']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lianzhang.core.errors import ValidationError

from .stages import BY_CODE as STAGE_BY_CODE
from .stages import CATEGORIES

#: The milestones every template names (for 三未 lists and 集中开工 batches).
MILESTONES = ("approved", "started", "building", "completed")


@dataclass(frozen=True)
class NodeSpec:
    code: str
    zh: str
    en: str
    stage: str
    after: tuple[str, ...] = ()
    days: int = 0


@dataclass(frozen=True)
class Template:
    category: str
    zh: str
    en: str
    nodes: tuple[NodeSpec, ...]
    milestones: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check(self)

    @cached_property
    def by_code(self) -> dict[str, NodeSpec]:
        return {n.code: n for n in self.nodes}

    def node(self, code: str) -> NodeSpec:
        try:
            return self.by_code[code]
        except KeyError:
            raise ValidationError(
                f"模板 {self.category} 没有节点 {code!r}",
                f"template {self.category} has no node {code!r}",
            ) from None

    @cached_property
    def levels(self) -> dict[str, int]:
        """Each node's depth: 0 without predecessors, else one more than its deepest one."""
        return _levels(self)

    @cached_property
    def order(self) -> tuple[str, ...]:
        """The node codes in a topological order (by level, then file order)."""
        position = {n.code: k for k, n in enumerate(self.nodes)}
        return tuple(sorted(position, key=lambda c: (self.levels[c], position[c])))

    @cached_property
    def ancestors(self) -> dict[str, frozenset[str]]:
        """Every node's transitive predecessors."""
        out: dict[str, frozenset[str]] = {}
        for code in self.order:
            after = self.by_code[code].after
            out[code] = frozenset(after).union(*(out[a] for a in after))
        return out


def _fail(where: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{where}：{zh}", f"{where}: {en}")


def _check(t: Template) -> None:
    where = f"节点模板 {t.category}"
    if t.category not in CATEGORIES:
        raise _fail(where, f"未知类别（可选：{', '.join(CATEGORIES)}）", "unknown category")
    if not t.nodes:
        raise _fail(where, "没有节点", "the template has no nodes")
    seen: set[str] = set()
    for n in t.nodes:
        if n.code in seen:
            raise _fail(where, f"节点编码重复：{n.code}", f"duplicate node code {n.code}")
        seen.add(n.code)
        if n.stage not in STAGE_BY_CODE:
            raise _fail(where, f"节点 {n.code} 的阶段未知：{n.stage}", f"unknown stage {n.stage}")
        if isinstance(n.days, bool) or not isinstance(n.days, int) or n.days < 0:
            raise _fail(
                where,
                f"节点 {n.code} 的时限应为非负整数工作日：{n.days!r}",
                f"node {n.code}: days must be a whole number of working days ≥ 0",
            )
    for n in t.nodes:
        for a in n.after:
            if a not in seen:
                raise _fail(
                    where,
                    f"节点 {n.code} 的前置节点不存在：{a}",
                    f"node {n.code} follows unknown node {a}",
                )
    missing = [m for m in MILESTONES if t.milestones.get(m) not in seen]
    if missing:
        raise _fail(
            where,
            f"里程碑未指定或不存在：{', '.join(missing)}",
            f"milestones missing or unknown: {', '.join(missing)}",
        )
    _levels(t)


def _levels(t: Template) -> dict[str, int]:
    by_code = {n.code: n for n in t.nodes}
    levels: dict[str, int] = {}
    visiting: set[str] = set()

    def level(code: str) -> int:
        if code in levels:
            return levels[code]
        if code in visiting:
            raise _fail(
                f"节点模板 {t.category}", f"前置关系成环（经过 {code}）", f"cycle through {code}"
            )
        visiting.add(code)
        after = by_code[code].after
        levels[code] = 1 + max((level(a) for a in after), default=-1)
        visiting.discard(code)
        return levels[code]

    for n in t.nodes:
        level(n.code)
    return levels


def parse(data: Mapping[str, Any], where: str = "template") -> Template:
    """A template from its mapping (a parsed YAML file)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("nodes"), list):
        raise ValidationError(
            f"{where}：模板应为含 nodes 列表的映射", f"{where}: a template is a mapping with nodes"
        )
    nodes = []
    for k, row in enumerate(data["nodes"], start=1):
        try:
            after = row.get("after") or []
            nodes.append(
                NodeSpec(
                    code=str(row["code"]),
                    zh=str(row["zh"]),
                    en=str(row["en"]),
                    stage=str(row["stage"]),
                    after=tuple(str(a) for a in after),
                    days=row.get("days", 0),
                )
            )
        except (KeyError, AttributeError, TypeError) as exc:
            raise ValidationError(
                f"{where} 第 {k} 个节点缺少 code/zh/en/stage：{exc}",
                f"{where} node {k} lacks code/zh/en/stage: {exc}",
            ) from None
    return Template(
        category=str(data.get("category", "")),
        zh=str(data.get("zh", "")),
        en=str(data.get("en", "")),
        nodes=tuple(nodes),
        milestones={str(k): str(v) for k, v in (data.get("milestones") or {}).items()},
    )


def load(path: str | Path) -> Template:
    """Read a template file (YAML or JSON)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(
            f"{path}：不是有效的 YAML：{exc}", f"{path}: bad YAML: {exc}"
        ) from None
    return parse(data, str(path))


@cache
def shipped() -> dict[str, Template]:
    """The shipped templates by category."""
    folder = resources.files("lianzhang.projects") / "templates_data"
    out = {}
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")):
        t = parse(yaml.safe_load(folder.joinpath(name).read_text(encoding="utf-8")), name)
        out[t.category] = t
    return out


def template(category: str) -> Template:
    try:
        return shipped()[category]
    except KeyError:
        names = ", ".join(shipped())
        raise ValidationError(
            f"没有类别 {category!r} 的节点模板（可选：{names}）",
            f"no node template for category {category!r} ({names})",
        ) from None
