"""Chinese text for matching: normalisation, segmentation, a domain dictionary, synonyms.

Pure Python (no Django). The domain dictionary comes from the catalogues the package
ships: GB/T 4754-2017 class names and the 战略性新兴产业分类（2018） categories and key
products, cut into the short terms a demand or a result is written with. Without it jieba
splits 碳化硅 or 光刻胶 into single characters and BM25 matches noise.

>>> normalise("  Ｈｉｇｈ-Ｋ　介质（ALD） ")
'high-k 介质(ald)'
>>> tokens("碳化硅功率器件的封装测试", expand=False)
['碳化', '化硅', '碳化硅', '=碳化硅', '功率', '器件', '封装', '测试']
>>> "锂离子电池" in tokens("锂电池隔膜")
True
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

#: Words that carry no meaning for matching (function words, boilerplate of demands).
_STOPWORDS = """
    的 了 和 与 及 或 等 其 其他 其它 以及 包括 用于 采用 基于 相关 方面 进行 实现 具有 一种
    技术 研究 开发 研发 需求 问题 解决 提供 服务 产品 制造 生产 系统 设备 装置 方法 应用
    有限公司 公司 有限 责任 股份 集团 我们 需要 希望 要求 能够 可以 以上 以下 不低于 达到
    指 支持 主要 新型 及其 各类 各种 专用 配套 领域 行业 产业 业务 项目 工程 工作
    """
STOPWORDS = frozenset(_STOPWORDS.split())

#: Domain synonyms: a demand says 锂电 where a result says 锂离子电池. Each group is
#: expanded to all its members, so either spelling finds the other.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("锂电池", "锂电", "锂离子电池"),
    ("芯片", "集成电路", "ic"),
    ("半导体", "晶圆"),
    ("新能源汽车", "电动汽车", "电动车"),
    ("动力电池", "动力蓄电池"),
    ("燃料电池", "氢燃料电池"),
    ("光伏", "太阳能电池", "太阳能"),
    ("无人机", "无人驾驶航空器"),
    ("机器人", "机械臂"),
    ("人工智能", "ai", "智能算法"),
    ("5g", "第五代移动通信"),
    ("激光器", "激光"),
    ("传感器", "传感"),
    ("显示面板", "显示屏", "液晶面板"),
    ("复合材料", "复材"),
    ("碳纤维", "碳纤"),
    ("数控机床", "机床"),
    ("工业软件", "cad", "cae"),
    ("医疗器械", "医疗设备"),
    ("疫苗", "免疫制剂"),
    ("创新药", "新药"),
    ("储能", "储能系统"),
    ("氢能", "制氢", "氢气"),
    ("轨道交通", "地铁", "城轨"),
    ("航空发动机", "燃气涡轮发动机"),
    ("物联网", "iot"),
    ("大数据", "数据分析"),
    ("云计算", "云平台"),
    ("网络安全", "信息安全"),
    ("检测", "检验", "测试"),
    ("节能", "降耗"),
    ("污水处理", "废水处理"),
)

_SPACE = re.compile(r"\s+")
_SPLIT = re.compile(
    r"[，,、；;：:。.（）()\[\]【】《》<>“”\"'‘’/\\|+＋·•\-—–_~～!?！？%％=＝≥≧≤≦>]+"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LOCK = threading.Lock()


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower case, one space between words."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def _pieces(name: str) -> Iterator[str]:
    """Terms worth adding to the dictionary from one catalogue name."""
    for part in _SPLIT.split(normalise(name)):
        part = part.strip()
        for word in re.split(r"(?:及|和|与|或|等)", part):
            word = word.strip().removeprefix("其他").removeprefix("其它")
            if 2 <= len(word) <= 8 and _CJK.search(word) and word not in STOPWORDS:
                yield word


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("lianzhang.core").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def domain_terms() -> frozenset[str]:
    """Terms from GB/T 4754 class names, SEI categories and SEI key products."""
    names: list[str] = [r["name"] for r in _read("gbt4754_2017.csv")]
    names += [r["name"] for r in _read("sei2018_categories.csv")]
    names += [r["product_or_service"] for r in _read("sei2018_key_products.csv")]
    words = {w for n in names for w in _pieces(n)}
    words |= {w for group in SYNONYMS for w in group if _CJK.search(w)}
    # Manufacturing suffixes make long names; the stem alone is the useful term.
    stems = {w.removesuffix("制造") for w in words if w.endswith("制造") and len(w) > 4}
    return frozenset(words | stems)


@cache
def _synonym_map() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for group in SYNONYMS:
        for word in group:
            out[word] = group
    return out


@cache
def _tokenizer() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in sorted(domain_terms()):
        # A frequency high enough that jieba prefers the whole term, but not so high that
        # it glues a term to its neighbours.
        tokenizer.add_word(word, freq=2000)
    return tokenizer


#: Prefix of a whole-word token: 电解铜 as a word of its own, not a piece of 电解铜箔.
WHOLE = "="


def _search_cut(tokenizer: Any, text: str) -> Iterator[str]:
    """jieba's search mode, plus the dictionary words of four or more characters inside a
    longer word (集成电路制造 also gives 集成电路, which jieba's 2- and 3-grams miss), plus
    each word of three or more characters once more as a whole-word token, so that a
    record naming exactly what was asked outranks one that only contains it as a piece."""
    freq = tokenizer.FREQ
    for word in tokenizer.cut(text, HMM=True):
        n = len(word)
        for size in range(2, n):
            for i in range(n - size + 1):
                gram = word[i : i + size]
                if freq.get(gram):
                    yield gram
        yield word
        if n >= 3 and _CJK.search(word) and word not in STOPWORDS:
            yield WHOLE + word


def precise(text: str) -> set[str]:
    """The words of jieba's precise cut (no overlapping pieces), for showing reasons."""
    with _LOCK:
        tokenizer = _tokenizer()
    return {w for w in tokenizer.lcut(normalise(text)) if len(w) > 1}


def tokens(text: str, *, expand: bool = True) -> list[str]:
    """Search-mode tokens: whole terms and their parts, stopwords and punctuation dropped.

    Repeats are kept (BM25 counts them). With ``expand`` each token that belongs to a
    synonym group brings the rest of the group along.
    """
    clean = normalise(text)
    if not clean:
        return []
    with _LOCK:  # jieba's tokenizer is not thread-safe while it loads
        tokenizer = _tokenizer()
    out: list[str] = []
    for raw in _search_cut(tokenizer, clean):
        word = raw.strip()
        if not word or word in STOPWORDS or _SPLIT.fullmatch(word):
            continue
        if len(word) == 1 and (_CJK.match(word) or not word.isalnum()):
            continue
        out.append(word)
        if expand and not word.startswith(WHOLE):
            out.extend(w for w in _synonym_map().get(word, ()) if w != word)
    return out


def tokens_many(texts: Iterable[str], *, expand: bool = True) -> list[list[str]]:
    return [tokens(t, expand=expand) for t in texts]
