"""Matching quality and latency on the real-data evaluation set.

    python benchmarks/eval_matching.py [--size 100000] [--queries 600] [--makers 300]

Two labelled tasks in one index of ``--size`` records (see
``lianzhang.innovation.evaluation.real_eval_set``): SEI 2018 key products (relevance = same
leaf category) and ChainKG "who makes it" (relevance = the companies that make the named
product). Prints recall@10, nDCG@10 and per-query latency (p50, p95) for BM25 alone, the
combined ranking with default weights, and the combined ranking after an analyst's marks on
a third of the queries (all scored on the other two thirds). Needs the shared data
directory (``$LIANZHANG_SHARED`` or ``<repo>/../shared``) for ChainKG.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from lianzhang.innovation.evaluation import evaluate, real_eval_set, shared_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="records in the index")
    parser.add_argument("--queries", type=int, default=600, help="SEI queries")
    parser.add_argument("--makers", type=int, default=300, help="ChainKG queries")
    args = parser.parse_args()
    shared = shared_dir()
    if shared is None and args.size > 5000:
        print(
            "shared data not found (set LIANZHANG_SHARED); cannot fill the index", file=sys.stderr
        )
        return 2
    start = time.perf_counter()
    data = real_eval_set(shared, size=args.size, queries=args.queries, maker_queries=args.makers)
    print(data.description)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    _, results = evaluate(data)
    print(f"index + evaluation: {time.perf_counter() - start:.1f} s")
    header = f"{'task':<8}{'method':<16}{'recall@10':>10}{'nDCG@10':>10}{'p50 ms':>9}{'p95 ms':>9}"
    print(header + f"{'queries':>9}")
    for r in sorted(results, key=lambda r: (r.task != "all", r.task)):
        print(
            f"{r.task:<8}{r.name:<16}{r.recall:>10.3f}{r.ndcg:>10.3f}{r.p50_ms:>9.1f}"
            f"{r.p95_ms:>9.1f}{r.queries:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
