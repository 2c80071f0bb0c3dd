"""The admin's import page (issue 12, IMP-1): upload -> preview (a dry run with every
problem) -> confirm. The uploaded files wait in a private temporary folder between
the preview and the confirmation, so what is confirmed is exactly what was previewed.
"""
from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lastmile.core.choices import Role
from lastmile.core.errors import LastmileError
from lastmile.core.timeline_text import plain
from lastmile.imports.layouts import SOURCES
from lastmile.imports.selectors import history_totals, recent_runs

from .views import actor, console_view

_SESSION = "lastmile_import_upload"
MAX_FILES = 8


def _admin_only(request):
    who = actor(request)
    if Role.ADMIN not in who.roles:
        return render(request, "console/error.html", {
            "message": "Importing another system's data is for an admin; ask an admin to do it."}, status=403)
    return None


def _texts(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    return [(name, (folder / f"{i}.csv").read_text(encoding="utf-8-sig")) for i, name in enumerate(names)]


def _mapping(text: str):
    import yaml

    if not text.strip():
        return None
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the mapping is YAML with `columns:` and/or `values:`")
    return data


@console_view
@require_http_methods(["GET", "POST"])
def imports_page(request):
    refused = _admin_only(request)
    if refused:
        return refused
    from lastmile.imports.services import import_files

    context = {"sources": SOURCES, "runs": recent_runs(), "source": request.POST.get("source", ""),
               "totals": history_totals()}
    if request.method == "GET":
        return render(request, "console/imports/upload.html", context)
    step = request.POST.get("step")
    if step == "preview":
        files = request.FILES.getlist("files")
        source = request.POST.get("source", "")
        problem = None
        if source not in SOURCES:
            problem = "Choose which system the export comes from."
        elif not files:
            problem = "Choose the export's CSV files (accounts, notes, statements, payments)."
        elif len(files) > MAX_FILES:
            problem = f"Upload at most {MAX_FILES} files at once."
        mapping_text = request.POST.get("mapping", "")
        try:
            mapping = _mapping(mapping_text)
        except ValueError as exc:
            problem = f"The mapping cannot be read: {exc}"
        if problem:
            context["refusal"] = problem
            return render(request, "console/imports/upload.html", context, status=422)
        folder = Path(tempfile.mkdtemp(prefix="lastmile-import-"))
        names = []
        for i, f in enumerate(files):
            with open(folder / f"{i}.csv", "wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
            names.append(Path(f.name).name)
        try:
            texts = _texts(folder, names)
        except UnicodeDecodeError:
            shutil.rmtree(folder, ignore_errors=True)
            context["refusal"] = "A file is not UTF-8 text; export it again as CSV (UTF-8)."
            return render(request, "console/imports/upload.html", context, status=422)
        report = import_files(source=source, files=texts, actor=actor(request), dry_run=True, mapping=mapping)
        token = secrets.token_urlsafe(16)
        request.session[_SESSION] = {"token": token, "folder": str(folder), "names": names, "source": source,
                                     "mapping": mapping_text}
        return render(request, "console/imports/preview.html", {
            "report": report, "token": token, "source": source,
            "sentences": [f.sentence(True) for f in report.files]})
    if step == "confirm":
        saved = request.session.get(_SESSION) or {}
        if not saved or request.POST.get("token") != saved.get("token"):
            context["refusal"] = "That preview has expired; upload the files again."
            return render(request, "console/imports/upload.html", context, status=409)
        if request.POST.get("confirm") != "on":
            context["refusal"] = "Tick the confirmation box to import."
            return render(request, "console/imports/upload.html", context, status=422)
        folder = Path(saved["folder"])
        try:
            report = import_files(source=saved["source"], files=_texts(folder, saved["names"]),
                                  actor=actor(request), mapping=_mapping(saved.get("mapping", "")))
        except LastmileError as exc:
            context["refusal"] = plain(exc.message)
            return render(request, "console/imports/upload.html", context, status=403)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            request.session.pop(_SESSION, None)
        sentences = [f.sentence(False) for f in report.files]
        if report.ok:
            messages.success(request, "The import is done: " + "; ".join(sentences) + ".")
            return redirect("console:imports")
        return render(request, "console/imports/preview.html", {
            "report": report, "source": saved["source"], "sentences": sentences, "done": True})
    context["refusal"] = "Upload the files first."
    return render(request, "console/imports/upload.html", context, status=422)
