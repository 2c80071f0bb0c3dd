"""The browser test's set-up: Debian's Chromium driven by Playwright, and a live
server whose database can be emptied afterwards.

pytest-django's `live_server` needs transactional database handling: the data the
test writes must be committed for the server thread to see it, and the database is
emptied (flushed) afterwards. On SQLite, Django flushes with DELETE, which the
insert-only triggers of AUD-1 refuse (core/dbtriggers.py). So, for this module only,
the triggers are lifted before the first test and put back, exactly as they were,
after the last flush; every other test keeps them. (PostgreSQL flushes with
TRUNCATE, which row triggers do not see: nothing to do there.)
"""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module", autouse=True)
def _insert_only_triggers_lifted(django_db_setup, django_db_blocker):
    """Module scope: set up before, and torn down after, every test's flush."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND (name LIKE '%\\_no\\_update' ESCAPE '\\' OR name LIKE '%\\_no\\_delete' ESCAPE '\\')"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
    assert triggers, "the insert-only triggers were expected on the test database"
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
                cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
                assert cursor.fetchone()[0] >= len(triggers)


@pytest.fixture
def browser_page(monkeypatch):
    """A Chromium page, or a skip that says why there is none."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still synchronous, so Django's async guard is lifted for this test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=CHROMIUM_ARGS, headless=True,
        )
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright's loop runs get their own connection
            # (Django keys connections by context); close it, or PostgreSQL cannot
            # drop the test database at the end ("being accessed by other users")
            connections.close_all()
