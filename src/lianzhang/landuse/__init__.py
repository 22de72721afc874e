"""亩均论英雄: land-efficiency evaluation with schemes as data (pure core, no Django).

``scheme`` loads and checks a scheme file (one per region and year, under ``schemes/``);
``evaluate`` scores enterprises with Polars and puts them in classes; ``explain`` writes
the per-firm sentences ("亩均税收 18.1 万元/亩，基准 24.1，得 22.5 分（满分 30）").
"""

from .evaluate import evaluate, records, to_json
from .explain import explain
from .scheme import SCHEMES, Scheme, load, load_scheme

__all__ = ["SCHEMES", "Scheme", "evaluate", "explain", "load", "load_scheme", "records", "to_json"]
