"""The accessibility check of the browser tests (issue 10): axe-core, vendored from
the npm registry (tests/e2e/vendor/axe.min.js, `npm pack axe-core`; a test-only
asset, never served by the application).

    from tests.e2e.a11y import assert_accessible
    assert_accessible(page)                 # the whole page
    assert_accessible(page, "WCAG AA")      # a label for the failure message

It fails on any violation of serious or critical impact and names each rule, its
help text and the first offending elements, so the failure says what to fix.

The script goes in with page.evaluate, not a <script> tag: the console's
Content-Security-Policy (script-src 'self') refuses inline scripts, and the check
must not need the policy relaxed.
"""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING = ("serious", "critical")
_source: str | None = None


def _axe_source() -> str:
    global _source
    if _source is None:
        _source = AXE.read_text(encoding="utf-8")
    return _source


def axe_violations(page, *, impacts=BLOCKING) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of these impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '),
                    summary: (n.failureSummary || '').slice(0, 300)}))}));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def assert_accessible(page, what: str = "") -> None:
    """No serious or critical axe-core violation on the page."""
    violations = axe_violations(page)
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {what or page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"]:
                lines.append(f"    {node['target']}: {node['summary']}")
        raise AssertionError("\n".join(lines))
