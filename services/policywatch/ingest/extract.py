"""The main text of a linked article page, with trafilatura (boilerplate, menus, footers out)."""

from __future__ import annotations

from typing import Any


def extract_main_text(page: bytes, *, url: str) -> str | None:
    """The page's main text, or None when trafilatura finds none."""
    import trafilatura  # imported on first use: it loads lxml and its language data

    extracted: Any = trafilatura.extract(
        page, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    if isinstance(extracted, str) and extracted.strip():
        return extracted.strip()
    return None
