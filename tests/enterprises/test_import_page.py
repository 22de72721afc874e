"""The import page: who may use it, the full bad-row report, and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lianzhang.core.uscc import make
from lianzhang.enterprises.models import Enterprise, ImportLog

pytestmark = pytest.mark.django_db

GOOD = make("91510104MA6W00009")
HEADER = "统一社会信用代码,企业名称,所属区（市）县,国民经济行业分类代码,成立日期\n"


def upload(client, text, *, partial=False, name="enterprises.csv"):
    data = {"table": "enterprises", "file": SimpleUploadedFile(name, text.encode("utf-8"))}
    if partial:
        data["partial"] = "on"
    return client.post(reverse("import"), data)


BAD = (
    HEADER
    + f"{GOOD},成都新企业有限公司,锦江区,3973,2020-01-01\n"
    + f"{GOOD[:-1]}X,坏校验位有限公司,锦江区,3973,2020-01-01\n"
    + f"{make('91510104MA6W00010')},未知行业有限公司,锦江区,9999,2020-01-01\n"
)


@pytest.mark.parametrize("role", ["district", "enterprise"])
def test_only_importers_may_open_it(client_as, role):
    client = client_as(role)
    assert client.get(reverse("import")).status_code == 403
    assert client.get(reverse("import-template", args=["annual"])).status_code == 403
    assert upload(client, BAD).status_code == 403


def test_bad_rows_are_reported_and_nothing_is_written(client_as):
    before = Enterprise.objects.count()
    response = upload(client_as("analyst"), BAD)
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.written and report.error_count == 2
    html = response.content.decode()
    assert 'id="errors"' in html
    assert "校验位" in html and "check character" in html  # both languages
    assert "9999" in html and "GB/T 4754" in html
    assert "未写入任何数据" in html
    assert Enterprise.objects.count() == before
    log = ImportLog.objects.get()
    assert log.filename == "enterprises.csv" and not log.written
    assert "enterprises.csv" in html  # recent imports list


def test_partial_writes_the_good_rows(client_as):
    response = upload(client_as("admin"), BAD, partial=True)
    assert response.context["report"].written
    assert Enterprise.objects.filter(pk=GOOD).exists()


def test_unsupported_file_is_refused(client_as):
    response = upload(client_as("admin"), "x", name="data.txt")
    assert response.status_code == 200 and response.context["report"] is None
    assert response.context["form"].errors["file"]


def test_template_download(client_as):
    response = client_as("analyst").get(reverse("import-template", args=["annual"]))
    assert response.status_code == 200
    assert "annual-template.xlsx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client_as("analyst").get("/import/template/nope.xlsx").status_code == 404
