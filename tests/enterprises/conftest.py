import csv
from pathlib import Path

import pytest

from lianzhang.core.uscc import make

A = make("91510100MA6C00001")  # 成都甲
B = make("91510100MA6C00002")  # 成都乙


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def enterprises_csv(tmp_path):
    return write_csv(
        tmp_path / "enterprises.csv",
        ["统一社会信用代码", "企业名称", "所属区（市）县", "国民经济行业分类代码", "成立日期"],
        [
            [A, "成都甲科技有限公司", "成都高新区", "3973", "2015-03-01"],
            [B, "成都乙食品有限公司", "武侯区", "1431", "2018-05-06"],
        ],
    )
