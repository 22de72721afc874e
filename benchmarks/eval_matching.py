"""Matching quality and latency on the real-data evaluation set.

    python benchmarks/eval_matching.py [--size 100000] [--queries 600]

Prints recall@10, nDCG@10 and query latency (p50, p95) for BM25 alone, the combined
ranking with default weights, and the combined ranking after analysts' marks on a third
of the queries (scored on the other two thirds). Needs the shared data directory
(``$LIANZHANG_SHARED`` or ``<repo>/../shared``) for the ChainKG padding.
"""

from __future__ import annotations

import argparse
import sys
import time

from lianzhang.innovation.evaluation import evaluate, sei_eval_set, shared_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="records in the index")
    parser.add_argument("--queries", type=int, default=600)
    args = parser.parse_args()
    shared = shared_dir()
    if shared is None and args.size > 5000:
        print("shared data not found (set LIANZHANG_SHARED); cannot pad the index", file=sys.stderr)
        return 2
    start = time.perf_counter()
    data = sei_eval_set(shared, size=args.size, queries=args.queries)
    print(data.description)
    _, results = evaluate(data)
    print(f"index + evaluation: {time.perf_counter() - start:.1f} s")
    print(f"{'method':<16}{'recall@10':>10}{'nDCG@10':>10}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for r in results:
        print(
            f"{r.name:<16}{r.recall:>10.3f}{r.ndcg:>10.3f}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}"
            f"{r.queries:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
