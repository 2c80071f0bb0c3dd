"""How webhook changes read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, describes


@describes("webhook.registered")
def _registered(f: Facts):
    return f"Webhook to {f['url'] or 'an address'} registered"


@describes("webhook.enabled", "webhook.disabled")
def _switched(f: Facts):
    return f"Webhook to {f['url'] or 'an address'} turned {'on' if f.type == 'webhook.enabled' else 'off'}"


@describes("webhook.deleted")
def _deleted(f: Facts):
    return f"Webhook to {f['url'] or 'an address'} deleted"
