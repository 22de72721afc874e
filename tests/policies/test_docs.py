"""The delivery guides point users at the pages they work on, in both languages.

(That they name every `lianzhang delivery` command and option is checked with the other
command groups in ``tests/core/test_docs.py``.)
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("doc", ["delivery.en.md", "delivery.zh.md"])
def test_the_guides_name_the_main_pages(doc):
    text = (ROOT / "docs" / doc).read_text("utf-8")
    for page in ["/policies/mine/", "/policies/dashboard/", "/policies/sandbox/"]:
        assert page in text, f"{doc} lacks {page}"
