"""The benchmarks' one timer: best wall and CPU time of ``repeat`` runs, with peak RSS."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(label: str, func: Callable[[], T], repeat: int = 1) -> T:
    """Run ``func`` (best of ``repeat``: the machine is shared) and print time and peak RSS."""
    best = cpu = float("inf")
    result: T
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shown = f"{label} (best of {repeat})" if repeat > 1 else label
    print(f"{shown:70} {best:7.3f} s wall {cpu:7.3f} s CPU   peak RSS {peak:6.0f} MB")
    return result
