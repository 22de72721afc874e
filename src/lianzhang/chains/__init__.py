"""产业图谱 / 建圈强链 / 链长制: chains, nodes, enterprise links, health, supporting rate,
relatedness and 招商 targets.

Pure algorithm modules (``matching``, ``health``, ``complexity``, ``targets``,
``templates``) import no Django and work on plain Python and Polars data.
"""
