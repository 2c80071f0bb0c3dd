"""The readable table of `lastmile simulate` (without --json)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

_SKIP = {"date", "account", "type"}


def render_table(result: dict, console: Console | None = None) -> None:
    console = console or Console()
    timeline = Table(title="Timeline", show_lines=False)
    for column in ("date", "account", "type", "details"):
        timeline.add_column(column)
    for entry in result["timeline"]:
        details = ", ".join(f"{k}={v}" for k, v in entry.items() if k not in _SKIP)
        timeline.add_row(entry["date"], entry["account"] or "(batch)", entry["type"], details)
    console.print(timeline)
    accounts = Table(title="Accounts at the end")
    for column in ("ref", "status", "plan", "balance", "portal"):
        accounts.add_column(column)
    for ref, state in result["accounts"].items():
        accounts.add_row(ref, state["status"], state["plan"], state["balance"],
                         "on" if state["portal_access"] else "off")
    console.print(accounts)
