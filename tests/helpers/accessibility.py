"""Accessibility of a page opened in headless Chromium: axe-core, and what axe cannot see.

axe-core is the one bundled by ``axe-playwright-python`` (pinned; nothing is fetched):
its source is evaluated in the page and in each of its frames (the maps live in
``srcdoc`` iframes), and every rule tagged WCAG 2.0 / 2.1 A and AA or best-practice
runs. :func:`page_facts` then reads what RGAA also asks and axe does not check as such:
the language, one ``<h1>``, headings in order, a caption and scoped headers in every
table, every map with a title and followed by the table of what it shows.

Used by ``tests/test_accessibility.py`` and ``benchmarks/bench_a11y.py``.
"""
from __future__ import annotations

#: The axe-core rules run: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_RUN = """options => axe.run(document, options).then(results => results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')), count: v.nodes.length})))"""

_FACTS = """() => {
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
      .filter(h => h.getClientRects().length || h.closest('details'));
  const levels = headings.map(h => Number(h.tagName[1]));
  const jumps = levels.slice(1).map((l, i) => [levels[i], l]).filter(([a, b]) => b > a + 1);
  const tables = [...document.querySelectorAll('table')];
  const uncaptioned = tables.filter(t => !(t.caption && t.caption.textContent.trim()));
  const unscoped = [...document.querySelectorAll('th')].filter(
      th => !['row', 'col', 'rowgroup', 'colgroup'].includes(th.getAttribute('scope')));
  const all = [...document.querySelectorAll('*')];
  const maps = [...document.querySelectorAll('iframe')].map(frame => {
    const after = all.slice(all.indexOf(frame) + 1);
    const next = after.findIndex(e => e.matches('iframe, h1, h2'));
    const until = next === -1 ? after : after.slice(0, next);
    return {title: (frame.getAttribute('title') || '').trim(),
            table: until.some(e => e.tagName === 'TABLE')};
  });
  return {lang: document.documentElement.lang, h1: document.querySelectorAll('h1').length,
          jumps, uncaptioned: uncaptioned.length, tables: tables.length,
          unscoped: unscoped.length, maps};
}"""


def axe_script() -> str:
    """The source of axe-core as bundled by axe-playwright-python."""
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def axe_version() -> str:
    """``4.12.1``: the version of the bundled axe-core, read from its banner."""
    import re

    found = re.search(r"axe v([\d.]+)", axe_script()[:200])
    return found.group(1) if found else "?"


def axe_violations(target) -> list[dict]:
    """Violations of :data:`AXE_TAGS` in a page or frame (its own document only)."""
    if not target.evaluate("() => typeof window.axe === 'object'"):
        target.evaluate(axe_script())
    return target.evaluate(_RUN, {"runOnly": {"type": "tag", "values": AXE_TAGS},
                                  "resultTypes": ["violations"], "iframes": False})


def page_violations(page) -> dict[str, list[dict]]:
    """Violations of the page (``"page"``) and of each of its frames (``"frame N"``)."""
    found = {"page": axe_violations(page)}
    frames = [f for f in page.frames if f != page.main_frame]
    for number, frame in enumerate(frames, 1):
        found[f"frame {number}"] = axe_violations(frame)
    return found


def page_facts(page) -> dict:
    """What RGAA asks beyond axe (see the module's docstring), read in the page."""
    return page.evaluate(_FACTS)


def facts_problems(facts: dict) -> list[str]:
    """What is wrong in :func:`page_facts` (empty: nothing)."""
    problems = []
    if facts["lang"] != "fr":
        problems.append(f"lang={facts['lang']!r}")
    if facts["h1"] != 1:
        problems.append(f"{facts['h1']} <h1>")
    if facts["jumps"]:
        problems.append(f"headings skip levels: {facts['jumps']}")
    if facts["uncaptioned"]:
        problems.append(f"{facts['uncaptioned']} of {facts['tables']} tables without caption")
    if facts["unscoped"]:
        problems.append(f"{facts['unscoped']} <th> without scope")
    for number, found in enumerate(facts["maps"], 1):
        if not found["title"]:
            problems.append(f"map {number} has no title")
        if not found["table"]:
            problems.append(f"map {number} is not followed by a table")
    return problems


def tab_through(page, presses: int = 400) -> list[str]:
    """Press Tab from the top of a freshly opened page: where focus was after each press.

    ``"page"`` is an element of the page itself, ``"map"`` an element inside a map
    frame, ``"none"`` the body (focus left the document's elements).
    """
    trail = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        trail.append(page.evaluate(
            "() => { const e = document.activeElement;"
            " if (!e || e === document.body) return 'none';"
            " return e.tagName === 'IFRAME' ? 'map' : 'page'; }"))
        if trail[-1] == "none" and "map" in trail:
            break
    return trail


__all__ = ["AXE_TAGS", "axe_violations", "page_violations", "page_facts", "facts_problems",
           "tab_through", "axe_version"]
