"""Chain templates: the file format of a chain, the shipped templates, the SEI catalogue.

A chain file (YAML or JSON) looks like::

    code: energy-storage
    name: 新型储能
    segments:
      upstream:
        - code: es-lithium-salts
          name: 基础锂盐
          kind: material
          gbt: ["2613"]          # GB/T 4754-2017 小类
          sei: ["3.3.10.1"]      # 战略性新兴产业分类（2018）
          keywords: [碳酸锂, 氢氧化锂]
          children: [...]        # finer nodes, same shape

The shipped templates live in ``templates_data/``; the SEI tables are package data of
``lianzhang.core`` (国家统计局《战略性新兴产业分类（2018）》). No Django here.

>>> chains = shipped()
>>> [c.code for c in chains][:3]
['ic', 'display', 'ai']
>>> storage = next(c for c in chains if c.code == "energy-storage")
>>> [n.name for n in storage.walk() if n.depth == 1 and n.segment == "upstream"]
['基础锂盐', '关键材料']
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lianzhang.core.errors import ValidationError

SEGMENTS = ("upstream", "midstream", "downstream")
SEGMENT_NAMES = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
KINDS = ("segment", "product", "component", "material", "equipment", "service")
#: Display order of the shipped chains.
ORDER = (
    "ic",
    "display",
    "ai",
    "satellite-internet",
    "equipment",
    "robots-machine-tools",
    "rail",
    "aerospace",
    "low-altitude",
    "biomedicine",
    "energy-storage",
    "hydrogen",
)


@dataclass
class NodeSpec:
    code: str
    name: str
    segment: str
    kind: str
    gbt: list[str] = field(default_factory=list)
    sei: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    children: list[NodeSpec] = field(default_factory=list)
    depth: int = 1

    def walk(self) -> Iterator[NodeSpec]:
        yield self
        for child in self.children:
            yield from child.walk()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "name": self.name, "kind": self.kind}
        out |= {"gbt": self.gbt, "sei": self.sei, "keywords": self.keywords}
        if self.children:
            out["children"] = [c.as_dict() for c in self.children]
        return out


@dataclass
class ChainSpec:
    code: str
    name: str
    name_en: str = ""
    group: str = ""
    description: str = ""
    nodes: list[NodeSpec] = field(default_factory=list)

    def walk(self) -> Iterator[NodeSpec]:
        for node in self.nodes:
            yield from node.walk()

    def as_dict(self) -> dict[str, Any]:
        segments: dict[str, list[dict[str, Any]]] = {s: [] for s in SEGMENTS}
        for node in self.nodes:
            segments[node.segment].append(node.as_dict())
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "group": self.group,
            "description": self.description,
            "segments": segments,
        }


def _fail(where: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"产业链文件 {where}：{zh}", f"chain file {where}: {en}")


def _node(raw: Any, segment: str, depth: int, where: str) -> NodeSpec:
    if not isinstance(raw, dict) or not raw.get("code") or not raw.get("name"):
        raise _fail(where, "每个节点需要 code 和 name", "every node needs a code and a name")
    kind = str(raw.get("kind", "product"))
    if kind not in KINDS:
        raise _fail(where, f"节点类型 {kind!r} 无效", f"node kind {kind!r} is not one of {KINDS}")
    here = f"{where}/{raw['code']}"
    return NodeSpec(
        code=str(raw["code"]),
        name=str(raw["name"]),
        segment=segment,
        kind=kind,
        gbt=[str(c) for c in raw.get("gbt", []) or []],
        sei=[str(c) for c in raw.get("sei", []) or []],
        keywords=[str(k) for k in raw.get("keywords", []) or []],
        children=[_node(c, segment, depth + 1, here) for c in raw.get("children", []) or []],
        depth=depth,
    )


def parse(data: Any, where: str = "<data>") -> ChainSpec:
    """A chain from the parsed YAML/JSON; ValidationError saying what to fix."""
    if not isinstance(data, dict) or not data.get("code") or not data.get("name"):
        raise _fail(where, "需要 code 和 name", "a chain needs a code and a name")
    segments = data.get("segments") or {}
    unknown = set(segments) - set(SEGMENTS)
    if unknown:
        raise _fail(
            where,
            f"未知环节 {sorted(unknown)}（应为 upstream/midstream/downstream）",
            f"unknown segments {sorted(unknown)} (use upstream/midstream/downstream)",
        )
    nodes = [
        _node(raw, seg, 1, f"{where}:{seg}") for seg in SEGMENTS for raw in segments.get(seg) or []
    ]
    spec = ChainSpec(
        code=str(data["code"]),
        name=str(data["name"]),
        name_en=str(data.get("name_en", "")),
        group=str(data.get("group", "")),
        description=str(data.get("description", "")),
        nodes=nodes,
    )
    codes = [n.code for n in spec.walk()]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise _fail(where, f"节点代码重复：{dupes}", f"duplicate node codes: {dupes}")
    return spec


def read(path: str | Path) -> ChainSpec:
    path = Path(path)
    text = path.read_text("utf-8")
    data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    return parse(data, path.name)


def dump(spec: ChainSpec, fmt: str = "yaml") -> str:
    data = spec.as_dict()
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


@cache
def shipped() -> tuple[ChainSpec, ...]:
    """The chain templates shipped with the package, in display order."""
    folder = resources.files("lianzhang.chains").joinpath("templates_data")
    specs = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            specs[entry.name[:-5]] = parse(yaml.safe_load(entry.read_text("utf-8")), entry.name)
    rank = {code: i for i, code in enumerate(ORDER)}
    return tuple(sorted(specs.values(), key=lambda s: (rank.get(s.code, 99), s.code)))


@dataclass(frozen=True)
class SeiProduct:
    sei_code: str
    sei_name: str
    product: str
    gbt_codes: tuple[str, ...]


def _core_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("lianzhang.core").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def sei_products() -> tuple[SeiProduct, ...]:
    """The 重点产品和服务目录 of 《战略性新兴产业分类（2018）》 (国家统计局)."""
    return tuple(
        SeiProduct(
            r["sei_code"],
            r["sei_name"],
            r["product_or_service"].strip(),
            tuple(c for c in r["gbt4754_codes"].split(";") if c),
        )
        for r in _core_csv("sei2018_key_products.csv")
        if r["product_or_service"].strip()
    )


@cache
def sei_categories() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _core_csv("sei2018_categories.csv")}


def sei_products_under(codes: list[str]) -> list[SeiProduct]:
    """Catalogue products of the given categories and of their sub-categories."""
    prefixes = tuple(codes)
    return [
        p
        for p in sei_products()
        if any(p.sei_code == c or p.sei_code.startswith(c + ".") for c in prefixes)
    ]


def node_terms(specs: Iterable[ChainSpec]) -> list[Any]:
    """Matcher input for every node of ``specs``; keys are ``chain/node`` codes.

    Catalogue products of a node's SEI categories are kept when they share a word with
    the node's name or keywords (a category such as 1.2.3 spans batteries and displays).
    """
    from .matching import NodeTerms, normalise

    out = []
    for spec in specs:
        for node in spec.walk():
            words = [normalise(w) for w in [node.name, *node.keywords]]
            words = [w for w in words if len(w) >= 2]
            products = [
                p.product
                for p in sei_products_under(node.sei)
                if any(w in normalise(p.product) for w in words)
            ]
            out.append(
                NodeTerms(
                    node=f"{spec.code}/{node.code}",
                    name=node.name,
                    keywords=tuple(node.keywords),
                    sei_products=tuple(dict.fromkeys(products)),
                    gbt=tuple(node.gbt),
                )
            )
    return out
