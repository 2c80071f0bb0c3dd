"""The console, included at /console/ with the namespace "console"."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/<str:number>/", views.account_page, name="account"),
    path("accounts/<str:number>/timeline/", views.account_timeline, name="timeline"),
    path("accounts/<str:number>/payment/", views.payment_take, name="payment"),
    path("accounts/<str:number>/notes/", views.note_add, name="note"),
    path("accounts/<str:number>/cards/", views.card_add, name="card"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/outcome/", views.task_outcome, name="task_outcome"),
]

# guided procedures (lastmile.console.procedures)
from . import procedures  # noqa: E402

urlpatterns += [
    path("accounts/<str:number>/upgrade/", procedures.plan_change, name="plan_change"),
    path("accounts/<str:number>/trial/", procedures.trial, name="trial"),
    path("accounts/<str:number>/trial/revert/", procedures.trial_revert, name="trial_revert"),
    path("accounts/<str:number>/cancel/", procedures.cancel, name="cancel"),
    path("accounts/<str:number>/where-is-my-payment/", procedures.payment_claim, name="payment_claim"),
    path("accounts/<str:number>/arrangement/", procedures.arrangement, name="arrangement"),
    path("accounts/<str:number>/reinstate/", procedures.reinstate, name="reinstate"),
    path("accounts/<str:number>/waive-fee/", procedures.fee_waive, name="fee_waive"),
    path("accounts/<str:number>/suspend/", procedures.suspend, name="suspend"),
]

# money corrections (BIL-7): lastmile.console.money
from . import money  # noqa: E402

urlpatterns += [
    path("accounts/<str:number>/ledger/", money.ledger, name="money_ledger"),
    path("accounts/<str:number>/ledger/adjust/", money.adjust, name="money_adjust"),
    path("accounts/<str:number>/ledger/refund/", money.refund, name="money_refund"),
    path("accounts/<str:number>/ledger/<int:entry_id>/adjust/", money.adjust, name="money_entry_adjust"),
    path("accounts/<str:number>/ledger/<int:entry_id>/void/", money.void, name="money_void"),
    path("accounts/<str:number>/ledger/<int:entry_id>/reverse/", money.reverse, name="money_reverse"),
]

# tickets that take the answer, the NOC desk (TKT-1, NET-1, DLQ-7): lastmile.console.tickets_views
from . import tickets_views  # noqa: E402

urlpatterns += [
    path("tickets/", tickets_views.tickets, name="tickets"),
    path("tickets/<int:ticket_id>/", tickets_views.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/answer/", tickets_views.ticket_answer, name="ticket_answer"),
    path("tickets/<int:ticket_id>/notes/", tickets_views.ticket_note, name="ticket_note"),
    path("tickets/<int:ticket_id>/assign/", tickets_views.ticket_assign, name="ticket_assign"),
    path("noc/", tickets_views.noc_desk, name="noc"),
    path("noc/<int:request_id>/<str:outcome>/", tickets_views.noc_record, name="noc_record"),
]

# statement documents (BIL-8): lastmile.console.documents
from . import documents  # noqa: E402

urlpatterns += [
    path("accounts/<str:number>/statements/<int:statement_id>/pdf/", documents.statement_document,
         name="statement_pdf"),
]

# a statement's lines, payments and state, printable (issue 10): lastmile.console.statements_views
from . import statements_views  # noqa: E402

urlpatterns += [
    path("accounts/<str:number>/statements/<int:statement_id>/", statements_views.statement_page,
         name="statement"),
]

# onboarding and account care (issue 9): lastmile.console.account_care
from . import account_care  # noqa: E402

# accounts/new/ goes first, so "new" is never read as an account number
urlpatterns = [path("accounts/new/", account_care.account_new, name="account_new")] + urlpatterns + [
    path("accounts/<str:number>/edit/", account_care.account_edit, name="account_edit"),
    path("accounts/<str:number>/contracts/new/", account_care.contract_new, name="contract_new"),
    path("accounts/<str:number>/equipment/returned/", account_care.equipment_returned, name="equipment_returned"),
    path("accounts/<str:number>/equipment/pickup-failed/", account_care.pickup_failed, name="pickup_failed"),
    path("accounts/<str:number>/emails/", account_care.emails, name="account_emails"),
]

# moving in from another system (issue 12, IMP-1): lastmile.console.imports_views
from . import imports_views  # noqa: E402

urlpatterns += [path("imports/", imports_views.imports_page, name="imports")]

# the approval queue of payment arrangements (issue 9, DLQ-4): lastmile.console.approvals
from . import approvals  # noqa: E402

urlpatterns += [
    path("approvals/", approvals.approvals, name="approvals"),
    path("approvals/<int:arrangement_id>/approve/", approvals.approve, name="approval_approve"),
    path("approvals/<int:arrangement_id>/decline/", approvals.decline, name="approval_decline"),
]

# outbound webhooks (issue 11, admins): lastmile.webhooks.views
from lastmile.webhooks import views as webhook_views  # noqa: E402

urlpatterns += [
    path("webhooks/", webhook_views.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/disable/", webhook_views.disable, name="webhook_disable"),
    path("webhooks/<int:endpoint_id>/enable/", webhook_views.enable, name="webhook_enable"),
    path("webhooks/<int:endpoint_id>/delete/", webhook_views.delete, name="webhook_delete"),
    path("webhooks/deliveries/<int:delivery_id>/", webhook_views.delivery, name="webhook_delivery"),
]

# reports with charts (issue 10): lastmile.console.reports_views
from . import reports_views  # noqa: E402

urlpatterns += [
    path("reports/", reports_views.reports_index, name="reports"),
    path("reports/<slug:slug>/", reports_views.report_page, name="report"),
    path("reports/<slug:slug>/csv/", reports_views.report_csv, name="report_csv"),
]

# "what if we change the policy?" for managers (issue 14): lastmile.console.whatif_views
from . import whatif_views  # noqa: E402

# before reports/<slug>/, so "whatif" is never read as a report's slug
urlpatterns = [
    path("reports/whatif/", whatif_views.whatif_page, name="whatif"),
    path("reports/whatif/<int:run_id>/", whatif_views.whatif_run, name="whatif_run"),
] + urlpatterns
