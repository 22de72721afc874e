import pytest
from click.testing import CliRunner

from lianzhang.accounts.services import create_user
from lianzhang.cli.main import cli
from lianzhang.enterprises.models import Annual
from lianzhang.policies.models import Case, Policy

from .conftest import USCCS

pytestmark = pytest.mark.django_db


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_delivery_from_the_command_line(city, tmp_path, settings):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit"  # the files outlive the test database
    create_user("boss", "pw-123456", "admin")
    for uscc in USCCS[:3]:
        Annual.objects.create(enterprise_id=uscc, year=2025, main_revenue="25000000")
    code, out = run("delivery", "sync", "--year", "2026")
    assert code == 0 and "已载入" in out
    Policy.objects.exclude(code="cn.nbs.above-scale-industrial").update(active=False)
    code, out = run("delivery", "match", "--as-of", "2026-06-30", "--open-cases")
    assert code == 0, out
    assert "新生成享受事项 3 项" in out
    assert Case.objects.filter(state="eligible").count() == 3
    code, out = run("delivery", "unclaimed", "--output", str(tmp_path / "u.xlsx"))
    assert code == 0 and (tmp_path / "u.xlsx").stat().st_size > 0
    code, out = run("delivery", "reconcile", "cn.nbs.above-scale-industrial", "--year", "2026")
    assert code == 0 and "已支付 0 元" in out
    code, out = run("delivery", "verify-audit")
    assert code == 0 and "完整" in out
    code, out = run("delivery", "pay", "no.such.policy", "--year", "2026")
    assert code == 1 and "没有政策 no.such.policy" in out


def test_credit_import_from_the_command_line(city, tmp_path):
    from lianzhang.enterprises.models import CreditListing

    header = "统一社会信用代码,名单类别,列入日期,来源\n"
    good = tmp_path / "list.csv"
    good.write_text(header + f"{USCCS[0]},严重失信,2026-03-01,信用中国\n", encoding="utf-8")
    code, out = run("delivery", "credit-import", str(good))
    assert code == 0 and "新增 1" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(header + f"{USCCS[1]},黑名单,2026-03-01,信用中国\n", encoding="utf-8")
    code, out = run("delivery", "credit-import", str(bad))
    assert code == 1 and "第 2 行" in out and "kind is one of" in out
    assert CreditListing.objects.count() == 1
