"""梯度培育: the city's enterprises by tier, the candidates for the next one, and targets.

The tiers are read, not stored: titles from the registry's honours, 规上 from the yearly
indicators (``core.scale``), 上市 from the chains' listing register. This app adds only
what no other holds: yearly targets per district and the listing pipeline (上市后备).
"""
