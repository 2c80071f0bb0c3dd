"""What the console shows as text: timeline sentences, money, days and times.

`{{ entry|told }}` is the entry's sentence (core.timeline_text); `{{ amount|usd }}`
reads $1,234.50; `{{ day|day }}` "Dec 2, 2026"; `{{ moment|moment }}` "Dec 2, 2026,
9:14 AM MST" in the ISP's time zone, whatever zone the value came in; `{{ text|plain }}`
takes rule IDs out of a sentence written for the code; `{{ note.author|author }}`
reads an automation's name as people do.
"""
from django import template

from lastmile.core import timeline_text

register = template.Library()


@register.filter
def told(entry):
    return timeline_text.tell_entry(entry)


@register.filter
def usd(amount):
    return "" if amount in (None, "") else timeline_text.money(amount)


@register.filter
def day(value):
    return timeline_text.day(value)


@register.filter
def moment(value):
    return timeline_text.moment(value)


@register.filter
def author(actor):
    """Who wrote a note: the person's name, or "Automatically (policy p, step s)"."""
    said = timeline_text.who_did(str(actor or ""))
    said = said.removeprefix("by ")
    return said[:1].upper() + said[1:]


@register.filter
def plain(text):
    return timeline_text.plain(text)
