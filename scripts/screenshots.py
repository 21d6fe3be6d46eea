"""Take the curated screenshots of docs/screenshots/ against a running server with the demo data.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 [--out docs/screenshots] [--only NAME ...]

Signs in as the demo's users (sasac, leader, a liaison; password DEMO_PASSWORD or the demo's
default), opens each page in headless Debian chromium (Playwright, no browser download) in
Chinese and English, 1440 and 390 pixels wide, and saves palette PNGs (small enough to commit).
It fails when a page answers an error or logs a console error (a missing favicon was one).
"""

import argparse
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PASSWORD = os.environ.get("DEMO_PASSWORD") or "qdsasac-demo-2020"
LIAISON = os.environ.get("SCREENSHOT_LIAISON", "liaison-qd-chem-01")
WIDE, PHONE = 1440, 390
# Long pages are cut here: the top of a page is what a reader looks at first.
MAX_HEIGHT = 2600


@dataclass(frozen=True)
class Shot:
    name: str
    user: str
    path: str  # a URL path, or "milestone", "report-form", "directive" found by following links
    language: str = "zh-hans"
    width: int = WIDE
    selector: str = ""  # screenshot only this element


def shots() -> list[Shot]:
    wide_both = [
        ("home-sasac", "sasac", "/"),
        ("home-leader", "leader", "/"),
        ("home-liaison", LIAISON, "/"),
        ("board-sasac", "sasac", "/board/"),
        ("board-long-silent", "sasac", "/board/?long_silent=true"),
        ("milestone-sasac", "sasac", "milestone"),
        ("review-queue", "sasac", "/reviews/"),
        ("charts-leader", "leader", "/charts/"),
        ("directive", "sasac", "directive"),
        ("admin", "admin", "/admin/"),
    ]
    result = [
        Shot(f"{name}-{lang[:2]}-{WIDE}", user, path, lang)
        for name, user, path in wide_both
        for lang in ("zh-hans", "en")
    ]
    result += [
        Shot(f"history-en-{WIDE}", "sasac", "milestone", "en", selector="[data-testid=history]"),
        Shot(f"board-liaison-zh-{WIDE}", LIAISON, "/board/"),
    ]
    for lang in ("zh-hans", "en"):
        result += [
            Shot(f"home-liaison-{lang[:2]}-{PHONE}", LIAISON, "/", lang, PHONE),
            Shot(f"report-form-liaison-{lang[:2]}-{PHONE}", LIAISON, "report-form", lang, PHONE),
            Shot(f"milestone-liaison-{lang[:2]}-{PHONE}", LIAISON, "milestone", lang, PHONE),
        ]
    result += [
        Shot(f"board-liaison-zh-{PHONE}", LIAISON, "/board/", "zh-hans", PHONE),
        Shot(f"charts-leader-zh-{PHONE}", "leader", "/charts/", "zh-hans", PHONE),
        Shot(f"review-queue-zh-{PHONE}", "sasac", "/reviews/", "zh-hans", PHONE),
    ]
    return result


def save_png(raw: bytes, path: Path) -> None:
    """A palette PNG cut at MAX_HEIGHT: a fraction of the size of chromium's full-colour one."""
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


class Session:
    """One signed-in browser context per (user, language, width)."""

    def __init__(self, browser, base: str):
        self.browser, self.base, self.contexts = browser, base.rstrip("/"), {}
        self.errors: list[str] = []

    def page(self, user: str, language: str, width: int):
        key = (user, language, width)
        if key not in self.contexts:
            context = self.browser.new_context(
                viewport={"width": width, "height": 900},
                locale="zh-CN" if language == "zh-hans" else "en-GB",
                device_scale_factor=1,
            )
            context.add_cookies([{"name": "django_language", "value": language, "url": self.base}])
            page = context.new_page()
            page.on("console", lambda m, k=key: m.type == "error" and self.errors.append(f"{k}: {m.text}"))
            page.goto(f"{self.base}/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_load_state()
            if "/accounts/login/" in page.url:
                raise SystemExit(f"cannot sign in as {user}")
            self.contexts[key] = page
        return self.contexts[key]

    def open(self, page, shot: Shot) -> None:
        if shot.path.startswith("/"):
            response = page.goto(self.base + shot.path)
        elif shot.path == "milestone":
            response = self._follow(page, "/board/?status=open&sort=-progress", "a[href^='/milestones/']")
        elif shot.path == "report-form":
            response = self._report_form(page)
        elif shot.path == "directive":
            response = self._follow(page, "/board/", "td a[href^='/directives/']")
        else:
            raise ValueError(shot.path)
        if response is not None and response.status >= 400:
            raise SystemExit(f"{shot.name}: {page.url} answered {response.status}")
        page.wait_for_load_state("networkidle")

    def _report_form(self, page):
        """The first open milestone of the board that can take a report this month."""
        page.goto(f"{self.base}/board/?status=open&sort=-due_date")
        hrefs = [a.get_attribute("href") for a in page.locator("a[href^='/milestones/']").all()[:30]]
        for href in hrefs:
            page.goto(self.base + href)
            link = page.locator("a[href$='/reports/new/']")
            if link.count():
                return page.goto(self.base + link.first.get_attribute("href"))
        raise SystemExit("no milestone of the liaison takes a report")

    def _follow(self, page, start: str, selector: str):
        page.goto(start if start.startswith("http") else self.base + start)
        href = page.locator(selector).first.get_attribute("href")
        return page.goto(self.base + href)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", nargs="*", help="names (or prefixes) of the screenshots to take")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    selected = [s for s in shots() if not args.only or any(s.name.startswith(o) for o in args.only)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        session = Session(browser, args.base)
        for shot in selected:
            page = session.page(shot.user, shot.language, shot.width)
            session.open(page, shot)
            target = page.locator(shot.selector).first if shot.selector else page
            raw = target.screenshot(full_page=True) if not shot.selector else target.screenshot()
            save_png(raw, out / f"{shot.name}.png")
            print(f"{shot.name}.png  {page.url}")
        browser.close()
    for error in session.errors:
        print("console error:", error, file=sys.stderr)
    return 1 if session.errors else 0


if __name__ == "__main__":
    sys.exit(main())
