"""Time ``lianzhang innovation rank``: one corpus indexed once, a list of demands ranked.

    python benchmarks/bench_rank.py [--corpus 100000] [--queries 10000] [-k 10] [--seed 7]
        [--files]

The corpus and the queries are generated deterministically (no download) from the
catalogues the package ships (``lianzhang/core/data``: the 4,453 SEI 2018 key products with
their GB/T 4754 codes, the SEI categories, the district list): records written as
capabilities and results are ("…关键工艺与装备", "面向…的成果转化", an indicator now and
then), demands as enterprises write them (boilerplate, an indicator, half of them with an
industry code, some with a minimum TRL). The package's own catalogue copies suffice, so
nothing is read from ``../shared/data`` and nothing is downloaded. With ``--files`` both
lists go through CSV files and ``batch.read_items``, as the CLI reads them. Prints the read
and index times, p50 / p95 / max per query and the peak memory (RSS) of the process.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from lianzhang.innovation import batch

RECORD_TEMPLATES = (
    "{p}关键工艺与装备",
    "{p}的设计、制造与测试服务",
    "面向{c}的{p}成果转化",
    "{p}中试验证平台，可提供{c}相关检测",
    "{p}及其核心部件国产化研制",
    "{c}：{p}产业化技术",
)
QUERY_TEMPLATES = (
    "我司从事{c}，需要{p}方面的技术支持，要求{i}，寻求联合攻关",
    "寻求{p}合作伙伴，提升{i2}，解决量产一致性问题",
    "{p}良率低，希望与高校院所合作开展攻关，指标{i}",
    "急需{p}国产替代方案，{i}，{c}",
    "征集{p}技术难题解决方案：{i}；{i2}",
)
INDICATORS = (
    "{n}nm",
    "≤{n}μm",
    "≥{n}MPa",
    "{n}kWh/Nm³",
    "能量密度≥{n}Wh/kg",
    "≥{n}Gbps",
    "耐温{n}℃",
    "精度{n}mm",
    "效率≥{n}%",
)
KINDS = ("capability", "result", "expert", "platform")


def _catalogue() -> tuple[list[tuple[str, str, str]], list[str]]:
    data = resources.files("lianzhang.core").joinpath("data")
    products = [
        (r["product_or_service"], r["sei_name"], (r["gbt4754_codes"] or "").split("、")[0])
        for r in csv.DictReader(data.joinpath("sei2018_key_products.csv").open(encoding="utf-8"))
    ]
    lines = data.joinpath("districts.csv").read_text("utf-8").splitlines()
    districts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return products, districts


def _indicator(rng: random.Random) -> str:
    return rng.choice(INDICATORS).format(n=rng.choice((3, 5, 7, 12, 15, 28, 45, 90, 300, 400)))


def generate(n_corpus: int, n_queries: int, seed: int) -> tuple[list[batch.Item], list[batch.Item]]:
    rng = random.Random(seed)
    products, districts = _catalogue()
    corpus = []
    for i in range(n_corpus):
        name, category, code = rng.choice(products)
        text = rng.choice(RECORD_TEMPLATES).format(p=name, c=category)
        if rng.random() < 0.3:
            text += "，" + _indicator(rng)
        corpus.append(
            batch.Item(
                f"r{i}",
                text,
                batch.parse_codes(code) if rng.random() < 0.8 else (),
                rng.choice(districts) if rng.random() < 0.7 else "",
                rng.randint(1, 9) if rng.random() < 0.6 else None,
                rng.choice(KINDS),
            )
        )
    queries = []
    for i in range(n_queries):
        name, category, code = rng.choice(products)
        text = rng.choice(QUERY_TEMPLATES).format(
            p=name, c=category, i=_indicator(rng), i2=_indicator(rng)
        )
        queries.append(
            batch.Item(
                f"q{i}",
                text,
                (code[:2],) if code and rng.random() < 0.5 else (),
                rng.choice(districts) if rng.random() < 0.5 else "",
                rng.randint(3, 7) if rng.random() < 0.3 else None,
            )
        )
    return corpus, queries


def _via_files(items: list[batch.Item], key: str, folder: Path) -> list[batch.Item]:
    path = folder / f"{key}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([key, "text", "industry_code", "region", "maturity", "kind"])
        for it in items:
            maturity = "" if it.maturity is None else it.maturity
            out.writerow(
                [it.id, it.text, "、".join(it.industry_codes), it.region, maturity, it.kind]
            )
    return batch.read_items(path, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--files", action="store_true", help="through CSV files, as the CLI")
    args = parser.parse_args()

    t = time.perf_counter()
    corpus, queries = generate(args.corpus, args.queries, args.seed)
    print(
        f"generated {len(corpus):,} records and {len(queries):,} queries in "
        f"{time.perf_counter() - t:.1f} s"
    )
    if args.files:
        with tempfile.TemporaryDirectory() as folder:
            t = time.perf_counter()
            corpus = _via_files(corpus, "id", Path(folder))
            queries = _via_files(queries, "qid", Path(folder))
            print(f"written and read back as CSV in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    ranker = batch.BatchRanker(corpus)
    index_s = time.perf_counter() - t
    print(
        f"index: {index_s:.1f} s ({len(ranker.words.vocabulary):,} terms, "
        f"{ranker.words.weights.nnz:,} word postings, {ranker.grams.weights.nnz:,} bigram "
        "postings)"
    )
    times: list[float] = []
    slowest = (0.0, "")
    empty = 0
    started = time.perf_counter()
    for n, query in enumerate(queries, 1):
        t = time.perf_counter()
        found = ranker.rank(query, args.k)
        times.append((time.perf_counter() - t) * 1000)
        if times[-1] >= max(slowest[0], 100.0):
            slowest = (times[-1], query.text)
        empty += not found
        if n % 1000 == 0:
            print(f"  {n:,} queries, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(
        f"rank: {len(times):,} queries in {time.perf_counter() - started:.1f} s; per query "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms; "
        f"{empty} without a match"
    )
    if slowest[1]:
        print(f"slowest ({slowest[0]:.0f} ms): {slowest[1]!r}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory (RSS): {peak:,.0f} MiB")
    sample = queries[0]
    print(f"example: {sample.id} {sample.text!r}")
    for m in ranker.rank(sample, 3):
        text = ranker.items[int(m.id[1:])].text if m.id[1:].isdigit() else ""
        print(f"  {m.id} {m.score:.3f} {text}  —  {'；'.join(r.zh() for r in m.reasons)}")


if __name__ == "__main__":
    main()
