"""The built documentation site: it builds strictly, serves Mermaid itself (its diagrams render offline, in
headless Chromium), loads nothing from elsewhere, and its signatures are formatted, with values for defaults."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

MERMAID = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
SCRIPT = '<script src="../../assets/javascripts/mermaid.min.js" defer></script>'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A broken link, anchor, include or docstring reference fails the build (mkdocs --strict)."""
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr
    return out


def signatures(page: Path) -> list[str]:
    """The signatures a reference page shows, as text."""
    blocks = re.findall(r'<div class="doc-signature[^"]*"><pre>(.*?)</pre>', page.read_text(), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in blocks]


def test_the_site_builds_strictly(site: Path) -> None:
    queue_worker = (site / "constructs" / "queue-worker" / "index.html").read_text()
    assert "max_receive_count" in queue_worker and 'class="mermaid"' in queue_worker  # options and diagram


def test_the_site_serves_mermaid_itself_and_loads_nothing_from_elsewhere(site: Path) -> None:
    """npm's mermaid (package.json), copied in: the theme fetches it from a CDN only when a page lacks it."""
    assert (site / "assets" / "javascripts" / "mermaid.min.js").read_bytes() == MERMAID.read_bytes()
    pages = sorted(site.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text()
        assert "mermaid.min.js\" defer></script>" in text, page
        assert re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(?:https?:)?//[^"]*"', text) == [], page


def test_signatures_are_formatted_and_defaults_are_values(site: Path) -> None:
    (api,) = signatures(site / "constructs" / "api-function" / "index.html")[:1]
    assert api.startswith("ApiFunction(\n    scope: Construct,\n    construct_id: str,\n    *,\n")  # a line each
    assert '\n    api: Literal["http", "rest"] = "http",\n' in api  # the values, not the alias ApiKind
    assert "\n    throttle_rate_limit: float = 100,\n" in api  # not DEFAULT_RATE_LIMIT
    shown = [signature for page in site.rglob("*.html") for signature in signatures(page)]
    assert len(shown) > 10
    assert [s for s in shown if re.search(r"= [A-Z][A-Z0-9_]{3,}\b|: (?:Optional\[)?[A-Z]\w*(?:Kind|Auth|Via)\b", s)] == []


def rendered_dom(page: Path) -> str:
    """The page's DOM after its scripts ran in headless Chromium, with every host name unresolvable (offline)."""
    shown = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", '--host-resolver-rules=MAP * ~NOTFOUND',
         "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    return shown.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)")
def test_diagrams_render_offline_in_headless_chromium(site: Path) -> None:
    """The theme replaces each <pre class="mermaid"> (the diagram's source) by a <div class="mermaid"> holding the
    drawing (in a closed shadow root) once Mermaid has drawn it; offline, only the site's own copy can."""
    page = site / "constructs" / "queue-worker" / "index.html"
    built = page.read_text()
    assert "flowchart LR" in built and SCRIPT in built
    dom = rendered_dom(page)
    assert "flowchart LR" not in dom
    assert dom.count('<div class="mermaid"></div>') == built.count('<pre class="mermaid">') > 0
    # The same page without the site's copy: the theme reaches for its CDN, offline in vain; the source stays text.
    bare = page.with_name("without-mermaid.html")
    bare.write_text(built.replace(SCRIPT, ""))
    assert "flowchart LR" in rendered_dom(bare)
