"""Take the README's screenshots from a running platform (the demo city).

    lianzhang demo --port 8000 &          # or any server with the demo logins
    python tools/screenshots.py [URL]     # default http://127.0.0.1:8000

Logs in as the demo analyst and writes, at 1280 × 900 in the Chinese UI, into ``docs/``:
``screenshot.png`` (enterprise list), ``screenshot-file.png`` (an enterprise file, the
policies tab), ``screenshot-tiers.png`` (梯度培育 of 成都高新区),
``screenshot-dashboard.png`` (the bureau's policy dashboard) and ``screenshot-chain.png``
(a chain map). Uses the system's Chromium
through Playwright (``--chromium``, default /usr/bin/chromium); never downloads a browser.
Stops with exit code 1 when a page is a login or error page, a chart is not drawn or a
script fails, and leaves the earlier image in place. See docs/dev/screenshots.md.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Page, sync_playwright

DOCS = Path(__file__).resolve().parent.parent / "docs"
#: In the default demo city (seed 20261124): a 成都高新区 firm with paid cases and a chain link.
DEMO_USCC = "91510100MA600005D4"
DEMO_CHAIN = "energy-storage"  # 新型储能
#: 梯度培育 of one district: the city's targets chart has a bar pair per district and tier.
DEMO_DISTRICT = "成都高新区"
SIZE = {"width": 1280, "height": 900}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

#: Every chart container on the page that is showing holds a drawn canvas.
CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart, #chain-chart')]
    .filter((box) => box.offsetParent !== null)
    .every((box) => {
        const canvas = box.querySelector('canvas');
        return canvas && canvas.width > 0 && canvas.height > 0;
    })"""


@dataclass(frozen=True)
class Shot:
    file: str
    path: str
    #: a selector the page must show before the picture is taken
    ready: str
    #: a tab to click first (a click keeps the page at its top; an address with #… scrolls)
    click: str = ""


def shots(uscc: str, chain: str, district: str) -> list[Shot]:
    tiers = {"district": district} if district else {}
    return [
        Shot("screenshot.png", "/enterprises/", "#enterprise-table tbody tr"),
        Shot(
            "screenshot-file.png", f"/enterprises/{uscc}/", "#file-case-table", "#tab-policies-tab"
        ),
        Shot("screenshot-tiers.png", f"/cultivation/?{urlencode(tiers)}", "#targets-chart canvas"),
        Shot("screenshot-dashboard.png", "/policies/dashboard/", "#coverage-chart canvas"),
        Shot("screenshot-chain.png", f"/chains/{chain}/", "#chain-chart canvas"),
    ]


def log_in(page: Page, base: str, user: str, password: str) -> None:
    page.goto(f"{base}/enterprises/")
    if page.locator("input[name=password]").count() == 0:
        return  # already logged in
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    if page.locator("input[name=password]").count():
        raise SystemExit(f"login as {user} failed at {page.url}")


def take(page: Page, base: str, shot: Shot, out: Path, errors: list[str]) -> None:
    response = page.goto(base + shot.path)
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        raise SystemExit(f"{shot.path}: HTTP {status}")
    if page.locator("input[name=password]").count():
        raise SystemExit(f"{shot.path}: the login page, not the page")
    if shot.click:
        page.click(shot.click)
    page.wait_for_selector(shot.ready, state="visible")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(CHARTS_DRAWN)
    page.wait_for_timeout(1200)  # let the charts' animations finish
    if errors:
        raise SystemExit(f"{shot.path}: script error: {errors[0]}")
    page.screenshot(path=str(out / shot.file))
    print(f"{out / shot.file}  ← {shot.path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="analyst")
    parser.add_argument("--password", default="lianzhang-analyst")
    parser.add_argument("--uscc", default=DEMO_USCC, help="the enterprise file to show")
    parser.add_argument("--chain", default=DEMO_CHAIN, help="the chain map to show")
    parser.add_argument(
        "--district", default=DEMO_DISTRICT, help="梯度培育 of this district ('' for the city)"
    )
    parser.add_argument("--out", type=Path, default=DOCS)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    base = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=BROWSER_ARGS)
        context = browser.new_context(
            viewport=SIZE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh"}
        )
        context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            log_in(page, base, args.user, args.password)
            for shot in shots(args.uscc, args.chain, args.district):
                take(page, base, shot, args.out, errors)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
