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
