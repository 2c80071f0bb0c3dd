"""`lastmile import SOURCE FILE... [--dry-run] [--mapping MAPPING.yaml]` on the terminal."""
from __future__ import annotations

import sys
from pathlib import Path


def load_mapping(path: str | None) -> dict | None:
    """The mapping file: `columns: {their header: our field | null}`, `values: {field:
    {theirs: ours}}`, optional `kind:` (docs/import.md)."""
    if not path:
        return None
    import yaml

    data = yaml.safe_load(Path(path).read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a mapping file is a YAML mapping with `columns:` and/or `values:`")
    return data


def run_import(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from lastmile.core.actors import superuser

    from .services import import_files

    console = Console(stderr=True)
    try:
        mapping = load_mapping(args.mapping)
    except (OSError, ValueError) as exc:
        print(f"lastmile import: {exc}", file=sys.stderr)
        return 2
    files = []
    for name in args.files:
        try:
            files.append((name, Path(name).read_text(encoding="utf-8-sig")))
        except OSError as exc:
            print(f"lastmile import: cannot read {name}: {exc.strerror}", file=sys.stderr)
            return 2
    actor = superuser(args.as_user)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=max(total, 1))
            bar.update(tasks[what], completed=done, total=max(total, 1))

        report = import_files(source=args.source, files=files, actor=actor, dry_run=args.dry_run,
                              mapping=mapping, progress=progress)
    for f in report.files:
        print(f.sentence(args.dry_run))
        for p in f.problems:
            print(f"  problem: {p}")
        for w in f.warnings:
            print(f"  note: {w}")
    if report.first_bill_on and report.ok:
        verb = "would bill" if args.dry_run else "bills"
        print(f"the first bill run after the import {verb} from {report.first_bill_on} "
              "(the first month the old system did not bill)")
    if args.dry_run:
        print("dry run: nothing was written")
    return 0 if report.ok else 1
