"""Writes the authorization matrix (authz_matrix.py) into docs/security.md, between its markers.

    python -m tests.security.render_matrix          # rewrite the section
    python -m tests.security.render_matrix --check  # exit 1 when the document is out of date
"""
from __future__ import annotations

import sys
from pathlib import Path

from tests.security.authz_matrix import ACTORS, MATRIX

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
BEGIN, END = "<!-- authz-matrix:begin -->", "<!-- authz-matrix:end -->"
LABEL = {"200": "200", "201": "201", "204": "204", "302": "302 login", "401": "401", "403": "**403**",
         "404": "404", "405": "405", "409": "409", "422": "422"}


def render() -> str:
    api = {k: v for k, v in MATRIX.items() if k[1].startswith("/api/")}
    pages = {k: v for k, v in MATRIX.items() if not k[1].startswith("/api/")}
    lines = [BEGIN, "", f"{len(MATRIX)} rows × {len(ACTORS)} actors = {len(MATRIX) * len(ACTORS)} checked answers "
             f"({len(api)} API operations, {len(pages)} page requests).", ""]
    for title, rows in (("API (`Authorization: Bearer`)", api), ("Console, portal and sign-in pages", pages)):
        lines += [f"### {title}", "", "| method | path | " + " | ".join(ACTORS) + " |",
                  "| --- | --- | " + " | ".join("---" for _ in ACTORS) + " |"]
        for (method, path), codes in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            cells = [LABEL.get(c, c) for c in codes.split()]
            lines.append(f"| {method} | `{path}` | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def updated(text: str) -> str:
    if BEGIN not in text:
        return text.rstrip("\n") + "\n\n" + render() + "\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + render() + tail


def main(argv: list[str]) -> int:
    text = DOC.read_text()
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print("docs/security.md is out of date: python -m tests.security.render_matrix", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
