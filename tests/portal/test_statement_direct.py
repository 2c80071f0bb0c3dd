"""Statement PDFs written directly (BIL-8, `LASTMILE_STATEMENT_PDF=direct`): the same
parts as the WeasyPrint document, read back with pypdf and with pdftotext."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.test import override_settings

from lastmile.billing.services import charge_post
from lastmile.comms import statements
from lastmile.core import ispconfig
from tests.portal.test_statements import billed, pdf_text  # noqa: F401  (the fixture)

pypdf = pytest.importorskip("pypdf")


@override_settings(LASTMILE_STATEMENT_PDF="direct")
def test_bil8_the_direct_pdf_has_every_part_of_the_statement(billed):  # noqa: F811
    ana, statement = billed
    with ispconfig.override(isp_name="Wasatch (Wireless) \\ Co", isp_address="9 Canyon Rd, Provo, UT 84601",
                            isp_phone="801-555-0199"):
        data = statements.statement_pdf(statement)
    assert data.startswith(b"%PDF-") and len(pypdf.PdfReader(__import__("io").BytesIO(data)).pages) == 1
    text = pdf_text(data)
    for part in ("Wasatch (Wireless) \\ Co", "9 Canyon Rd, Provo, UT 84601", "801-555-0199", ana.number,
                 "Ana Lopez", "12 Elm St, Orem, UT 84057", "Oct 1, 2026", "Oct 31, 2026",  # the period
                 "Earlier balance", "130.00", "Payment, thank you (phone)", "-30.00", "Router replacement",
                 "25.00", "service Oct 01 - Oct 31, 2026", "65.00", "Amount due $190.00",
                 "Due by Monday, October 5, 2026", "How to pay", "check to Wasatch (Wireless) \\ Co"):
        assert part in text, part
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert "Amount due $190.00" in out and "Service period Oct 1, 2026 – Oct 31, 2026" in out


@override_settings(LASTMILE_STATEMENT_PDF="direct")
def test_bil8_a_long_statement_goes_on_to_a_second_page_with_every_line(billed, today):  # noqa: F811
    ana, _ = billed
    for n in range(70):
        charge_post(account=ana, kind="equipment_fee", amount="1.00", actor="automation",
                    description=f"Extra line {n:02d}")
    from lastmile.core.dayrun import run_day

    today.set_day(dt.date(2026, 11, 1))
    run_day(dt.date(2026, 11, 1))
    statement = ana.statements.order_by("period_start").last()
    data = statements.statement_pdf(statement)
    reader = pypdf.PdfReader(__import__("io").BytesIO(data))
    assert len(reader.pages) == 2
    text = pdf_text(data)
    assert all(f"Extra line {n:02d}" in text for n in range(70)) and "How to pay" in text


def test_bil8_an_unknown_renderer_is_refused_naming_the_setting():
    with override_settings(LASTMILE_STATEMENT_PDF="pdfkit"), pytest.raises(ValueError, match="LASTMILE_STATEMENT_PDF"):
        statements.renderer()


def test_bil8_long_text_wraps_inside_the_page():
    lines = statements._wrap([("F1", "word " * 60)], 9.5, 300)
    assert len(lines) > 1 and all(statements._width("".join(t for _, t in line), "F1", 9.5) <= 300 for line in lines)
