"""`lianzhang monitor growth`: the files-only CLI contract, and reading the files."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianzhang.cli.monitor import monitor
from lianzhang.core.errors import ValidationError
from lianzhang.core.uscc import make
from lianzhang.monitoring import panel

A = make("91510100MA6W10001")
B = make("91510100MA6W10002")
C = make("91510107MA6W10003")
KEYS = ["group", "label", "current", "prior", "growth", "firms", "excluded"]


@pytest.fixture
def files(tmp_path):
    rows = ["uscc,period,output_value,electricity_kwh"]
    for month in range(1, 7):
        rows += [
            f"{A},2024-{month:02d},100.10,1000",
            f"{A},2025-{month:02d},120.20,1100.5",
            f"{B},2024-{month:02d},50,500",
            f"{B},2025-{month:02d},{'' if month == 3 else '60'},600",
            f'{C},2024-{month:02d},"1,000",0',
            f"{C},2025-{month:02d},900,100",
        ]
    (tmp_path / "v.csv").write_text("\n".join(rows) + "\n", "utf-8")
    (tmp_path / "r.csv").write_text(f"uscc,year\n{A},2025\n{B},2025\n{C},2025\n{C},2024\n")
    (tmp_path / "e.csv").write_text(
        f"uscc,district,industry_code\n{A},高新区,C39\n{B},高新区,C38\n{C},武侯区,\n", "utf-8"
    )
    return tmp_path


def run(files, *args):
    base = ["growth", "--values", str(files / "v.csv"), "--roster", str(files / "r.csv")]
    return CliRunner().invoke(monitor, [*base, *args], catch_exceptions=False)


def test_the_json_contract(files):
    result = run(files, "--indicator", "output_value", "--period", "2025-06", "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert list(row) == KEYS
    assert row == {
        "group": "all",
        "label": "2025年6月",
        "current": "1080.20",
        "prior": "1150.10",
        "growth": "-699/11501",
        "firms": 3,
        "excluded": 0,
    }


def test_cumulative_and_an_unknown_month(files):
    result = run(files, "--indicator", "output_value", "--period", "2025-06", "--cumulative")
    [row] = json.loads(result.output)
    assert row["label"] == "2025年1—6月"
    assert row["growth"] == "-799/11001"
    for doc in ("monitoring.en.md", "monitoring.zh.md"):  # the guides show this very object
        text = (Path(__file__).resolve().parents[2] / "docs" / doc).read_text("utf-8")
        shown = text.split("```json")[1].split("```")[0]
        assert json.loads(shown) == [row]
    assert (row["current"], row["prior"], row["firms"], row["excluded"]) == (
        "6121.20",
        "6600.60",
        2,
        1,
    )


def test_grouped_by_district_and_a_quantity_indicator(files):
    result = run(
        files,
        *("--indicator", "electricity_kwh", "--period", "2025-06", "--by", "district"),
        *("--enterprises", str(files / "e.csv")),
    )
    rows = json.loads(result.output)
    assert [(r["group"], r["current"], r["prior"], r["growth"]) for r in rows] == [
        ("武侯区", "100", "0", None),
        ("高新区", "1700.5", "1500", "401/3000"),
    ]
    industries = run(
        files,
        *("--indicator", "electricity_kwh", "--period", "2025-06", "--by", "industry_code"),
        *("--enterprises", str(files / "e.csv")),
    )
    assert [r["group"] for r in json.loads(industries.output)] == ["C38", "C39", None]


def test_usage_errors(files):
    bad = CliRunner().invoke(
        monitor,
        ["growth", "--values", str(files / "v.csv"), "--roster", str(files / "r.csv"),
         "--indicator", "output_value", "--period", "2025/06"],
    )  # fmt: skip
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    grouped = CliRunner().invoke(
        monitor,
        ["growth", "--values", str(files / "v.csv"), "--roster", str(files / "r.csv"),
         "--indicator", "output_value", "--period", "2025-06", "--by", "district"],
    )  # fmt: skip
    assert grouped.exit_code == 2 and "--enterprises" in grouped.output
    with pytest.raises(ValidationError, match="unknown indicator"):
        run(files, "--indicator", "gdp", "--period", "2025-06")


def test_january_alone_is_refused_with_a_clear_message(files):
    with pytest.raises(ValidationError, match="1—2月"):
        run(files, "--indicator", "output_value", "--period", "2025-01")


def test_a_file_with_bad_cells_is_refused_whole_with_row_numbers(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "uscc,period,output_value\n"
        f"{A},2025-06,12.345\n"
        f"{A},2025-6x,1\n"
        f"{B},2025-06,abc\n"
        f"{B},2025-05,-3\n"
        "91510100MA6W1000X,2025-06,1\n",
        "utf-8",
    )
    with pytest.raises(ValidationError) as info:
        panel.read_values(path, ["output_value"])
    message = str(info.value)
    for part in ("第 2 行", "第 3 行", "第 4 行", "第 5 行", "第 6 行", "5 处错误", "bad cells"):
        assert part in message


def test_duplicates_and_missing_columns_are_refused(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(f"uscc,period,output_value\n{A},2025-06,1\n{A},2025-06,2\n", "utf-8")
    with pytest.raises(ValidationError, match="与第 2 行重复"):
        panel.read_values(path, ["output_value"])
    with pytest.raises(ValidationError, match="lacks the columns: electricity_kwh"):
        panel.read_values(path, ["electricity_kwh"])
    enterprises = tmp_path / "e.csv"
    enterprises.write_text(f"uscc,district,industry_code\n{A},甲,\n{A},乙,\n", "utf-8")
    with pytest.raises(ValidationError, match="duplicate of row 2"):
        panel.read_enterprises(enterprises)
    roster = tmp_path / "r.csv"
    roster.write_text(f"uscc,year\n{A},25\n", "utf-8")
    with pytest.raises(ValidationError, match="four digits"):
        panel.read_roster(roster)


def test_chinese_headers_full_width_numbers_and_signed_profits(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "统一社会信用代码,期别,利润总额,工业总产值\n"
        f"{A},2025-06,-12.5,１２３．４５\n"
        f'{A},2025-05,,"1,234.5"\n',
        "utf-8",
    )
    frame = panel.read_values(path, ["total_profit", "output_value"])
    assert frame["total_profit"].to_list() == [-1250, None]
    assert frame["output_value"].to_list() == [12345, 123450]


def test_an_excel_file_is_read_like_a_csv(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["uscc", "period", "output_value"])
    sheet.append([A, dt.datetime(2025, 6, 1), 100.5])
    sheet.append([A, "2025-05", 7])
    sheet.append([A, "2025-04", None])
    book.save(tmp_path / "v.xlsx")
    frame = panel.read_values(tmp_path / "v.xlsx", ["output_value"])
    assert frame.rows() == [(A, 2025, 6, 10050), (A, 2025, 5, 700), (A, 2025, 4, None)]


def test_gb18030_files_and_blank_rows_keep_their_row_numbers(tmp_path):
    path = tmp_path / "v.csv"
    text = f"统一社会信用代码,期别,工业总产值\n{A},2025-06,1\n\n{A},2025-07,x\n"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(ValidationError, match="第 4 行"):
        panel.read_values(path, ["output_value"])
    utf8 = tmp_path / "u.csv"
    utf8.write_text(text.replace(",x", ",2"), "utf-8-sig")
    assert panel.read_values(utf8, ["output_value"])["output_value"].to_list() == [100, 200]
    multi = tmp_path / "m.csv"
    multi.write_text(f'uscc,period,output_value,note\n{A},2025-06,1,"a\nb"\n{A},20x,1,\n')
    with pytest.raises(ValidationError, match="第 3 行"):
        panel.read_values(multi, ["output_value"])


@pytest.mark.parametrize("doc", ["monitoring.en.md", "monitoring.zh.md"])
def test_every_command_and_option_is_in_the_guides(doc):
    text = (Path(__file__).resolve().parents[2] / "docs" / doc).read_text("utf-8")
    for name, command in monitor.commands.items():
        assert f"lianzhang monitor {name}" in text
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in text, f"{doc} lacks {opt}"
