"""How the emails sent read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, describes, moment


@describes("email.sent")
def _sent(f: Facts):
    subject = f" “{f['subject']}”" if f["subject"] else ""
    return f"Email{subject} sent to {f['to'] or 'the customer'}"


@describes("sms.sent")
def _sms(f: Facts):
    later = f" (held until {moment(f['send_at'])}, after the quiet hours)" if f["send_at"] else ""
    return f"Text message sent to {f['to'] or 'the customer'}{later}"


@describes("sms.opt_out")
def _opt_out(f: Facts):
    return "The customer asked for no more text messages"


@describes("sms.opt_in")
def _opt_in(f: Facts):
    return "Text messages turned back on"


@describes("phone.changed")
def _phone(f: Facts):
    takes = "takes text messages" if f["mobile"] else "no longer takes text messages"
    return f"Phone {f['phone'] or ''} {takes}".replace("  ", " ")


@describes("notice.skipped")
def _skipped(f: Facts):
    how = "Text message" if f["channel"] == "sms" else "Notice"
    return (f"{how} to {f['to'] or 'the customer'} not sent", f["reason"] or f.reason)
