"""Every page every role reaches, in both languages: no raw codes on a Chinese page, no
Chinese in the English page's chrome.

A crawler starts at the home page as each role and follows the links it is shown (two
pages per URL pattern, downloads and the admin left out), over the shared registry with
the chains, innovation, appeals and 梯度培育 demos, the policy library and a match run. On a
zh-Hans page the visible text (not scripts, not ``<code>``, which marks identifiers shown
on purpose such as file names and CLI commands) must carry no identifier: snake_case or
dotted ids (``local.example.rd-subsidy``, ``policies.auditevent``), state, mode, stage or
confidence values in English. On an English page headings, table heads, labels and buttons
must be English, except data (district, chain and enterprise names) and the language
switch's 中文."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from html.parser import HTMLParser

import pytest

from lianzhang.appeals.models import Department
from lianzhang.chains.models import Chain, Node
from lianzhang.core import cells
from lianzhang.enterprises.models import Enterprise
from lianzhang.policies import matching, services
from lianzhang.policies.models import Match

pytestmark = pytest.mark.django_db

SKIP = re.compile(
    r"^/(admin|api|i18n|logout|static|media)/|\.(xlsx|csv|pdf|html)$|/export|/print|/files/"
    r"|/template/|/ledger"
)
#: Values of the platform's own vocabularies that must never show untranslated.
ENGLISH_VALUES = (
    "automatic|application|ranking|first_come|medium|high|low|eligible|ineligible|"
    "undetermined|candidate|confirmed|rejected|screening|poc|pilot|incubation|licensed|"
    "dropped|transferred|pending|approved|draft|published|closed|paid|ordered|submitted|"
    "under_review|correction|objection|returned|settle|approve|confirm|open|"
    "university|institute|enterprise|expert|consult|complaint|suggestion|"
    "above_scale|innovative_sme|tech_sme|high_tech|specialized_sme|little_giant|"
    "single_champion|listed|reserve|tutoring|filed|registered|restructured|honours|annual|"
    "awards|enterprises"
)
IDENTIFIER = re.compile(
    r"(?<![\w./@-])([a-z][a-z0-9]*(?:[_.][a-z0-9-]+)+|" + ENGLISH_VALUES + r")(?![\w-])"
)
FILE_NAME = re.compile(r"\.(csv|xlsx|pdf|json|yaml)$")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Where the English page's own words are; a detail page's <h1> is its record's name (data).
CHROME = {"th", "label", "button", "h2", "h3", "legend", "summary"}
#: A Chinese term in parentheses after its English name is a gloss, kept on purpose.
GLOSS = re.compile(r"[(（][^()（）]*[)）]")
#: Terms of art kept in Chinese on the English pages, as the users write them.
TERMS = ("应享未享", "用地", "融资", "人才", "中文")


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[tuple[str, str]] = []
        self.stack: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        if tag in ("script", "style", "code", "pre", "textarea"):
            self.hidden += 1
        self.stack.append(tag)
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        if tag in ("script", "style", "code", "pre", "textarea"):
            self.hidden -= 1
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.text.append((self.stack[-1] if self.stack else "", data.strip()))


def _pattern(url: str) -> str:
    return re.sub(r"\d+|[0-9A-Z]{18}|[a-z]+\.[a-z0-9.-]+", "N", url.split("?")[0])


def crawl(client, data: set[str], zh: bool, limit: int = 90) -> tuple[int, dict[str, set[str]]]:
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue, found, pages = ["/"], {}, 0
    while queue and pages < limit:
        url = queue.pop(0)
        if url in seen or SKIP.search(url.split("?")[0]):
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        pages += 1
        assert response.status_code < 500, url
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode())
        where = url.split("?")[0]
        for tag, text in page.text:
            if zh:
                for word in IDENTIFIER.findall(text):
                    if not FILE_NAME.search(word):
                        found.setdefault(f"{word!r} in <{tag}> {text[:60]!r}", set()).add(where)
            elif tag in CHROME and CJK.search(text):
                rest = GLOSS.sub("", text)
                names = {GLOSS.sub("", k) for k in (*data, *TERMS)} - {""}  # as the text is
                for known in sorted(names, key=len, reverse=True):
                    rest = rest.replace(known, "")
                if CJK.search(rest):
                    found.setdefault(f"<{tag}> {text[:60]!r}", set()).add(where)
        for link in page.links:
            key = _pattern(link)
            if link not in seen and per_pattern.get(key, 0) < 2:
                per_pattern[key] = per_pattern.get(key, 0) + 1
                queue.append(link)
    return pages, found


@pytest.fixture
def city(registry, users):
    """The shared registry with every module's demo, the policy library, a match run and
    its cases; the data names the English check leaves alone."""
    for name in ("chains", "innovation", "appeals", "cultivation"):
        importlib.import_module(f"lianzhang.{name}.demo").load_demo(lambda _: None)
    matching.sync_library(year=2026)
    run = matching.run_match(dt.date(2026, 6, 30), users["analyst"])
    services.open_cases(Match.objects.filter(run=run, verdict="eligible"), 2026)
    names = set(Enterprise.objects.values_list("name", flat=True))
    names |= set(Department.objects.values_list("name", flat=True))
    names |= set(Chain.objects.values_list("name", flat=True))
    names |= set(Node.objects.values_list("name", flat=True))  # nodes have no English name
    return names | set(cells.districts())


@pytest.mark.parametrize("role", ["admin", "analyst", "district", "enterprise"])
def test_every_page_speaks_the_users_language(client_as, city, role):
    client = client_as(role)
    problems = []
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        pages, found = crawl(client, city, zh=language == "zh-hans")
        assert pages > 10, f"the crawl as {role} reached only {pages} pages"
        problems += [f"{language} {k}: {sorted(v)[:3]}" for k, v in sorted(found.items())]
    assert problems == [], "\n".join(problems)
