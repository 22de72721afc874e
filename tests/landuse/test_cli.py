"""`lianzhang landuse evaluate`: the JSON contract other tools rely on, on files alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lianzhang.cli.landuse import landuse
from lianzhang.core.errors import LianzhangError, ValidationError

from .helpers import uscc

A, B, C = uscc(1), uscc(2), uscc(3)
ENTERPRISES = (
    f"统一社会信用代码,企业名称,国民经济行业分类代码\n{A},甲,3411\n{B},乙,3411\n{C},丙,5211\n"
)
ANNUAL = (
    "统一社会信用代码,年度,主营业务收入（万元）,实缴税收（万元）,用地面积,用电量\n"
    f"{A},2022,1000,50,10,2000000\n"
    f"{B},2022,500,20,,1000000\n"
    f"{A},2021,900,40,10,1800000\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in (("e.csv", ENTERPRISES), ("a.csv", ANNUAL)):
        (tmp_path / name).write_text(text, "utf-8")
        out[name] = str(tmp_path / name)
    return out


def run(*args: str) -> list[dict]:
    result = CliRunner().invoke(landuse, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_json_contract(files):
    rows = run(
        *("evaluate", "--scheme", "cn.zj.taizhou-huangyan.2022", "--enterprises"),
        *(files["e.csv"], "--annual", files["a.csv"], "--year", "2022", "--format", "json"),
    )
    assert [r["uscc"] for r in rows] == [A, B, C]  # the enterprises file's order
    for r in rows:
        assert list(r) == ["uscc", "group", "score", "class", "indicators"]
        for i in r["indicators"]:
            assert list(i) == ["id", "value", "benchmark", "points"]
    a, b, c = rows
    assert a["group"] == "below_scale" and a["class"] is None
    expected = 5 / 11.5932 * 50 + 0.25 / 0.2352 * 50
    assert a["score"] == pytest.approx(expected, abs=1e-6)
    assert b["score"] is None and b["indicators"][0]["value"] is None  # no land: not scored
    assert c == {"uscc": C, "group": None, "score": None, "class": None, "indicators": []}


def test_parcels_give_the_land(files, tmp_path: Path):
    links = tmp_path / "p.csv"
    links.write_text(
        f"parcel_id,uscc,role,area_share,parcel_mu,area_mu\nP1,{A},owner,,,8\n"
        f"P1,{B},tenant,25%,8,\n",
        "utf-8",
    )
    rows = run("evaluate", "--scheme", "cn.zj.taizhou-huangyan.2022", "--enterprises",
               files["e.csv"], "--annual", files["a.csv"], "--parcels", str(links),
               "--year", "2022")  # fmt: skip
    assert rows[0]["indicators"][0]["value"] == pytest.approx(50 / 8)
    assert rows[1]["indicators"][0]["value"] == pytest.approx(20 / 2)  # the tenant's 2 亩
    assert rows[1]["score"] is not None


def test_a_scheme_file_and_text(files, tmp_path: Path):
    from lianzhang.landuse.scheme import SCHEMES

    data = yaml.safe_load((SCHEMES / "cn.zj.taizhou-huangyan.2022.yaml").read_text("utf-8"))
    data["id"] = "local.test.2022"
    path = tmp_path / "local.test.2022.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = CliRunner().invoke(
        landuse,
        ["evaluate", "--scheme", str(path), "--enterprises", files["e.csv"], "--annual",
         files["a.csv"], "--year", "2021", "--format", "text"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "亩均税收 4 万元/亩，基准 11.6，得 17.3 分（满分 50）" in result.output
    assert "方案年度 2022" in result.output  # the warning on stderr (mixed in by CliRunner)


def test_errors(files, tmp_path: Path):
    bad = tmp_path / "bad.2022.yaml"
    bad.write_text("id: bad.2022\ntitle: x\nregion: x\nyear: 2022\ngroups: []\n", "utf-8")
    args = ["--enterprises", files["e.csv"], "--annual", files["a.csv"], "--year", "2022"]
    with pytest.raises(ValidationError):
        CliRunner().invoke(landuse, ["evaluate", "--scheme", str(bad), *args],
                           catch_exceptions=False)  # fmt: skip
    links = tmp_path / "p.csv"
    links.write_text("parcel,uscc\nP1,x\n", "utf-8")
    with pytest.raises(LianzhangError, match="parcel_id"):
        CliRunner().invoke(
            landuse,
            ["evaluate", "--scheme", "cn.sc.2022", "--parcels", str(links), *args],
            catch_exceptions=False,
        )
    broken = tmp_path / "a2.csv"
    broken.write_text("统一社会信用代码,年度,用地面积\nnot-a-uscc,2022,abc\n", "utf-8")
    with pytest.raises(LianzhangError, match="错误行"):
        CliRunner().invoke(
            landuse,
            ["evaluate", "--scheme", "cn.sc.2022", "--enterprises", files["e.csv"],
             "--annual", str(broken), "--year", "2022"],
            catch_exceptions=False,
        )  # fmt: skip


def test_output_file_and_schemes(files, tmp_path: Path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        landuse,
        ["evaluate", "--scheme", "cn.sc.chengdu.example-district.2022", "--enterprises",
         files["e.csv"], "--annual", files["a.csv"], "--year", "2022", "--output", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text("utf-8"))) == 3
    listing = CliRunner().invoke(landuse, ["schemes"])
    assert "cn.zj.taizhou-huangyan.2022" in listing.output and "示例" in listing.output
