"""The credit register: importing lists all or nothing, and who is listed on a day (issue 11)."""

import datetime as dt

import pytest

from lianzhang.core.uscc import make
from lianzhang.enterprises import credit
from lianzhang.enterprises.models import CreditListing

pytestmark = pytest.mark.django_db

A, B = make("91510100MA6C00001"), make("91510100MA6C00002")
HEADER = "统一社会信用代码,企业名称,名单类别,列入日期,移出日期,来源,文号\n"


def _file(tmp_path, body, name="list.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_list_imports_and_importing_it_again_updates_instead_of_doubling(tmp_path):
    path = _file(
        tmp_path,
        f"{A},甲公司,严重失信,2026-03-01,,信用中国,川失信〔2026〕1号\n"
        f"{B},乙公司,经营异常,2025-01-02,,国家企业信用信息公示系统,\n",
    )
    report = credit.import_credit(path)
    assert (report.written, report.created, report.updated) == (True, 2, 0)
    again = _file(
        tmp_path, f"{A},甲公司,严重失信,2026-03-01,2026-09-01,信用中国,川失信〔2026〕1号\n"
    )
    report = credit.import_credit(again)
    assert (report.created, report.updated) == (0, 1)
    entry = CreditListing.objects.get(uscc=A)
    assert entry.removed_on == dt.date(2026, 9, 1) and entry.kind == "serious_dishonest"


def test_one_bad_row_writes_nothing_and_every_error_is_named_in_both_languages(tmp_path):
    path = _file(
        tmp_path,
        f"{A},甲公司,严重失信,2026-03-01,,信用中国,\n"
        "91510100MA6C0000X,坏码,严重失信,2026-03-01,,信用中国,\n"
        f"{B},乙公司,黑名单,2026-13-01,,信用中国,\n"
        f"{B},乙公司,经营异常,2026-03-01,2026-01-01,,\n",
    )
    report = credit.import_credit(path)
    assert not report.written and CreditListing.objects.count() == 0
    where = {(e.row, e.column) for e in report.errors}
    assert {(3, "uscc"), (4, "kind"), (4, "listed_on"), (5, "source")} <= where
    assert all(e.zh and e.en and e.zh != e.en for e in report.errors)


def test_a_file_without_the_needed_columns_is_refused_as_a_whole(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("uscc,name\n" + f"{A},甲\n", encoding="utf-8")
    report = credit.import_credit(path)
    assert not report.written and report.errors[0].row == 0
    assert "名单类别" in report.errors[0].zh and "kind" in report.errors[0].en


def _entry(kind, listed, removed=None):
    return CreditListing(uscc=A, kind=kind, listed_on=listed, removed_on=removed, source="x")


@pytest.mark.parametrize(
    "kind,listed,removed,as_of,blocks",
    [
        ("serious_dishonest", dt.date(2026, 3, 1), None, dt.date(2026, 3, 1), True),  # that day
        ("serious_dishonest", dt.date(2026, 3, 2), None, dt.date(2026, 3, 1), False),  # not yet
        ("serious_dishonest", dt.date(2020, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 1), False),
        ("abnormal_operation", dt.date(2020, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 1), True),
        ("major_incident", dt.date(2023, 3, 2), None, dt.date(2026, 3, 1), True),  # < 3 years
        ("major_incident", dt.date(2023, 3, 1), None, dt.date(2026, 3, 1), False),  # 3 years
        ("administrative_penalty", dt.date(2026, 1, 1), None, dt.date(2026, 3, 1), False),
    ],
)
def test_what_blocks_on_a_day_at_its_lines(kind, listed, removed, as_of, blocks):
    assert credit.is_blocking(_entry(kind, listed, removed), as_of) is blocks


def test_blocking_names_only_listed_firms_with_a_reason_in_both_languages():
    CreditListing.objects.create(
        uscc=A, kind="serious_dishonest", listed_on=dt.date(2026, 3, 1), source="信用中国"
    )
    CreditListing.objects.create(
        uscc=B, kind="administrative_penalty", listed_on=dt.date(2026, 3, 1), source="市监局"
    )
    found = credit.blocking([A, B], dt.date(2026, 6, 1))
    assert list(found) == [A]
    text = credit.reason(found[A])
    assert "2026-03-01" in text and "信用中国" in text and "credit check failed" in text


def test_the_import_page_takes_a_credit_list_and_logs_it(client_as, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from lianzhang.enterprises.models import ImportLog

    body = HEADER + f"{A},甲公司,严重失信,2026-03-01,,信用中国,\n"
    client = client_as("analyst")
    data = {"table": "credit", "file": SimpleUploadedFile("失信.csv", body.encode("utf-8"))}
    page = client.post(reverse("import"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and "信用名单：读取 1 行，新增 1" in text
    assert CreditListing.objects.filter(uscc=A).exists()
    log = ImportLog.objects.get()
    assert (log.table, log.created, log.written) == ("credit", 1, True)
    bad = {"table": "credit", "file": SimpleUploadedFile("x.csv", (HEADER + "坏,,,,,,\n").encode())}
    text = client.post(reverse("import"), bad).content.decode()
    assert "未写入任何数据" in text and CreditListing.objects.count() == 1


def test_the_enterprise_page_shows_its_listings_and_whether_they_block(client_as, registry):
    from django.urls import reverse

    from tests.conftest import HIGH_TECH

    CreditListing.objects.create(
        uscc=HIGH_TECH, kind="abnormal_operation", listed_on=dt.date(2020, 1, 2), source="公示系统"
    )
    page = client_as("analyst").get(
        reverse("enterprise-detail", args=[HIGH_TECH]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text = page.content.decode()
    assert "信用记录" in text and "经营异常名录" in text and "2020-01-02" in text
    assert "abnormal_operation" not in text
