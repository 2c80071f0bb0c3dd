"""The admin's import page (issue 12, IMP-1): upload -> preview with every problem -> confirm."""
from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from lastmile.accounts.models import Account
from lastmile.imports.models import ImportRun

from .conftest import read


def _upload(*names, text=None):
    files = [SimpleUploadedFile(n, read(n)[1].encode(), content_type="text/csv") for n in names]
    if text is not None:
        files.append(SimpleUploadedFile("accounts.csv", text.encode(), content_type="text/csv"))
    return files


def test_IMP1_admin_previews_then_confirms_an_import(console_as, move_day, packages):
    client = console_as("admin")
    page = client.get("/console/imports/")
    assert page.status_code == 200 and b"Import from another system" in page.content
    preview = client.post("/console/imports/", {"step": "preview", "source": "sonar",
                                                "files": _upload("sonar_accounts.csv", "sonar_payments.csv")})
    assert preview.status_code == 200
    assert "sonar_accounts.csv (accounts): would create 3, would update 0, 0 unchanged" in preview.content.decode()
    assert not Account.objects.exists()  # a preview writes nothing
    token = preview.context["token"]
    done = client.post("/console/imports/", {"step": "confirm", "token": token, "confirm": "on"}, follow=True)
    assert "The import is done: sonar_accounts.csv (accounts): created 3" in done.content.decode()
    assert Account.objects.count() == 3
    assert ImportRun.objects.filter(dry_run=False, ok=True).count() == 1
    page = client.get("/console/imports/").content.decode()
    assert "2 payments ($150.00), kept as the old systems" in page
    again = client.post("/console/imports/", {"step": "confirm", "token": token, "confirm": "on"})
    assert again.status_code == 409 and "That preview has expired" in again.content.decode()


def test_IMP1_preview_lists_every_problem_with_file_row_and_column(console_as, move_day, packages):
    client = console_as("admin")
    name, text = read("lastmile_accounts.csv")
    text = text.replace(",classic,", ",gold,").replace("4242,visa", "4242 4242 4242 4242,visa")
    preview = client.post("/console/imports/", {"step": "preview", "source": "lastmile",
                                                "files": [SimpleUploadedFile(name, text.encode())]})
    body = preview.content.decode()
    assert "Problems to fix in the export" in body
    problems = [(p.row, p.column) for p in preview.context["report"].problems]
    assert problems == [(2, "card_last4")]  # the card number refuses the file first
    assert "looks like a payment card number" in body
    assert 'id="import-confirm"' not in body  # nothing to confirm


def test_the_import_page_is_for_an_admin_only(console_as, move_day, packages):
    page = console_as("agent").get("/console/imports/")
    assert page.status_code == 403
    assert "Importing another system&#x27;s data is for an admin" in page.content.decode()


def test_IMP2_the_account_page_shows_the_old_systems_history_beside_the_balance(console_as, do_import):
    assert do_import("lastmile", "lastmile_accounts.csv", "lastmile_statements.csv", "lastmile_payments.csv").ok
    from lastmile.imports.models import SourceRecord

    number = Account.objects.get(pk=SourceRecord.objects.get(source_id="LM-1002").account_id).number
    body = console_as("agent").get(f"/console/accounts/{number}/").content.decode()
    assert "History from Lastmile" in body and 'id="import-history"' in body
    assert "Statement S-3" in body and "$92.50" in body and "Payment by check · ref 1042" in body
    assert "bills from 1 December 2026" in body
