"""Outbound webhooks (issue 11): signed POSTs of timeline entries to the URLs an
admin registers, delivered by the minute jobs with retries for 24 hours."""
