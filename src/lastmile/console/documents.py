"""Statement documents in the console (BIL-8): the PDF the customer receives, for
staff to open while on the phone. Staff only: `console_view` needs a staff login, and
a portal customer is never a staff user."""
from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from lastmile.accounts.selectors import account_get
from lastmile.comms.statements import statement_filename, statement_for_download, statement_pdf

from .views import console_view


@console_view
@require_GET
def statement_document(request, number: str, statement_id: int):
    account = account_get(number=number)
    statement = statement_for_download(statement_id=statement_id, account=account)
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement_filename(statement, account.number)}"'
    return response
