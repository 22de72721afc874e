"""Chinese by default, English only by choice; the catalog is complete and compiled."""

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

import lianzhang
from tests.conftest import HIGH_TECH

CATALOG = Path(lianzhang.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
STRING = r'"((?:[^"\\]|\\.)*)"'


def po_entries(text):
    """(msgid, [msgstr...]) of every entry of a .po file, strings joined and unescaped."""
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        parts: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(r"(msgid|msgid_plural|msgstr(?:\[\d+\])?) " + STRING, line)
            if match:
                key = match.group(1)
                parts[key] = match.group(2)
            elif key and line.startswith('"'):
                parts[key] += re.match(STRING, line).group(1)
        if parts.get("msgid"):
            decode = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode()  # noqa: E731
            strs = [decode(v) for k, v in sorted(parts.items()) if k.startswith("msgstr")]
            entries.append((decode(parts["msgid"]), strs))
    return entries


def test_every_message_is_translated_and_the_mo_is_up_to_date():
    entries = po_entries((CATALOG / "django.po").read_text("utf-8"))
    assert len(entries) > 100
    untranslated = [msgid for msgid, strs in entries if not all(s.strip() for s in strs)]
    assert untranslated == []
    with (CATALOG / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    for msgid, strs in entries:
        found = compiled.get(msgid, compiled.get((msgid, 0)))
        assert found == strs[0], f"django.mo is stale for {msgid!r}: run msgfmt (see docs)"


@pytest.mark.django_db
def test_chinese_by_default_even_for_english_browsers(client_as):
    client = client_as("analyst")
    page = client.get(reverse("enterprise-list"), headers={"Accept-Language": "en-US,en;q=0.9"})
    html = page.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "企业名录" in html and "退出" in html and "分析员" in html


@pytest.mark.django_db
def test_the_switch_changes_language_and_back(client_as):
    client = client_as("district")
    url = reverse("enterprise-detail", args=[HIGH_TECH])
    switched = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert switched.status_code == 302 and switched["Location"] == url
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Indicators over the years" in html and "R&D intensity" in html
    assert "District officer" in html and "中文" in html
    assert "revenue" in html  # contract labels in English
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert "历年指标" in client.get(url).content.decode()


@pytest.mark.django_db
def test_login_page_is_chinese_and_offers_english(client):
    html = client.get(reverse("login"), headers={"Accept-Language": "en"}).content.decode()
    assert "用户名" in html and "English" in html


@pytest.mark.django_db
def test_english_money_and_labels(client_as):
    client = client_as("admin")
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("enterprise-list")).content.decode()
    assert "260 m yuan" in html and "9 m yuan" in html
    assert "Enterprise registry" in html


PACKAGE = Path(lianzhang.__file__).parent
APP_CATALOGS = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
TEMPLATE_STRING = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?""")


def _effective(msgid, context=None):
    from django.utils import translation

    with translation.override("zh-hans"):
        if context:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)


def test_no_catalog_is_shadowed_by_another():
    """Django merges every catalog: the same English text must mean the same everywhere.

    The project catalog wins over the apps', and apps listed earlier (admin too) win over
    later ones, so "Title" as 称号 (of honours) would silently rename a demand's 名称.
    """
    assert len(APP_CATALOGS) >= 3
    shadowed = []
    for catalog in APP_CATALOGS:
        for msgid, strs in po_entries(catalog.read_text("utf-8")):
            if len(strs) == 1 and strs[0] and "\x04" not in msgid and _effective(msgid) != strs[0]:
                shadowed.append((catalog.parent.parent.parent.parent.name, msgid, strs[0]))
    assert shadowed == [], "use different English text or a context (pgettext)"


def test_every_template_string_has_a_chinese_translation():
    missing = []
    for template in sorted(PACKAGE.glob("**/templates/**/*.html")):
        for match in TEMPLATE_STRING.finditer(template.read_text("utf-8")):
            msgid, context = match.group(2), match.group(4)
            if not re.search(r"[A-Za-z]", msgid):
                continue
            if _effective(msgid, context) == msgid:
                missing.append(f"{template.relative_to(PACKAGE)}: {msgid}")
    assert missing == []


#: The words that matter most, with the Chinese they must read as: a translation can exist
#: and still say the wrong thing (the 404 page's link once read 企业放弃, "the enterprise
#: declined"; the chain report's growth rate read 营业收入, "revenue").
MEANINGS = {
    "Back to the enterprise list": "返回企业列表",
    "Back to the start page": "返回首页",
    "declined by the enterprise": "企业放弃",
    "revenue growth": "营业收入增长",
    "payment ordered": "已下达支付指令",
    "payment returned": "支付退回",
    "Not allowed": "无权访问",
    "Not found": "页面不存在",
    "Audit trails": "审计留痕",
    "intact": "完整",
    "damaged": "受损",
    "Enterprises": "企业",
    "Titles": "称号",
    "Awards": "奖励",
}


def test_key_strings_mean_what_they_say():
    from django.utils import translation

    with translation.override("zh-hans"):
        wrong = {
            m: translation.gettext(m) for m in MEANINGS if translation.gettext(m) != MEANINGS[m]
        }
    assert wrong == {}
