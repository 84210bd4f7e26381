"""Debian's chromium driven by Playwright, for the station page tests (skipped, with the reason, where there is
no browser on the machine; CI installs one)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SIZES = {"tablet": (1280, 800), "monitor": (1920, 1080)}


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium); .ci/run installs it")
    return path


@contextmanager
def browser_page(width: int = 1280, height: int = 800) -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)   # a loaded 2-core CI machine is slow to start a browser
            yield page
        finally:
            browser.close()
