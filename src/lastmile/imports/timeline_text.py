"""How imports read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, describes, label


def _source(f: Facts) -> str:
    return label(f["source"]).capitalize() or "the old system"


def _changes(f: Facts) -> str:
    changes = f["changes"]
    return ", ".join(label(k) for k in changes) if isinstance(changes, dict) else ""


@describes("import.updated")
def _updated(f: Facts):
    what = _changes(f)
    ref = f" (id {f['source_id']})" if f["source_id"] else ""
    return f"Account updated from {_source(f)}{ref}" + (f": {what} changed" if what else "")


@describes("history.imported")
def _imported(f: Facts):
    return f"{f['count'] or 'Some'} {label(f['kind']) or 'history'} row(s) imported from {_source(f)}"


@describes("history.updated")
def _history(f: Facts):
    what = _changes(f)
    return (f"Imported {label(f['kind']) or 'history'} {f['source_id'] or ''} updated from {_source(f)}"
            + (f": {what} changed" if what else "")).replace("  ", " ")
