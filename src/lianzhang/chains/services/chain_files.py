"""Chain files: a chain as a YAML/JSON spec, written out and read back in.

Export turns the database tree into the same spec the shipped templates use; import
parses a file (or an upload) and saves it through ``editing.save_spec``.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from lianzhang.core.errors import ValidationError

from .. import templates
from ..models import Chain, Node
from .editing import save_spec


def spec_of(chain: Chain) -> templates.ChainSpec:
    """The chain as it stands in the database, as a file spec (for export)."""
    nodes = list(chain.nodes.all())
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(node: Node, depth: int) -> templates.NodeSpec:
        return templates.NodeSpec(
            code=node.code,
            name=node.name,
            segment=node.segment,
            kind=node.kind,
            gbt=list(node.gbt_codes),
            sei=list(node.sei_codes),
            keywords=list(node.keywords),
            children=[build(c, depth + 1) for c in children.get(node.pk, [])],
            depth=depth,
        )

    top = [build(child, 1) for seg in children.get(None, []) for child in children.get(seg.pk, [])]
    return templates.ChainSpec(
        chain.code, chain.name, chain.name_en, chain.group, chain.description, top
    )


def export_chain(chain: Chain, fmt: str = "yaml") -> str:
    return templates.dump(spec_of(chain), fmt)


def import_chain(path: str | Path) -> Chain:
    return save_spec(templates.read(path), source="file")


def import_chain_text(data: bytes | str, name: str) -> Chain:
    """A chain file uploaded through the web page (YAML, or JSON by its name)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        raw = json.loads(text) if name.lower().endswith(".json") else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise ValidationError(
            f"{name} 不是 UTF-8 的 YAML/JSON 产业链文件（{exc}）",
            f"{name} is not a UTF-8 YAML/JSON chain file ({exc})",
        ) from None
    return save_spec(templates.parse(raw, name), source="file")
