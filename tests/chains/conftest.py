import os
from pathlib import Path

import pytest

from lianzhang.core.uscc import make

ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    env = os.environ.get("LIANZHANG_SHARED")
    return Path(env) if env else (ROOT / ".." / "shared").resolve()


def chainkg_dir() -> Path:
    path = shared_dir() / "data" / "chainkg"
    if not (path / "company_product.json").exists():
        pytest.skip(
            f"ChainKG test data not found at {path} (set LIANZHANG_SHARED to the shared folder)"
        )
    return path


def uscc(i: int) -> str:
    return make(f"91510100MA6C{i:05d}")


@pytest.fixture
def chains(db):
    from lianzhang.chains import services

    return {c.code: c for c in services.load_templates()}


def enterprise(i: int, name: str, product: str, industry: str = "", district: str = "成都高新区"):
    from lianzhang.enterprises.models import Enterprise

    return Enterprise.objects.create(
        uscc=uscc(i), name=name, main_product=product, industry_code=industry, district=district
    )
