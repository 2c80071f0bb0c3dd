"""Collections figures of due dates whose window is over (issue 10).

Once the last shut-off day after a due date has passed, what was paid of those
statements by the due date, by D and by the shut-off day can no longer change
(payments are posted on the day they arrive), so the day run stores them once and
the collections report reads a year of them instead of weighing a year of
statements against a year of payments each time. A due date still open is
computed live. An import of old payments (IMP-2) after a month was closed is not
counted: a due date with a statement newer than the stored ones is computed live
until the next day run stores it anew.
"""
from __future__ import annotations

from django.db import models


class CollectedDueDate(models.Model):
    due_on = models.DateField()
    network = models.CharField(max_length=16)
    statements = models.PositiveIntegerField()
    billed = models.DecimalField(max_digits=14, decimal_places=2)
    by_due = models.DecimalField(max_digits=14, decimal_places=2)
    by_d = models.DecimalField(max_digits=14, decimal_places=2)
    by_shutoff = models.DecimalField(max_digits=14, decimal_places=2)
    closed_on = models.DateField()
    # the newest statement of the due date when stored: a statement added since (an
    # import, IMP-2) has a higher id, and the stored figures are set aside
    last_statement_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = ("due_on", "network")
        constraints = [models.UniqueConstraint(fields=["due_on", "network"], name="one_collected_row_per_due_date")]

    def __str__(self) -> str:
        return f"collections due {self.due_on} {self.network}"
