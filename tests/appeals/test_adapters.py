"""Pages, API, CLI and the demo hook of the appeals module."""

import io
import json

import openpyxl
from click.testing import CliRunner
from django.urls import reverse

from lianzhang.appeals import demo, services
from lianzhang.appeals.models import Appeal
from lianzhang.cli.main import cli
from tests.conftest import HIGH_TECH

from .conftest import at


def test_enterprise_files_and_handler_acts_through_pages(client, users, units):
    client.force_login(users["enterprise"])
    page = client.post(
        reverse("appeals:new"),
        {
            "enterprise": HIGH_TECH,
            "channel": "web",
            "category": "help",
            "subject": "用地",
            "title": "<script>x</script>用地",
            "text": "扩建用地指标未批",
        },
    )
    appeal = Appeal.objects.get()
    assert page.status_code == 302
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "&lt;script&gt;" in html and "<script>x" not in html and "待响应" not in html
    client.force_login(users["admin"])
    client.post(reverse("appeals:action", args=[appeal.pk, "dispatch"]))
    assert appeal.assignments.count() == 2
    client.force_login(units["handlers"]["finance"])
    a = appeal.assignments.get(department=units["finance"])
    client.post(reverse("appeals:action", args=[appeal.pk, "refuse"]), {"assignment": a.pk})
    a.refresh_from_db()
    assert a.status == "pending"  # refused without a reason: nothing changes
    client.post(
        reverse("appeals:action", args=[appeal.pk, "refuse"]),
        {"assignment": a.pk, "reason": "非本局职责"},
    )
    a.refresh_from_db()
    assert a.status == "refused"
    other = client.get(reverse("appeals:detail", args=[appeal.pk]))
    assert other.status_code == 200
    client.force_login(users["admin"])
    assert client.get(reverse("appeals:dashboard")).status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("appeals:export")).content))
    assert book.active.max_row == 2


def test_api(client, users, units):
    client.force_login(users["enterprise"])
    made = client.post(
        "/api/v1/appeals",
        json.dumps(
            {"uscc": HIGH_TECH, "category": "help", "subject": "用地", "title": "t", "text": "用地"}
        ),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    refused = client.post(
        f"/api/v1/appeals/{pk}/actions",
        json.dumps({"action": "dispatch"}),
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["error_en"]
    client.force_login(users["admin"])
    done = client.post(
        f"/api/v1/appeals/{pk}/actions",
        json.dumps({"action": "dispatch"}),
        content_type="application/json",
    )
    assert len(done.json()["assignments"]) == 2
    assert client.get("/api/v1/appeals/999").status_code == 404


def test_cli(users, units, tmp_path):
    appeal = services.file_appeal(
        users["admin"],
        uscc=HIGH_TECH,
        channel="phone",
        category="help",
        subject="用地",
        title="扩建",
        text="用地",
        now=at(2025, 3, 3, 9),
    )
    services.dispatch(users["admin"], appeal, now=at(2025, 3, 3, 10))
    run = CliRunner().invoke
    assert "扩建" in run(cli, ["appeals", "list"]).output
    assert run(cli, ["appeals", "sweep"]).output.startswith("提醒")
    out = run(
        cli,
        ["appeals", "metrics", "--from", "2025-01-01", "--to", "2026-01-01", "--format", "json"],
    )
    assert json.loads(out.output)["gx-land"]["dispatched"] == 1
    assert (
        "gx-land"
        in run(cli, ["appeals", "metrics", "--from", "2025-01-01", "--to", "2026-01-01"]).output
    )
    csv = tmp_path / "h.csv"
    csv.write_text(
        "工单编号,统一社会信用代码,诉求类别,事项,标题,诉求内容,受理时间\n"
        f"A1,{HIGH_TECH},投诉,用地,噪音,夜间施工噪音扰民,2025-04-01 10:00\n"
        "A2,bad,投诉,用地,x,y,2025-04-01 10:00\n",
        "utf-8",
    )
    out = run(cli, ["appeals", "import-12345", str(csv)])
    assert out.exit_code == 2 and "created 1" in out.output
    assert run(cli, ["appeals", "import-12345", str(csv)]).output.count("skipped 1") == 1
    out = run(cli, ["appeals", "export", str(tmp_path / "l.xlsx"), "--as", "admin"])
    assert out.exit_code == 0 and "exported 2" in out.output


def test_demo_hook_is_idempotent(users):
    line = demo.load_demo(lambda _x: None)
    count = Appeal.objects.count()
    assert count > 0, line
    assert Appeal.objects.filter(overdue=True).exists()
    assert Appeal.objects.filter(reopen_count__gt=0).exists()
    assert Appeal.objects.filter(channel="director").exists()
    assert "跳过" in demo.load_demo(lambda _x: None) and Appeal.objects.count() == count


def _filed_and_handled(users, units):
    appeal = services.file_appeal(
        users["enterprise"],
        uscc=HIGH_TECH,
        channel="director",
        category="help",
        subject="用地",
        title="扩建用地",
        text="扩建用地指标未批",
        now=at(2025, 3, 3, 10),
    )
    finance, land = services.dispatch(users["admin"], appeal, now=at(2025, 3, 3, 11))
    services.refuse(units["handlers"]["finance"], finance, "不属本局", now=at(2025, 3, 3, 12))
    services.complete(units["handlers"]["land"], land, "已协调", now=at(2025, 3, 4, 9))
    return appeal


def test_dashboard_shows_unit_names_and_chart_data(client, users, units):
    _filed_and_handled(users, units)
    units["land"].name = "<b>土地</b>局"
    units["land"].save()
    client.force_login(users["admin"])
    page = client.get(reverse("appeals:dashboard"), {"from": "2025-01-01", "to": "2026-01-01"})
    html = page.content.decode()
    assert "gx-land" not in html and "&lt;b&gt;土地&lt;/b&gt;局" in html
    chart = page.context["chart"]
    assert chart["units"] == ["<b>土地</b>局", "高新区财政金融局"]  # escaped by json_script
    completion = chart["rates"][1]
    assert completion["data"] == [100.0, None]  # the refusing unit has nothing to complete
    assert chart["months"][2] == "2025-03"
    filed = dict(zip(chart["months"], chart["trend"][0]["data"], strict=True))
    assert filed["2025-03"] == 1 and sum(filed.values()) == 1
    assert "按时办结率" in html and "on_time" not in html


def test_list_filters_by_channel_and_the_enterprise_file_shows_its_appeals(client, users, units):
    _filed_and_handled(users, units)
    client.force_login(users["admin"])
    director = client.get(reverse("appeals:list"), {"channel": "director"})
    assert [a.title for a in director.context["appeals"]] == ["扩建用地"]
    assert not client.get(reverse("appeals:list"), {"channel": "web"}).context["appeals"]
    assert not client.get(reverse("appeals:list"), {"overdue": "1"}).context["appeals"]
    client.force_login(users["enterprise"])
    file = client.get(reverse("enterprise-detail", args=[HIGH_TECH])).content.decode()
    assert 'id="file-appeals"' in file and "扩建用地" in file and "已办结" in file


def test_attachments_filed_added_and_downloaded_only_by_those_who_see_the_appeal(
    client, users, units
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["enterprise"])
    form = {
        "enterprise": HIGH_TECH,
        "channel": "web",
        "category": "help",
        "subject": "用地",
        "title": "扩建用地",
        "text": "扩建用地指标未批",
    }
    bad = client.post(
        reverse("appeals:new"), form | {"attachment": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert bad.status_code == 200 and "附件类型不支持" in bad.content.decode()
    assert not Appeal.objects.exists()  # the appeal and its file, or neither
    letter = SimpleUploadedFile("申请函.pdf", b"%PDF-1.4 letter")
    assert client.post(reverse("appeals:new"), form | {"attachment": letter}).status_code == 302
    appeal = Appeal.objects.get()
    (first,) = appeal.attachments.all()
    assert first.name == "申请函.pdf" and first.size == 15
    url = reverse("appeals:attachment", args=[appeal.pk, first.pk])
    download = client.get(url)
    assert b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    assert "attachment" in download["Content-Disposition"]
    # a handler of a dispatched unit adds evidence; a unit without a share may not
    services.dispatch(users["admin"], appeal, now=at(2025, 3, 3, 11))
    client.force_login(units["handlers"]["land"])
    photo = SimpleUploadedFile("现场.png", b"\x89PNG")
    client.post(reverse("appeals:action", args=[appeal.pk, "attach"]), {"file": photo})
    assert appeal.attachments.count() == 2
    assert appeal.events.filter(kind="attached").count() == 2
    from lianzhang.accounts.services import create_user

    client.force_login(create_user("wuhou", "pw-123456", "district", district="武侯区"))
    assert client.get(url).status_code == 404  # another district's officer: not seen


def test_only_the_sample_is_due_a_call_back(users, units):
    from lianzhang.appeals.models import SlaProfile
    from lianzhang.appeals.services.handling import called_back

    SlaProfile.objects.filter(category="help").update(callback_percent=0)
    appeal = _filed_and_handled(users, units)
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.callback_due is None
    assert not called_back(appeal.pk, 0) and called_back(appeal.pk, 100)
