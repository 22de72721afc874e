"""Policy files (YAML, one policy per file) and the policy library.

A policy file names its source (issuer, 文号, URL), its effective period, its mode
(``automatic`` 免申即享 or ``application`` 申报), its confidence, dated parameters, a
criteria tree, scored tables and an award formula. The authoring guide is
``docs/policies/authoring.md``; the built-in library is ``rules/library``.

>>> lib = load_library()
>>> lib.resolve("cn.miit.specialized-sme", dt.date(2026, 3, 31)).id
'cn.miit.2022.specialized-sme'
>>> lib.resolve("cn.miit.specialized-sme", dt.date(2026, 4, 1)).id
'cn.miit.2026.specialized-sme'
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lianzhang.core.errors import LianzhangError, NotFound

from . import syntax as ast
from .syntax import ExprError

LIBRARY = Path(str(resources.files("lianzhang.rules").joinpath("library")))
SCENARIO_SUFFIX = ".scenarios.yaml"
TABLE_SUFFIX = ".table.yaml"  # a data table the rules read (sizes.TABLE), not a policy
MODES = ("automatic", "application")
CONFIDENCE = ("high", "medium", "unverified")


class PolicyError(LianzhangError):
    """A policy or scenario file is wrong; the message names the file and line."""


# ---------------------------------------------------------------- YAML with line numbers


class Located(str):
    """A YAML string that remembers where it was written (1-based line and column)."""

    line: int
    col: int
    block: bool


class _Loader(yaml.SafeLoader):
    pass


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> Located:
    value = Located(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    value.col = node.start_mark.column + 1 + (1 if node.style in ("'", '"') else 0)
    value.block = node.style in ("|", ">")
    return value


_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
# Numbers are read as their text too (``amount: 20`` is an expression that can be wrong):
# every consumer parses them exactly (never as binary floats), and errors keep a position.
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_str)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text("utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise PolicyError(
            f"{where}：YAML 格式错误：{exc}", f"{where}: invalid YAML: {exc}"
        ) from None
    except OSError as exc:
        raise PolicyError(f"无法读取 {path}：{exc}", f"cannot read {path}: {exc}") from None


def where(path: Path, value: object) -> str:
    if isinstance(value, Located):
        return f"{path}:{value.line}:{value.col}"
    return str(path)


def parse_at(path: Path, text: object, what: str) -> ast.Node:
    """Parse an expression written in a file; errors point at the file's line and column."""
    source = str(text) if not isinstance(text, bool) else ("true" if text else "false")
    try:
        return ast.parse(source)
    except ExprError as exc:
        raise located_error(path, text, exc, what) from None


_WHAT_EN = {"条件": "criterion", "定义": "definition", "参数": "parameter", "评分项": "score item"}


def located_error(path: Path, text: object, exc: ExprError, what: str) -> PolicyError:
    line, col = exc.line, exc.col
    if isinstance(text, Located):
        if text.block:
            line, col = _block_position(path, text, exc.line, exc.col)
        else:
            line, col = text.line + exc.line - 1, (text.col + exc.col - 1 if exc.line == 1 else col)
    loc = f"{path}:{line}:{col}"
    word, _, rest = what.partition(" ")
    what_en = f"{_WHAT_EN[word]} {rest}" if word in _WHAT_EN else what
    return PolicyError(f"{loc}：{what}：{exc.reason_zh}", f"{loc}: {what_en}: {exc.reason_en}")


def _block_position(path: Path, text: Located, line: int, col: int) -> tuple[int, int]:
    """Map a position in a ``>`` or ``|`` block back to the file's line and column.

    Both styles join the written lines with one character (a space or a newline), so
    the offset into the string walks the stripped lines of the file below the indicator.
    """
    offset = sum(len(part) + 1 for part in str(text).split("\n")[: line - 1]) + col - 1
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        return text.line + line, col
    for number in range(text.line, len(lines)):  # text.line is the indicator's line
        stripped = lines[number].strip()
        if not stripped:
            continue
        if offset <= len(stripped):
            indent = len(lines[number]) - len(lines[number].lstrip())
            return number + 1, indent + offset + 1
        offset -= len(stripped) + 1
    return text.line + line, col


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    clause: str
    kind: str  # leaf, all, any, not
    expr: ast.Node | None = None
    source: object = None
    children: tuple[Criterion, ...] = ()
    manual: bool = False  # needs a reviewer: never decided by the engine
    unverified: bool = False

    def walk(self) -> Iterable[Criterion]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Band:
    points: Fraction
    start: ast.Node | None = None  # "from": the value at which the band starts
    when: ast.Node | None = None  # or a condition


@dataclass(frozen=True)
class ScoreItem:
    id: str
    label: str
    clause: str
    group: str
    value: ast.Node | None = None
    bands: tuple[Band, ...] = ()
    points: ast.Node | None = None
    cap: Fraction | None = None
    alternatives: tuple[ScoreItem, ...] = ()

    @property
    def max_points(self) -> Fraction:
        if self.alternatives:
            return max(a.max_points for a in self.alternatives)
        if self.bands:
            top = max(b.points for b in self.bands)
            return min(top, self.cap) if self.cap is not None else top
        assert self.cap is not None
        return self.cap

    @property
    def min_points(self) -> Fraction:
        if self.alternatives:
            return max(a.min_points for a in self.alternatives)
        return min(b.points for b in self.bands) if self.bands else Fraction(0)


@dataclass(frozen=True)
class ScoreTable:
    id: str
    label: str
    shared_end: str  # "higher": a value on a shared end takes the higher band (>=)
    items: tuple[ScoreItem, ...]
    group_caps: Mapping[str, Fraction | None]
    cap: Fraction | None = None


@dataclass(frozen=True)
class Award:
    label: str
    amount: ast.Node
    cap: ast.Node | None
    step_fen: int
    rounding: str  # "down" or "half_up"


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    values: tuple[tuple[dt.date, object], ...]  # sorted by date

    def at(self, day: dt.date) -> object:
        chosen = self.values[0][1]
        for start, value in self.values:
            if start <= day:
                chosen = value
        return chosen


@dataclass(frozen=True)
class Policy:
    id: str
    family: str
    title: str
    issuer: str
    doc_number: str
    source_url: str
    effective_from: dt.date
    effective_to: dt.date | None
    mode: str
    confidence: str
    level: str
    criteria: Criterion
    parameters: Mapping[str, Parameter]
    definitions: Mapping[str, ast.Node]
    scores: tuple[ScoreTable, ...]
    award: Award | None
    budget_fen: int | None
    path: Path
    digest: str
    notes: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)
    #: what a one-off award pays for (``once_per``): ("title_grant", title) or ("date", an
    #: enterprise date field); None pays once per budget year (``rules.triggers``)
    once_per: tuple[str, str] | None = None
    #: id(parsed expression) → the text written in the file, so that an error found while
    #: compiling points at the file's line and column
    texts: Mapping[int, object] = field(default_factory=dict, compare=False, repr=False)

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    @property
    def auto_grant(self) -> bool:
        """May an eligible verdict be granted without a reviewer (免申即享)?"""
        return (
            self.mode == "automatic"
            and self.confidence != "unverified"
            and not any(c.unverified or c.manual for c in self.criteria.walk())
        )


# ---------------------------------------------------------------- reading a policy file


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.texts: dict[int, object] = {}

    def fail(self, at: object, zh: str, en: str) -> PolicyError:
        loc = where(self.path, at)
        return PolicyError(f"{loc}：{zh}", f"{loc}: {en}")

    def need(self, data: Mapping[str, Any], key: str, what: str) -> Any:
        if key not in data or data[key] in (None, ""):
            raise self.fail(
                next(iter(data), None), f"缺少 {key}（{what}）", f"missing {key} ({what})"
            )
        return data[key]

    def mapping(self, value: Any, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(value, f"{what} 应为键值表", f"{what} must be a mapping")
        return value

    def expression(self, text: Any, what: str) -> ast.Node:
        if text is None:
            raise self.fail(None, f"{what} 缺少表达式", f"{what}: missing expression")
        node = parse_at(self.path, text, what)
        self.texts[id(node)] = text
        return node

    def number(self, text: Any, what: str) -> Fraction:
        node = self.expression(str(text), what)
        if isinstance(node, ast.Unary) and isinstance(node.operand, ast.Num):
            return -node.operand.value
        if not isinstance(node, ast.Num):
            raise self.fail(text, f"{what} 应为数值", f"{what} must be a number")
        return node.value

    def money_fen(self, text: Any, what: str) -> int:
        node = self.expression(str(text), what)
        if not isinstance(node, ast.Num) or node.unit != "yuan":
            raise self.fail(
                text, f"{what} 应为金额，如 5000万元", f"{what} must be money, e.g. 5000万元"
            )
        return int(node.value)

    def criterion(self, data: Any, seen: set[str]) -> Criterion:
        data = self.mapping(data, "criteria")
        kinds = [k for k in ("all", "any", "not") if k in data]
        cid = str(data.get("id") or "")
        if not cid:
            raise self.fail(next(iter(data)), "每个条件都要有 id", "every criterion needs an id")
        if cid in seen:
            raise self.fail(data["id"], f"条件 id 重复：{cid}", f"duplicate criterion id {cid}")
        seen.add(cid)
        label, clause = str(data.get("label", cid)), str(data.get("clause", ""))
        unverified = data.get("confidence") == "unverified"
        if len(kinds) > 1 or (kinds and "expr" in data):
            raise self.fail(
                data["id"],
                "条件只能是 all、any、not 或 expr 之一",
                "a criterion is one of all, any, not or expr",
            )
        if kinds:
            kind = kinds[0]
            raw = data[kind]
            items = [raw] if kind == "not" else raw
            if not isinstance(items, list) or not items:
                raise self.fail(data["id"], f"{kind} 应为条件列表", f"{kind} takes a list")
            children = tuple(self.criterion(c, seen) for c in items)
            return Criterion(cid, label, clause, kind, children=children, unverified=unverified)
        manual = bool(data.get("manual", False))
        if manual:
            return Criterion(cid, label, clause, "leaf", manual=True, unverified=unverified)
        text = self.need(data, "expr", "条件表达式")
        node = self.expression(text, f"条件 {cid}")
        return Criterion(cid, label, clause, "leaf", node, text, unverified=unverified)

    def item(self, data: Any, group: str) -> ScoreItem:
        data = self.mapping(data, "score item")
        iid = str(self.need(data, "id", "评分项 id"))
        label, clause = str(data.get("label", iid)), str(data.get("clause", ""))
        group = str(data.get("group", group))
        cap = self.number(data["cap"], f"{iid}.cap") if "cap" in data else None
        if "best_of" in data:
            alts = tuple(self.item(a, group) for a in data["best_of"])
            return ScoreItem(iid, label, clause, group, alternatives=alts, cap=cap)
        if "points" in data:
            if cap is None:
                raise self.fail(data["id"], f"{iid}：按公式计分须写 cap（最高分）", "needs a cap")
            return ScoreItem(
                iid, label, clause, group, points=self.expression(data["points"], iid), cap=cap
            )
        bands = []
        for band in self.need(data, "bands", "分档"):
            band = self.mapping(band, "band")
            points = self.number(self.need(band, "points", "分值"), f"{iid} 分值")
            start = self.expression(band["from"], f"{iid} from") if "from" in band else None
            when = self.expression(band["when"], f"{iid} when") if "when" in band else None
            bands.append(Band(points, start, when))
        value = self.expression(data["value"], f"{iid} value") if "value" in data else None
        if any(b.start is not None for b in bands) and value is None:
            raise self.fail(
                data["id"], f"{iid}：按 from 分档须写 value", "bands with from need a value"
            )
        if bands[-1].start is not None or bands[-1].when is not None:
            raise self.fail(
                data["id"],
                f"{iid}：最后一档应为兜底档（只写 points）",
                "the last band must be the fallback (points only)",
            )
        return ScoreItem(iid, label, clause, group, value, tuple(bands), cap=cap)

    def table(self, tid: str, data: Any) -> ScoreTable:
        data = self.mapping(data, f"scores.{tid}")
        shared_end = str(self.need(data, "shared_end", "分档边界归属：higher 或 lower"))
        if shared_end not in ("higher", "lower"):
            raise self.fail(
                data["shared_end"],
                "shared_end 应为 higher（端点归高档，≥）或 lower（端点归低档，>）",
                "shared_end is higher (a shared end goes to the higher band) or lower",
            )
        caps = {
            str(g): (self.number(v["cap"], f"{g}.cap") if v and "cap" in v else None)
            for g, v in (data.get("groups") or {}).items()
        }
        items = tuple(self.item(i, "") for i in self.need(data, "items", "评分项"))
        cap = self.number(data["cap"], "cap") if "cap" in data else None
        return ScoreTable(tid, str(data.get("label", tid)), shared_end, items, caps, cap)

    def parameter(self, name: str, data: Any) -> Parameter:
        data = self.mapping(data, f"parameters.{name}")
        values = self.mapping(self.need(data, "values", "按生效日期的取值"), "values")
        dated: list[tuple[dt.date, object]] = []
        for start, value in values.items():
            if not isinstance(start, dt.date):
                raise self.fail(start, "参数取值的键应为生效日期 YYYY-MM-DD", "keys are dates")
            dated.append((start, value))
        return Parameter(name, str(data.get("label", name)), tuple(sorted(dated, key=_first)))

    def policy(self) -> Policy:
        raw = self.path.read_bytes()
        data = self.mapping(read_yaml(self.path), "policy")
        pid = str(self.need(data, "id", "政策 id，如 cn.miit.2026.little-giant"))
        mode, confidence = (
            str(self.need(data, "mode", "automatic 或 application")),
            str(self.need(data, "confidence", "high、medium 或 unverified")),
        )
        if mode not in MODES:
            raise self.fail(data["mode"], "mode 应为 automatic 或 application", "bad mode")
        if confidence not in CONFIDENCE:
            raise self.fail(data["confidence"], "confidence 应为 high、medium、unverified", "bad")
        effective = self.mapping(self.need(data, "effective", "生效期 from / to"), "effective")
        start, end = effective.get("from"), effective.get("to")
        if not isinstance(start, dt.date) or not (end is None or isinstance(end, dt.date)):
            raise self.fail(data["id"], "effective.from/to 应为日期", "effective dates")
        params = {
            str(k): self.parameter(str(k), v) for k, v in (data.get("parameters") or {}).items()
        }
        defs = {
            str(k): self.expression(v, f"定义 {k}")
            for k, v in (data.get("definitions") or {}).items()
        }
        scores = tuple(self.table(str(k), v) for k, v in (data.get("scores") or {}).items())
        award = None
        if data.get("award"):
            a = self.mapping(data["award"], "award")
            rounding = self.mapping(a.get("round") or {"step": "0.01元", "mode": "down"}, "round")
            award = Award(
                str(a.get("label", "奖励")),
                self.expression(self.need(a, "amount", "金额公式"), "award.amount"),
                self.expression(a["cap"], "award.cap") if a.get("cap") else None,
                self.money_fen(str(rounding.get("step", "0.01元")), "round.step"),
                str(rounding.get("mode", "down")),
            )
        budget = self.money_fen(data["budget"], "budget") if data.get("budget") else None
        once_per = self.once_per(data["once_per"]) if data.get("once_per") else None
        return Policy(
            id=pid,
            family=str(data.get("family") or pid),
            title=str(self.need(data, "title", "政策名称")),
            issuer=str(data.get("issuer", "")),
            doc_number=str(data.get("doc_number", "")),
            source_url=str(data.get("source_url", "")),
            effective_from=start,
            effective_to=end,
            mode=mode,
            confidence=confidence,
            level=str(data.get("level", "local")),
            criteria=self.criterion(self.need(data, "criteria", "条件树"), set()),
            parameters=params,
            definitions=defs,
            scores=scores,
            award=award,
            budget_fen=budget,
            path=self.path,
            digest=hashlib.sha256(raw).hexdigest()[:16],
            notes=str(data.get("notes", "")),
            sources=tuple(str(s) for s in data.get("sources") or ()),
            texts=self.texts,
            once_per=once_per,
        )

    def once_per(self, value: Any) -> tuple[str, str]:
        """``once_per: {title_grant: little_giant}`` or ``{date: above_scale_included_on}``."""
        from lianzhang.core import contract

        data = self.mapping(value, "once_per")
        if len(data) != 1:
            raise self.fail(value, "once_per 只写一个触发事件", "once_per names one trigger")
        kind, name = next(iter(data.items()))
        kind, name = str(kind), str(name)
        if kind == "title_grant" and name in contract.HONOUR_TITLES:
            return kind, name
        dates = [f.name for f in contract.fields("enterprises") if f.kind is contract.Kind.DATE]
        if kind == "date" and name in dates:
            return kind, name
        raise self.fail(
            name,
            f"once_per 应为 {{title_grant: 称号}} 或 {{date: 企业日期字段（{'、'.join(dates)}）}}",
            f"once_per is {{title_grant: a title}} or {{date: one of {', '.join(dates)}}}",
        )


def _first(pair: tuple[dt.date, object]) -> dt.date:
    return pair[0]


def load_policy(path: Path | str) -> Policy:
    """Read one policy file; PolicyError names the file, line and what to write."""
    path = Path(path)
    try:
        return _Reader(path).policy()
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyError(f"{path}：格式错误：{exc}", f"{path}: malformed policy: {exc}") from None


# ---------------------------------------------------------------- the library


@dataclass
class Library:
    policies: dict[str, Policy]

    def families(self) -> dict[str, list[Policy]]:
        out: dict[str, list[Policy]] = {}
        for p in self.policies.values():
            out.setdefault(p.family, []).append(p)
        return out

    def resolve(self, pid: str, as_of: dt.date) -> Policy:
        """A policy id, or a family id resolved to the version in force on ``as_of``."""
        if pid in self.policies:
            return self.policies[pid]
        versions = self.families().get(pid)
        if not versions:
            raise NotFound(f"没有政策 {pid}（lianzhang policies list 查看）", f"no policy {pid}")
        in_force = [p for p in versions if p.in_force(as_of)]
        if not in_force:
            raise NotFound(
                f"{pid} 在 {as_of} 没有生效的版本", f"no version of {pid} is in force on {as_of}"
            )
        return max(in_force, key=lambda p: p.effective_from)

    def select(self, ids: Iterable[str] | None, as_of: dt.date) -> list[Policy]:
        """The named policies, or every policy in force on ``as_of`` (one per family)."""
        if ids:
            return list({p.id: p for p in (self.resolve(i, as_of) for i in ids)}.values())
        chosen = []
        for family, versions in self.families().items():
            if any(p.in_force(as_of) for p in versions):
                chosen.append(self.resolve(family, as_of))
        return sorted(chosen, key=lambda p: p.id)


def policy_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*.yaml") if not p.name.endswith((SCENARIO_SUFFIX, TABLE_SUFFIX))
    )


def load_library(paths: Iterable[Path | str] | None = None) -> Library:
    """Load policy files (default: the built-in national and local library)."""
    policies: dict[str, Policy] = {}
    for root in paths or [LIBRARY]:
        for path in policy_files(Path(root)):
            policy = load_policy(path)
            if policy.id in policies:
                raise PolicyError(
                    f"政策 id 重复：{policy.id}（{path}）", f"duplicate id {policy.id}"
                )
            policies[policy.id] = policy
    return Library(policies)
