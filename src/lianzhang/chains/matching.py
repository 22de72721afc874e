"""Linking product texts and industry codes to chain nodes (no Django).

Two passes. The recall pass collects every phrase that occurs in the text
(through an index of phrases by their first two characters) and every node that shares
a word with it (jieba segmentation, with node names and keywords added to its
dictionary, through an inverted index). The precise pass scores each candidate node's
phrases against the text:

* a phrase equal to the text (after stripping generic tails such as 系列 / 业务 / 类)
  scores 1.0 (0.9 for a catalogue product);
* a phrase that ends the text keeps the text's head noun (Chinese compounds are
  head-final: 动力锂电池 is a 锂电池) and scores 0.6 + 0.35 × its share of the text;
* a phrase elsewhere in the text changes the head (锂电池设备 is equipment, not a
  battery) and scores at most 0.45;
* shared words alone score at most 0.45.

An industry code listed by the node adds independent evidence:
``1 - (1 - text) × (1 - industry)``. Every match carries its evidence.

>>> m = Matcher([NodeTerms("cells", "电池制造", ["锂离子电池", "电芯"], gbt=["3841"])])
>>> [(x.node, round(x.confidence, 2)) for x in m.match("动力锂离子电池")]
[('cells', 0.85)]
>>> m.match("锂离子电池设备")[0].confidence < 0.5
True
>>> m.match("") == []
True
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl

#: Tails that name a business line rather than a product: 锂盐系列, 隔膜业务, 医学影像类.
GENERIC_TAILS = (
    "业务群",
    "事业部",
    "业务",
    "事业",
    "系列产品",
    "系列",
    "产品",
    "板块",
    "类产品",
    "类",
    "销售",
    "收入",
    "制造",
    "生产",
    "行业",
    "组",
)
#: Words too common to make two texts related on their own.
STOPWORDS = frozenset(
    [
        "的",
        "及",
        "与",
        "和",
        "等",
        "其他",
        "其它",
        "相关",
        "产品",
        "业务",
        "系列",
        "销售",
        "收入",
        "服务",
        "制造",
        "生产",
        "加工",
        "技术",
        "设备",
        "材料",
        "系统",
        "类",
        "其",
        "含",
        "用",
        "专用",
        "新型",
        "高端",
        "智能",
        "器件",
        "组件",
        "部件",
        "配件",
        "工程",
        "项目",
        "解决方案",
        "应用",
        "开发",
        "研发",
        "综合",
        "一体化",
        "平台",
        "中心",
        "模块",
        "集团",
        "公司",
        "有限",
        "分部",
        "抵销",
        "合计",
    ]
)
#: What may follow a phrase without changing what the text names: 计算机视觉算法与系统 is
#: still computer vision, whereas 锂电池设备 or 锂电池检测仪 is not a battery.
_GENERIC_REST = re.compile(r"(?:[与及和、]?(?:系统|平台|软件|算法|解决方案|服务|技术))+")
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_SPLIT = re.compile(r"[、，,；;/|\n\r\t]+")
_SEI_SPLIT = re.compile(r"[、，,；;]+")
_ASCII_WORD = re.compile(r"[a-z0-9]")

logger = logging.getLogger(__name__)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or bracketed notes.

    >>> normalise("ＯＬＥＤ 显示（柔性）")
    'oled显示'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = _PAREN.sub("", text)
    return re.sub(r"\s+", "", text).strip("-_.·")


def strip_tail(text: str) -> str:
    """Drop generic tails: 锂盐系列 → 锂盐, 隔膜业务 → 隔膜 (never down to nothing)."""
    changed = True
    while changed:
        changed = False
        for tail in GENERIC_TAILS:
            if text.endswith(tail) and len(text) - len(tail) >= 2:
                text = text[: -len(tail)]
                changed = True
    return text


def split_products(text: str) -> list[str]:
    """An enterprise's main-product cell into product names: "电芯、储能系统" → two."""
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]


@dataclass(frozen=True)
class NodeTerms:
    """What the matcher knows of one node; ``node`` is any hashable key (str)."""

    node: str
    name: str
    keywords: Sequence[str] = ()
    sei_products: Sequence[str] = ()
    gbt: Sequence[str] = ()


@dataclass(frozen=True)
class Phrase:
    text: str
    node: str
    source: str  # "name" | "keyword" | "sei"
    original: str


@dataclass
class Match:
    node: str
    confidence: float
    evidence: list[dict[str, Any]] = field(default_factory=list)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


class Matcher:
    def __init__(self, nodes: Iterable[NodeTerms], *, sei_weight: float = 0.9) -> None:
        self.nodes = {n.node: n for n in nodes}
        self.sei_weight = sei_weight
        self.phrases: dict[str, list[Phrase]] = defaultdict(list)
        seen: set[tuple[str, str]] = set()
        for n in self.nodes.values():
            for source, terms in (("name", [n.name]), ("keyword", n.keywords)):
                for term in terms:
                    self._add(Phrase(normalise(term), n.node, source, term), seen)
            for product in n.sei_products:
                for part in _SEI_SPLIT.split(normalise(product)):
                    if len(part) >= 3:
                        self._add(Phrase(part, n.node, "sei", product), seen)
        self.tokenizer = _jieba()
        for phrases in self.phrases.values():
            for phrase in phrases:
                if len(phrase.text) >= 2 and phrase.source != "sei":
                    self.tokenizer.add_word(phrase.text, freq=2000)
        self.index: dict[str, set[str]] = defaultdict(set)
        token_nodes: dict[str, set[str]] = defaultdict(set)
        for text, phrases in self.phrases.items():
            for token in self.tokens(text):
                for phrase in phrases:
                    token_nodes[token].add(phrase.node)
                    self.index[token].add(text)
        #: phrases by their first two characters: every phrase inside a text is found
        #: by looking up the text's character bigrams, whatever the segmentation.
        self.by_prefix: dict[str, list[str]] = defaultdict(list)
        for text in self.phrases:
            if len(text) >= 2:
                self.by_prefix[text[:2]].append(text)
        total = max(1, len(self.nodes))
        self.idf = {t: math.log(1 + total / len(ns)) for t, ns in token_nodes.items()}
        self._phrase_tokens: dict[str, frozenset[str]] = {}
        self.by_code: dict[str, list[str]] = defaultdict(list)
        for n in self.nodes.values():
            for code in n.gbt:
                self.by_code[code].append(n.node)

    def _add(self, phrase: Phrase, seen: set[tuple[str, str]]) -> None:
        if not phrase.text or (phrase.text, phrase.node) in seen:
            return
        seen.add((phrase.text, phrase.node))
        self.phrases[phrase.text].append(phrase)

    def tokens(self, text: str) -> list[str]:
        out = []
        for token in self.tokenizer.lcut(text, HMM=False):
            token = token.strip()
            if token and token not in STOPWORDS and (len(token) >= 2 or _ASCII_WORD.match(token)):
                out.append(token)
        return out

    # -- precise pass ---------------------------------------------------------------

    def _phrase_score(self, text: str, phrase: str) -> tuple[float, str]:
        if phrase == text:
            return 1.0, "exact"
        if len(phrase) < 2 or phrase not in text:
            return 0.0, ""
        if _ASCII_WORD.match(phrase[0]) and not _ascii_bounded(text, phrase):
            return 0.0, ""
        share = len(phrase) / len(text)
        if text.endswith(phrase):
            return 0.6 + 0.35 * share, "head"
        rest = text[text.find(phrase) + len(phrase) :]
        if text.startswith(phrase) and _GENERIC_REST.fullmatch(rest):
            return 0.6 + 0.3 * share, "head"
        return 0.25 + 0.2 * share, "modifier"

    def match(self, text: str, industry_code: str = "", threshold: float = 0.0) -> list[Match]:
        """Nodes for one product text (and the enterprise's industry code, if known)."""
        raw = normalise(text)
        core = strip_tail(raw)
        scored: dict[str, Match] = {}
        if core:
            tokens = self.tokens(core)
            candidates: set[str] = set()
            for token in tokens:
                candidates |= self.index.get(token, set())
            for i in range(len(raw) - 1):
                candidates.update(self.by_prefix.get(raw[i : i + 2], ()))
            if core in self.phrases:
                candidates.add(core)
            for phrase_text in candidates:
                score, how = self._phrase_score(core, phrase_text)
                if score == 0.0 and raw != core:
                    score, how = self._phrase_score(raw, phrase_text)
                if score == 0.0:
                    score, how = self._token_score(tokens, phrase_text), "words"
                if score <= 0.0:
                    continue
                for phrase in self.phrases[phrase_text]:
                    value = score * (self.sei_weight if phrase.source == "sei" else 1.0)
                    current = scored.get(phrase.node)
                    evidence = {
                        "kind": phrase.source,
                        "how": how,
                        "term": phrase.original,
                        "text": text,
                        "score": round(value, 3),
                    }
                    if current is None or value > current.confidence:
                        scored[phrase.node] = Match(phrase.node, value, [evidence])
        if industry_code:
            self._add_industry(scored, industry_code)
        out = [m for m in scored.values() if m.confidence >= threshold and m.confidence > 0]
        return sorted(out, key=lambda m: (-m.confidence, m.node))

    def _token_score(self, tokens: list[str], phrase: str) -> float:
        phrase_tokens = self._phrase_tokens.get(phrase)
        if phrase_tokens is None:  # segmenting a phrase once, not once per text
            phrase_tokens = self._phrase_tokens[phrase] = frozenset(self.tokens(phrase))
        shared = set(tokens) & phrase_tokens
        if not shared or not tokens:
            return 0.0
        weight = sum(self.idf.get(t, 1.0) for t in shared)
        cover_text = weight / sum(self.idf.get(t, 1.0) for t in set(tokens))
        cover_phrase = weight / sum(self.idf.get(t, 1.0) for t in phrase_tokens)
        return 0.15 + 0.3 * cover_text * cover_phrase

    def _add_industry(self, scored: dict[str, Match], code: str) -> None:
        nodes = self.by_code.get(code, [])
        if not nodes:
            return
        base = 0.5 if len(nodes) <= 2 else 0.35
        for node in nodes:
            evidence = {"kind": "industry", "term": code, "score": base}
            current = scored.get(node)
            if current is None:
                scored[node] = Match(node, base, [evidence])
            else:
                current.confidence = 1 - (1 - current.confidence) * (1 - base)
                current.evidence.append(evidence)

    def match_enterprise(
        self, main_product: str, industry_code: str = "", threshold: float = 0.3
    ) -> list[Match]:
        """All products of an enterprise's main-product cell, best evidence per node."""
        best: dict[str, Match] = {}
        for product in split_products(main_product):
            for m in self.match(product):
                if m.node not in best or m.confidence > best[m.node].confidence:
                    best[m.node] = m
        if industry_code:
            self._add_industry(best, industry_code)
        out = [m for m in best.values() if m.confidence >= threshold]
        return sorted(out, key=lambda m: (-m.confidence, m.node))

    def match_frame(self, texts: Iterable[str], threshold: float = 0.5) -> pl.DataFrame:
        """Bulk matching: one row per (text, node) at or above ``threshold``."""
        rows: dict[str, list[Any]] = {"text": [], "node": [], "confidence": [], "term": []}
        for text in dict.fromkeys(texts):
            for m in self.match(text, threshold=threshold):
                rows["text"].append(text)
                rows["node"].append(m.node)
                rows["confidence"].append(m.confidence)
                rows["term"].append(m.evidence[0]["term"])
        return pl.DataFrame(
            rows,
            schema={"text": pl.Utf8, "node": pl.Utf8, "confidence": pl.Float64, "term": pl.Utf8},
        )


def _ascii_bounded(text: str, phrase: str) -> bool:
    """An ASCII phrase (AI, PCB, LCD) must not sit inside a longer ASCII word."""
    start = text.find(phrase)
    while start != -1:
        before = text[start - 1] if start else ""
        end = start + len(phrase)
        after = text[end] if end < len(text) else ""
        if not (before.isascii() and before.isalnum()) and not (
            after.isascii() and after.isalnum()
        ):
            return True
        start = text.find(phrase, start + 1)
    return False
