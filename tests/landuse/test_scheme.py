"""Scheme files: the shipped ones load; bad ones are refused with a bilingual message."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from lianzhang.core.errors import NotFound, ValidationError
from lianzhang.landuse.scheme import SCHEMES, from_dict, load, load_scheme

GOOD: dict[str, Any] = {
    "id": "test.scheme.2022",
    "title": "测试",
    "region": "测试区",
    "year": 2022,
    "indicators": {
        "tax_per_mu": {
            "zh": "亩均税收",
            "numerator": "tax_paid",
            "denominator": "land_mu",
            "unit": "万元/亩",
        },
    },
    "groups": [
        {
            "id": "all",
            "zh": "全部",
            "when": "land_mu >= 3",
            "items": [{"indicator": "tax_per_mu", "weight": 100, "benchmark": {"fixed": 10}}],
        }
    ],
}


def test_shipped_schemes_load():
    ids = sorted(p.stem for p in SCHEMES.glob("*.yaml"))
    assert ids == [
        "cn.sc.2022",
        "cn.sc.chengdu.example-district.2022",
        "cn.zj.taizhou-huangyan.2022",
    ]
    for i in ids:
        assert load(i).id == i
    assert load("cn.sc.chengdu.example-district.2022").example
    assert not load("cn.zj.taizhou-huangyan.2022").example


def test_huangyan_is_verbatim():
    s = load("cn.zj.taizhou-huangyan.2022")
    above, below = s.groups
    assert [(i.weight, i.benchmark.value) for i in above.items] == [
        (30, Fraction("24.097")),
        (20, Fraction("136.16")),
        (20, Fraction("2.694")),
        (10, Fraction("4929.81")),
        (10, Fraction("18.14")),
        (10, Fraction("0.0302")),
    ]
    assert [(i.weight, i.benchmark.value) for i in below.items] == [
        (50, Fraction("11.5932")),
        (50, Fraction("0.2352")),
    ]
    assert all(i.cap is None for g in s.groups for i in g.items)
    assert [i.missing for i in above.items].count("group_average") == 1
    assert above.items[3].indicator.id == "va_per_emission" and not above.classes


def test_sichuan_shape():
    s = load("cn.sc.2022")
    (group,) = s.groups
    assert [i.weight for i in group.items] == [20, 20, 20, 5, 5] and group.full_marks == 70
    assert [(sl.id, sl.weight) for sl in group.slots] == [("local", 30)]
    assert [(c.code, c.kind, c.value) for c in group.classes] == [
        ("A", "top", Fraction(3, 10)),
        ("B", "rest", None),
        ("C", "bottom", Fraction(1, 10)),
        ("D", "none", None),
    ]
    chengdu = load("cn.sc.chengdu.example-district.2022").group("park_above_scale")
    assert chengdu.full_marks == 100
    assert sum(i.weight for i in chengdu.items if i.slot == "local") == 30


def test_a_good_scheme_and_a_file(tmp_path: Path):
    assert from_dict(GOOD).groups[0].items[0].indicator.factor == Fraction(1, 1_000_000)
    path = tmp_path / "test.scheme.2022.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True), "utf-8")
    assert load(str(path)).path == path
    wrong = tmp_path / "other-name.yaml"
    wrong.write_text(yaml.safe_dump(GOOD, allow_unicode=True), "utf-8")
    with pytest.raises(ValidationError, match="文件名"):
        load_scheme(wrong)
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed", "utf-8")
    with pytest.raises(ValidationError, match="YAML"):
        load_scheme(broken)


def test_unknown_id():
    with pytest.raises(NotFound):
        load("cn.nowhere.1999")


def _set(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    keys = path.split(".")
    target: Any = data
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


BAD = [
    ("title", KeyError, "缺少 title"),
    ("colour", "red", "未知键 colour"),
    ("year", "2022年", "整数"),
    ("groups", [], "非空列表"),
    ("indicators.tax_per_mu.numerator", "profit", "numerator"),
    ("indicators.tax_per_mu.unit", "元/人", "单位"),
    ("indicators.tax_per_mu.unit", "万元", "分母单位"),
    ("indicators.tax_per_mu.unit", "", "同单位"),
    ("groups.0.when", "land_mu >=", "第 1 行"),
    ("groups.0.when", "lnad_mu >= 3", "land_mu"),
    ("groups.0.when", "land_mu + 3", "条件"),
    ("groups.0.when", 'holds("high_tech")', "称号"),
    ("groups.0.items.0.indicator", "va_per_mu", "未定义的指标"),
    ("groups.0.items.0.weight", -5, "正数"),
    ("groups.0.items.0.weight", "many", "不是数值"),
    ("groups.0.items.0.benchmark", {"fixed": 1, "average": 1}, "基准"),
    ("groups.0.items.0.benchmark", {"percentile": 120}, "百分位"),
    ("groups.0.items.0.missing", "skip", "missing"),
    ("groups.0.items.0.slot", "local", "slot"),
    ("groups.0.items", [], "items 或 fixed_class"),
    ("groups.0.classes", [{"code": "A", "top_at_most": "30%"}], "rest"),
    ("groups.0.classes", [{"code": "A", "top_at_most": 1.3}, {"code": "B", "rest": True}], "份额"),
    (
        "groups.0.classes",
        [
            {"code": "A", "top_at_most": "70%"},
            {"code": "B", "rest": True},
            {"code": "C", "bottom_at_least": "40%"},
        ],
        "100%",
    ),
    (
        "groups.0.classes",
        [{"code": "A", "top_at_most": "30%", "min_score": 80}, {"code": "B", "rest": True}],
        "一条规则",
    ),
    (
        "groups.0.slots",
        [{"id": "local", "zh": "地方", "weight": 30}],
        None,  # a declared slot left empty is allowed (the provincial file)
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD)
def test_bad_schemes_are_refused(path: str, value: Any, message: str | None):
    data = _set(path, value)
    if message is None:
        from_dict(data)
        return
    with pytest.raises(ValidationError) as info:
        from_dict(data, "x.yaml")
    assert message in info.value.zh
    assert info.value.zh.startswith("x.yaml") and info.value.en.startswith("x.yaml")
    assert info.value.en != info.value.zh  # English too


def test_slot_weights_must_add_up():
    data = _set("groups.0.slots", [{"id": "local", "zh": "地方", "weight": 30}])
    data["groups"][0]["items"][0]["slot"] = "local"
    with pytest.raises(ValidationError, match="权重之和"):
        from_dict(data)


def test_not_a_mapping():
    with pytest.raises(ValidationError, match="键值映射"):
        from_dict(["a list"])
