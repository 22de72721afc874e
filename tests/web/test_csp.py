"""The Content-Security-Policy: every HTML page forbids inline script, and nothing needs it.

The header (django-csp) allows scripts from the site's static files only, so markup that
slips into a page cannot run. That holds only while no template carries inline code: each
page's own scripts live in static files, data travels in ``json_script`` blocks
(``type="application/json"``, never executed) and behaviour is bound by listeners, not by
``on*=`` attributes. Both halves are checked here: on the rendered pages and in the templates.
"""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import lianzhang
from tests.conftest import HIGH_TECH

PACKAGE = Path(lianzhang.__file__).resolve().parent
TEMPLATES = sorted(p for p in PACKAGE.glob("*/templates/**/*.html"))
SCRIPTS = sorted(p for p in PACKAGE.glob("*/static/**/*.js") if "vendor" not in p.parts)

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
#: an ``on…=`` attribute inside a tag (``<button onclick=…>``), not text that mentions one
HANDLER = re.compile(r"<[a-z][^<>]*?\son[a-z]+\s*=", re.I)
JSON_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.I)
#: parameterless routes that are not HTML pages, or not for GET
SKIP = ("api/", "logout/", "i18n/")


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


def inline_code(html: str) -> list[str]:
    """The inline ``<script>`` blocks with code (a ``src`` or a JSON data block is fine)."""
    found = []
    for attributes, body in SCRIPT.findall(html):
        if "src=" in attributes or JSON_TYPE.search(attributes):
            continue
        if body.strip():
            found.append(body.strip()[:80])
    return found


def assert_strict(response, url):
    rules = policy(response)
    assert rules, f"{url}: no Content-Security-Policy header"
    script = rules.get("script-src", rules.get("default-src"))
    assert script == ["'self'"], f"{url}: script-src {script}"
    assert "'unsafe-inline'" not in rules.get("script-src-attr", [])
    assert "'unsafe-eval'" not in script
    assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
    assert rules["base-uri"] == ["'self'"] and rules["form-action"] == ["'self'"]
    html = response.content.decode()
    assert inline_code(html) == [], f"{url}: inline script"
    assert HANDLER.findall(html) == [], f"{url}: inline event handler"


def routes(patterns=None, prefix=""):
    """Every GET-able route without parameters (the site's, the admin's)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, route)
        elif (
            isinstance(p, URLPattern)
            and not re.search(r"[<(^$\\]", route)
            and not route.startswith(SKIP)
        ):
            yield "/" + route


@pytest.fixture
def chain(db):
    from lianzhang.chains import services

    return services.load_templates()[0]


def test_every_html_page_forbids_inline_script(client, users, chain):
    anonymous = client.get("/login/")
    assert_strict(anonymous, "/login/")
    client.force_login(users["admin"])
    urls = [
        *routes(),
        f"/enterprises/{HIGH_TECH}/",
        f"/chains/{chain.code}/",
        f"/chains/{chain.code}/edit/",
        f"/chains/{chain.code}/gaps/",
        f"/chains/{chain.code}/report/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/no/such/page/",
    ]
    pages = 0
    for url in dict.fromkeys(urls):
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        assert_strict(response, url)
    assert pages >= 25, pages


def test_every_page_of_a_district_officer_and_an_enterprise_too(client, users):
    for role in ("district", "enterprise"):
        client.force_login(users[role])
        for url in ("/enterprises/", f"/enterprises/{HIGH_TECH}/", "/policies/", "/appeals/"):
            response = client.get(url, follow=True)
            if "text/html" in response.get("Content-Type", ""):
                assert_strict(response, url)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_has_inline_script_or_handlers(template):
    text = template.read_text("utf-8")
    assert inline_code(text) == [], "move the code into a static file"
    assert HANDLER.findall(text) == [], "bind the handler in a static file"
    for attributes, body in SCRIPT.findall(text):
        # data reaches scripts through json_script only, never {{ value|safe }} in a script
        assert "{{" not in body and "{%" not in body, attributes
    assert "javascript:" not in text.lower()
    assert "|safe" not in text and "autoescape off" not in text


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_static_scripts_never_insert_data_as_html(script):
    """No innerHTML and friends; every chart tooltip formatter escapes what it shows."""
    text = script.read_text("utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in text, sink
    assert "new Function" not in text
    if "formatter: function" in text:
        assert "function esc(" in text
    if "echarts.init" in text and "tooltip:" in text:
        assert "formatter: function" in text or "formatter: tooltip" in text, (
            "ECharts' default tooltip renders names as HTML: give it a formatter that escapes"
        )


def test_the_templates_and_scripts_are_found():
    assert len(TEMPLATES) > 40 and len(SCRIPTS) >= 5
