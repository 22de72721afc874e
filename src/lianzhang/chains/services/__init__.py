"""Use cases of the chains app: the only writers of its tables.

Split by topic: ``editing`` (chains and nodes), ``chain_files`` (chain YAML/JSON export and
import), ``linking`` (enterprise → node links) and ``imports`` (purchases, outside companies,
listings, region tables). The names are re-exported here so callers can keep writing
``services.link_enterprises``; the submodules import each other directly, never this package.
"""

from .chain_files import export_chain, import_chain, import_chain_text, spec_of
from .editing import (
    add_node,
    get_chain,
    load_templates,
    merge_nodes,
    move_node,
    save_spec,
    today,
    update_node,
)
from .imports import (
    LISTING_HEADERS,
    REGION_HEADERS,
    SUPPLY_HEADERS,
    import_listings,
    import_outside_companies,
    import_region_table,
    import_supply,
    read_outside_companies,
)
from .linking import LinkReport, add_manual_link, decide_link, link_enterprises, matcher_for

__all__ = [
    "LISTING_HEADERS",
    "REGION_HEADERS",
    "SUPPLY_HEADERS",
    "LinkReport",
    "add_manual_link",
    "add_node",
    "decide_link",
    "export_chain",
    "get_chain",
    "import_chain",
    "import_chain_text",
    "import_listings",
    "import_outside_companies",
    "import_region_table",
    "import_supply",
    "link_enterprises",
    "load_templates",
    "matcher_for",
    "merge_nodes",
    "move_node",
    "read_outside_companies",
    "save_spec",
    "spec_of",
    "today",
    "update_node",
]
