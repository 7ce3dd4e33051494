"""Screenshots of the day view for the README: narrow (360 px) and wide (1440 px), English and Japanese.

    .venv/bin/python docs/screenshots.py          # writes docs/screenshots/day-{narrow,wide}-{en,ja}.png

The DIA Japan seed in a throw-away SQLite database, served on 127.0.0.1, photographed by Debian's Chromium
through Playwright (CHROMIUM=/usr/bin/chromium by default).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventapp import create_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DAY = "/conferences/dia-japan-2025/?day=2025-10-20&lang={lang}"
VIEWPORTS = {"narrow": {"width": 360, "height": 800}, "wide": {"width": 1440, "height": 1000}}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as work:
        app = create_app({"DATABASE_URL": f"sqlite:///{work}/screenshots.sqlite3", "LOG_LEVEL": "WARNING"})
        runner = app.test_cli_runner()
        for args in (["db", "upgrade"], ["seed", "load", str(ROOT / "seed" / "dia-japan-2025.yaml")]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        OUT.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"]
                )
                for lang in ("en", "ja"):
                    for name, viewport in VIEWPORTS.items():
                        context = browser.new_context(
                            viewport=viewport, locale=lang, timezone_id="Asia/Tokyo", color_scheme="light"
                        )
                        page = context.new_page()
                        page.goto(base + DAY.format(lang=lang))
                        page.locator("section.day").first.scroll_into_view_if_needed()
                        page.screenshot(path=OUT / f"day-{name}-{lang}.png", full_page=name == "wide")
                        context.close()
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
