"""The `lianzhang policies` command line: the contract other tools rely on, on files alone."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianzhang.cli.main import cli

USCC = ["91350100M000100Y43", "91110000600037341L"]
ENTERPRISES = (
    "统一社会信用代码,企业名称,所属区（市）县,国民经济行业分类代码,列入经营异常名录或严重失信名单,"
    "近年发生重大安全、质量事故或严重环境违法\n"
    f"{USCC[0]},甲,东区,3985,否,否\n{USCC[1]},乙,西区,3411,否,否\n"
)
ANNUAL = (
    "统一社会信用代码,年度,营业收入（万元）,主营业务收入（万元）,研发费用（万元）,职工总数,科技人员数,"
    "资产总额（万元）,成本费用支出总额（万元）,与主导产品相关的有效Ⅰ类知识产权数,有效Ⅱ类知识产权数\n"
    f"{USCC[0]},2024,2000,2000,100,,,,,,\n"
    f"{USCC[0]},2025,2500,2500,150,100,30,3000,2000,1,0\n"
    f"{USCC[1]},2025,1999.9999,1999.9999,50,,,,,,\n"
)


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    (tmp_path / "e.csv").write_text(ENTERPRISES, "utf-8")
    (tmp_path / "a.csv").write_text(ANNUAL, "utf-8")
    return ["--enterprises", str(tmp_path / "e.csv"), "--annual", str(tmp_path / "a.csv")]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


POLICIES = ["cn.most.tech-sme", "local.example.rd-subsidy", "cn.nbs.above-scale-industrial"]


def test_evaluate_json_contract(files: list[str], tmp_path: Path) -> None:
    args = [a for p in POLICIES for a in ("--policy", p)]
    manifest = tmp_path / "run.json"
    code, out = run(
        "policies", "evaluate", *args, *files, "--as-of", "2026-06-01", "--manifest", str(manifest)
    )
    assert code == 0, out
    rows = json.loads(out)
    assert len(rows) == 2 * len(POLICIES)
    for row in rows:
        assert {"uscc", "policy", "verdict", "score", "award", "criteria"} <= set(row)
        assert row["verdict"] in ("eligible", "ineligible", "undetermined")
        for c in row["criteria"]:
            assert {"id", "label", "passed", "value", "threshold", "margin"} <= set(c)
            assert c["passed"] in (True, False, None)
    by = {(r["uscc"], r["policy"]): r for r in rows}
    sme = by[USCC[0], "cn.most.2017.tech-sme"]
    assert sme["verdict"] == "eligible" and sme["score"] == 100  # 30% staff, 6% R&D, Ⅰ类
    subsidy = by[USCC[0], "local.example.rd-subsidy"]
    assert (subsidy["award"], subsidy["award_fen"]) == (50000.0, 5_000_000)  # 50万元 × 10%
    scale = by[USCC[1], "cn.nbs.above-scale-industrial"]
    revenue = next(c for c in scale["criteria"] if c["id"] == "main_revenue")
    assert (scale["verdict"], revenue["margin"]) == ("ineligible", -1.0)  # short by 1 yuan
    record = json.loads(manifest.read_text("utf-8"))
    assert record["as_of"] == "2026-06-01"
    assert {p["id"] for p in record["policies"]} == {r["policy"] for r in rows}
    assert all(p["digest"] and p["parameters"] for p in record["policies"])
    assert len(record["inputs"]["annual"]["sha256"]) == 64


def test_evaluate_csv_to_a_file(files: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, text = run(
        "policies", "evaluate", "--policy", "cn.nbs.above-scale-industrial", *files,
        "--as-of", "2026-06-01", "--format", "csv", "--output", str(out),
    )  # fmt: skip
    assert code == 0, text
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [(r["uscc"], r["verdict"], r["failing"]) for r in rows] == [
        (USCC[0], "eligible", ""),
        (USCC[1], "ineligible", "main_revenue"),
    ]


def test_works_on_files_alone_without_a_database(files: list[str], tmp_path: Path) -> None:
    env = dict(
        os.environ,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        LIANZHANG_DATA_DIR=str(tmp_path / "data"),
    )
    command = [sys.executable, "-m", "lianzhang.cli", "policies", "evaluate"]
    args = ["--policy", "cn.nbs.above-scale-industrial", *files, "--as-of", "2026-06-01"]
    done = subprocess.run(command + args, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 2
    assert not (tmp_path / "data").exists()


def test_explain_is_readable_chinese(files: list[str]) -> None:
    code, out = run(
        "policies", "explain", "--uscc", USCC[1], "--policy", "cn.nbs.above-scale-industrial",
        *files, "--as-of", "2026-06-01",
    )  # fmt: skip
    assert code == 0, out
    assert "结论：不符合" in out
    assert "实际 1999.9999 万元，标准 2000 万元，差 1 元" in out
    code, out = run("policies", "explain", "--uscc", "X", *files, "--as-of", "2026-06-01")
    assert code == 1 and "没有 X" in out


def test_whatif_lists_budget_and_breakdowns(files: list[str]) -> None:
    code, out = run(
        "policies", "whatif", "--policy", "cn.nbs.above-scale-industrial",
        "--set", "min_main_revenue=1999.9999万元", *files, "--as-of", "2026-06-01",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert data["gained"] == [USCC[1]] and data["lost"] == []
    assert data["by_district"] == [
        {"district": "西区", "gained": 1, "lost": 0, "award_delta_fen": 0}
    ]
    assert data["by_industry"][0]["industry"] == "34" and data["by_size"]
    code, out = run(
        "policies", "whatif", "--policy", "local.example.rd-subsidy", "--set", "rate=20%",
        *files, "--as-of", "2026-06-01",
    )  # fmt: skip
    assert code == 0 and "资金变化 5 万元" in out and "预算 5000 万元" in out
    code, out = run(
        "policies", "whatif", "--policy", "local.example.rd-subsidy", "--set", "rate=20",
        *files, "--as-of", "2026-06-01",
    )  # fmt: skip
    assert code == 1 and "应为比例，如 15%" in out
    code, out = run(
        "policies", "whatif", "--policy", "local.example.rd-subsidy", "--set", "rate",
        *files, "--as-of", "2026-06-01",
    )  # fmt: skip
    assert code == 2 and "名称=值" in out


def test_list_check_and_test(tmp_path: Path) -> None:
    code, out = run("policies", "list", "--as-of", "2026-04-01")
    assert code == 0
    assert "* cn.miit.2026.little-giant" in out and "  cn.miit.2022.little-giant" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: t.bad\ntitle: 坏\nmode: automatic\nconfidence: high\neffective: {from: 2026-01-01}\n"
        "criteria: {id: root, expr: revenue >= 100}\n",
        "utf-8",
    )
    code, out = run("policies", "check", str(bad))
    assert code == 1 and f"{bad}:6:" in out and "100万元" in out
    code, out = run("policies", "test")
    assert code == 0 and "个场景通过" in out


@pytest.mark.parametrize("planted", ['=HYPERLINK("http://x","甲")', "@SUM(1+1)", "+1", "-2"])
def test_evaluate_csv_neutralises_formulas_in_names(tmp_path: Path, planted: str) -> None:
    quoted = '"' + planted.replace('"', '""') + '"'
    (tmp_path / "e.csv").write_text(ENTERPRISES.replace(",甲,", f",{quoted},"), "utf-8")
    (tmp_path / "a.csv").write_text(ANNUAL, "utf-8")
    files = ["--enterprises", str(tmp_path / "e.csv"), "--annual", str(tmp_path / "a.csv")]
    code, text = run(
        "policies", "evaluate", "--policy", "cn.nbs.above-scale-industrial", *files,
        "--as-of", "2026-06-01", "--format", "csv",
    )  # fmt: skip
    assert code == 0, text
    rows = {r["uscc"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[USCC[0]]["name"] == "'" + planted  # Excel shows it as text, never runs it
    assert rows[USCC[1]]["name"] == "乙"
