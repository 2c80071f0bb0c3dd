"""How the portal's timeline entries read (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, describes


@describes("portal.password_set")
def _password(f: Facts):
    return "The customer set a portal password"


@describes("autopay.disabled")
def _autopay_off(f: Facts):
    return "Autopay turned off"
