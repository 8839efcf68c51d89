"""Hooks of the documentation site (mkdocs.yml `hooks:`): Mermaid served by the site itself.

Material for MkDocs draws ```mermaid blocks with a global `mermaid` when a page has one, and fetches the
library from a CDN only when it has not: a site read offline, or where the CDN is blocked, showed the diagrams
as raw text. npm's `mermaid` (pinned in package.json, installed by `make install`'s `npm ci`) is copied into
the site and loaded by every page (mkdocs.yml `extra_javascript`, deferred).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

MERMAID = Path("node_modules") / "mermaid" / "dist" / "mermaid.min.js"
SITE_PATH = "assets/javascripts/mermaid.min.js"  # where mkdocs.yml's extra_javascript loads it from


def on_files(files: Files, config: MkDocsConfig) -> Files:
    source = Path(config.config_file_path).parent / MERMAID
    if not source.is_file():
        raise PluginError(f"{source} is missing: `make install` installs the pinned mermaid (npm ci)")
    files.append(File.generated(config, SITE_PATH, abs_src_path=str(source)))
    return files
