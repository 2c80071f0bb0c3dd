"""The browser fixtures of tests/e2e (Debian's Chromium, the lifted insert-only triggers)."""
from tests.e2e.conftest import _insert_only_triggers_lifted, browser_page  # noqa: F401
