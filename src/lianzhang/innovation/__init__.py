"""技术需求清单, 揭榜挂帅 and 成果转化: demands, capabilities, challenges, the transfer pipeline.

The pure modules (``text``, ``bm25``, ``ranking``, ``evaluation``) import no Django.
"""
