"""axe-core in the browser tests: the WCAG 2.1 A and AA rules run inside the page under test.

axe-core comes from the npm registry (``package.json`` pins it, ``bin/test`` runs ``npm ci``);
nothing of it is committed or served by the app. Without it the accessibility tests skip on a
laptop and fail in CI (REQUIRE_SERVICES=1), like the browser tests without Chromium.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules axe files under best practice, not under a WCAG tag, that still ask for something WCAG
# 1.3.1 does (a header cell without text names no column): run beside the tagged ones.
EXTRA_RULES = ["empty-table-header"]

# The page's strict policy (script-src 'self') refuses an inline <script>, which is what
# page.add_script_tag(path=…) inserts; the source is run through the DevTools protocol instead,
# which the policy does not govern, and axe itself needs no eval.
_RUN = """async ([tags, extra]) => {
  const rules = Object.fromEntries(extra.map(id => [id, {enabled: true}]));
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules,
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '),
                               html: n.html.slice(0, 200),
                               summary: (n.failureSummary || '').slice(0, 300)})),
  }));
}"""


def axe_source() -> str:
    """axe.min.js, or a skip (a failure under REQUIRE_SERVICES=1) when npm did not install it."""
    if not AXE_JS.exists():
        reason = f"нет {AXE_JS.relative_to(AXE_JS.parents[2])}: bin/test ставит его через npm ci"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(
    page, *, tags: list[str] = WCAG_TAGS, extra: list[str] = EXTRA_RULES
) -> list[dict]:
    """The violations axe finds on the page as it is now: rule id, impact and the nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN, [tags, extra])


def describe(violations: list[dict], where: str = "") -> str:
    """A failure message a person can act on: rule, impact, selectors, the HTML of each node."""
    lines = []
    for v in violations:
        lines.append(f"{where}[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}\n      {node['html']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)
