"""How the simulator's refusals read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, describes, label


@describes("action.refused")
def _refused(f: Facts):
    line = f" (scenario line {f['line']})" if f["line"] else ""
    return f"Refused: {label(f['verb']) or 'an action'}{line}", f["reason"] or f.reason
