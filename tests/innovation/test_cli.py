import datetime as dt
from decimal import Decimal

from click.testing import CliRunner
from openpyxl import load_workbook

from lianzhang.cli.main import cli
from lianzhang.innovation import services

from .conftest import FIRM


def test_match_challenges_pipeline_and_export(people, supply, tmp_path):
    demand = services.post_demand(
        people["firm"],
        FIRM,
        title="碳化硅模块封装",
        problem="碳化硅功率器件封装可靠性测试",
        budget=Decimal("1234567.89"),
        deadline=dt.date(2026, 12, 31),
        node_code="power",
    )
    services.post_demand(people["firm"], FIRM, title="预算未定", problem="封装", budget=None)
    runner = CliRunner()
    out = runner.invoke(cli, ["innovation", "match", str(demand.pk)])
    assert out.exit_code == 0, out.output
    assert "1. [" in out.output and "碳化硅功率器件封装与可靠性测试" in out.output
    assert "共同关键词" in out.output and "同一链上环节：power" in out.output
    missing = runner.invoke(cli, ["innovation", "match", "999"])
    assert missing.exit_code == 1 and "no demand 999" in missing.output

    services.create_challenge(
        people["admin"], title="封装攻关", goal="g", award="2000000", deadline=dt.date(2026, 5, 1)
    )
    out = runner.invoke(cli, ["innovation", "challenges"])
    assert "封装攻关" in out.output and "200 万元" in out.output

    services.advance(
        people["admin"], supply["caps"]["substrate"], "screening", on=dt.date(2020, 1, 1)
    )
    out = runner.invoke(cli, ["innovation", "pipeline"])
    assert "screening 1" in out.output and "停滞" in out.output

    path = tmp_path / "demands.xlsx"
    out = runner.invoke(cli, ["innovation", "export", str(path)])
    assert out.exit_code == 0 and "2" in out.output
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "需求名称") and len(rows) == 3
    by_title = {r[1]: r for r in rows[1:]}
    assert by_title["碳化硅模块封装"][10] == 1234567.89
    assert by_title["预算未定"][10] is None  # unknown is blank, not zero


def test_workflow_commands_act_as_a_named_user(people, supply):
    runner = CliRunner()
    demand = services.post_demand(
        people["firm"], FIRM, title="碳化硅封装", problem="碳化硅器件封装"
    )
    key = f"capability:{supply['caps']['sic'].pk}"
    refused = runner.invoke(cli, ["innovation", "mark", str(demand.pk), key, "bad", "--as", "firm"])
    assert refused.exit_code == 1 and not demand.marks.exists()
    out = runner.invoke(cli, ["innovation", "mark", str(demand.pk), key, "bad", "--as", "ana"])
    assert out.exit_code == 0 and demand.marks.get().good is False
    out = runner.invoke(cli, ["innovation", "demands", "-q", "碳化硅"])
    assert "碳化硅封装" in out.output and "预算未知" in out.output

    result = supply["caps"]["substrate"]
    out = runner.invoke(cli, ["innovation", "match-result", str(result.pk)])
    assert out.exit_code == 0 and "碳化硅封装" in out.output and "共同关键词" in out.output

    c = services.create_challenge(
        people["admin"], title="外延攻关", goal="g", award="10.00", deadline=dt.date(2099, 1, 1)
    )
    args = ["innovation", "challenge-action", str(c.pk)]
    assert runner.invoke(cli, [*args, "publish", "--as", "firm"]).exit_code == 1
    out = runner.invoke(cli, [*args, "publish", "--as", "boss"])
    assert out.exit_code == 0 and "published" in out.output
    assert runner.invoke(cli, [*args, "award", "--as", "boss"]).exit_code == 1  # not reviewed
    assert "外延攻关" in runner.invoke(cli, ["innovation", "challenge", str(c.pk)]).output

    stage = ["innovation", "advance", str(result.pk)]
    out = runner.invoke(cli, [*stage, "screening", "--on", "2026-01-02", "--as", "boss"])
    assert out.exit_code == 0 and result.stages.get().entered_on == dt.date(2026, 1, 2)
    bad = runner.invoke(cli, [*stage, "incubation", "--on", "2026-02-02", "--as", "boss"])
    assert bad.exit_code == 1 and result.stages.count() == 1
    out = runner.invoke(cli, ["innovation", "pipeline"])
    assert "来源 / source institute" in out.output and "产业链 / chain ic" in out.output
