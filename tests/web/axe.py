"""axe-core, the accessibility engine, run in a Playwright page: every serious or critical violation it finds.

The package comes from the npm registry at a pinned version (``make axe`` unpacks it into the virtual
environment; this module does the same with ``npm pack`` when it is missing), and is evaluated in the page
through the browser's debugging protocol, so the page's content security policy is left as it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

AXE_VERSION = os.environ.get("AXE_VERSION", "4.11.0")
AXE = Path(sys.prefix) / f"axe-core-{AXE_VERSION}" / "axe.min.js"

#: What fails a page: axe's serious and critical violations, and two moderate ones the GOV.UK Design System
#: asks for too (content outside a landmark, a scrolling region a keyboard cannot reach).
FAILING_IMPACTS = {"serious", "critical"}
ALWAYS_FAILING = {"region", "scrollable-region-focusable"}


def axe_source() -> str:
    """The text of ``axe.min.js``, fetched from the npm registry once if it is not yet here."""
    if not AXE.exists():
        AXE.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["npm", "pack", "--silent", f"axe-core@{AXE_VERSION}"], cwd=tmp, check=True, capture_output=True
            )
            with tarfile.open(Path(tmp) / f"axe-core-{AXE_VERSION}.tgz") as tar:
                member = tar.extractfile("package/axe.min.js")
                assert member is not None
                AXE.write_bytes(member.read())
    return AXE.read_text()


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now that fail the tests, each with the elements it found."""
    page.evaluate(axe_source())
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in FAILING_IMPACTS or v["id"] in ALWAYS_FAILING]


def describe(found: dict[str, list[dict[str, Any]]]) -> str:
    """The violations of every page, one line each, for an assertion's message."""
    return "\n".join(
        f"{where}: {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
        for where, vs in found.items()
        for v in vs
    )
