"""Stages and node templates as data."""

import pytest

from lianzhang.core.errors import ValidationError
from lianzhang.projects import stages, templates
from lianzhang.projects.templates import NodeSpec, Template

MILESTONES = {"approved": "a", "started": "b", "building": "b", "completed": "b"}


def test_stages_in_order_with_labels():
    assert [s.code for s in stages.STAGES] == [
        "planning", "signing", "landing", "start", "construction",
        "completion", "production", "full_production", "statistics",
    ]  # fmt: skip
    assert [s.order for s in stages.STAGES] == list(range(9))
    assert all(s.zh and s.en for s in stages.STAGES)
    assert set(stages.PHASE_OF) == set(stages.BY_CODE)
    with pytest.raises(ValidationError, match="unknown stage"):
        stages.stage("nope")
    with pytest.raises(ValidationError, match="unknown project category"):
        stages.category("nope")


def test_shipped_templates():
    shipped = templates.shipped()
    assert set(shipped) == set(stages.CATEGORIES)
    assert {c: len(t.nodes) for c, t in shipped.items()} == {
        "industrial": 30,
        "infrastructure": 17,
        "livelihood": 13,
    }
    for t in shipped.values():
        # topological: every node after its predecessors
        position = {c: k for k, c in enumerate(t.order)}
        assert all(position[a] < position[n.code] for n in t.nodes for a in n.after)
        assert all(n.days > 0 for n in t.nodes)
    industrial = shipped["industrial"]
    assert industrial.ancestors["groundbreaking"] >= {"agreement", "land_title", "eia"}


def nodes(*specs):
    return tuple(NodeSpec(c, c, c, "planning", tuple(after), days) for c, after, days in specs)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (nodes(("a", [], 1), ("a", [], 1)), "duplicate"),
        (nodes(("a", [], 1), ("b", ["x"], 1)), "unknown node x"),
        (nodes(("a", ["b"], 1), ("b", ["a"], 1)), "cycle"),
        (nodes(("a", [], -1), ("b", [], 1)), "working days"),
    ],
)
def test_bad_templates(spec, message):
    with pytest.raises(ValidationError, match=message):
        Template("industrial", "x", "x", spec, MILESTONES)


def test_bad_template_category_stage_and_milestones():
    good = nodes(("a", [], 1), ("b", ["a"], 1))
    with pytest.raises(ValidationError, match="unknown category"):
        Template("nope", "x", "x", good, MILESTONES)
    with pytest.raises(ValidationError, match="milestones"):
        Template("industrial", "x", "x", good, {"approved": "a"})
    with pytest.raises(ValidationError, match="unknown stage"):
        Template("industrial", "x", "x", (NodeSpec("a", "a", "a", "nope"),), MILESTONES)


def test_load_a_template_file(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "category: livelihood\nzh: 民生\nen: Public\n"
        "milestones: {approved: a, started: b, building: b, completed: b}\n"
        "nodes:\n"
        "  - {code: a, zh: 甲, en: A, stage: planning, days: 3}\n"
        "  - {code: b, zh: 乙, en: B, stage: start, after: [a], days: 2}\n",
        encoding="utf-8",
    )
    t = templates.load(path)
    assert t.order == ("a", "b") and t.levels == {"a": 0, "b": 1}
    path.write_text("nodes:\n  - {code: a}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="lacks code/zh/en/stage"):
        templates.load(path)
    path.write_text("[: bad", encoding="utf-8")
    with pytest.raises(ValidationError, match="bad YAML"):
        templates.load(path)
