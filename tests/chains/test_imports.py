"""Chain imports read CSV (UTF-8 or GBK) and Excel through ``core.tables.read_records``."""

import openpyxl
import pytest

from lianzhang.chains import services
from lianzhang.chains.models import Listing, RegionValue
from lianzhang.core.errors import ValidationError

from .conftest import enterprise


@pytest.mark.django_db
def test_region_table_from_excel_and_gbk_csv(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["区域", "产业", "数值"])
    book.active.append(["福州", "电芯", 1.5])
    book.active.append(["福州", "电芯", 2])
    book.save(tmp_path / "t.xlsx")
    assert services.import_region_table(tmp_path / "t.xlsx", "x") == 1
    assert RegionValue.objects.get(dataset="x").value == 3.5
    (tmp_path / "g.csv").write_bytes("区域,产业,数值\n厦门,储能,4\n".encode("gbk"))
    assert services.import_region_table(tmp_path / "g.csv", "g") == 1
    (tmp_path / "bad.csv").write_text("region,value\na,1\n", "utf-8")
    with pytest.raises(ValidationError, match="industry"):
        services.import_region_table(tmp_path / "bad.csv", "bad")


@pytest.mark.django_db
def test_listings_check_headers_and_rows(tmp_path):
    e = enterprise(1, "甲", "锂电池")
    (tmp_path / "l.csv").write_text(
        f"统一社会信用代码,证券代码,上市日期\n{e.uscc.lower()},300001,2020-01-02\n", "utf-8"
    )
    assert services.import_listings(tmp_path / "l.csv") == 1
    assert Listing.objects.get().stock_code == "300001"
    (tmp_path / "n.csv").write_text("uscc\nX\n", "utf-8")
    with pytest.raises(ValidationError, match="stock_code"):
        services.import_listings(tmp_path / "n.csv")
