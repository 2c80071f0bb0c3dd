"""The what-if tests commit their data (the copy reads only committed rows): on SQLite
the insert-only triggers are lifted around the flush, exactly as for the browser tests."""
from tests.e2e.conftest import _insert_only_triggers_lifted  # noqa: F401 - an autouse fixture
