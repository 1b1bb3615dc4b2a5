"""The researcher's own texts (``--text DIR``: intro.md, conclusions.md, colophon.md) as HTML.

A small, safe subset of Markdown, enough for an introduction, conclusions and a colophon:
paragraphs, headings (``#`` to ``###``, shown one level below the report's section heading),
bulleted and numbered lists, ``**bold**``, ``*italic*``, ```code``` and ``[text](https://...)``
links. All text is escaped first: raw HTML in a file is shown as text, never interpreted, and
links other than http(s) and mailto are shown as plain text. A file ``intro.en.md`` is used in
the English edition when it exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup, escape

from leercultuur.report._i18n import Lang

PARTS = ("intro", "conclusions", "colophon")
_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_CODE = re.compile(r"`([^`]+)`")
_HEAD = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBER = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def _inline(text: str) -> str:
    out = str(escape(text))
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _LINK.sub(r'<a href="\2">\1</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def render_markdown(text: str) -> Markup:
    """HTML of the safe subset (see the module's docstring)."""
    html: list[str] = []
    para: list[str] = []
    items: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal kind
        if para:
            html.append("<p>" + _inline(" ".join(para)) + "</p>")
            para.clear()
        if items:
            html.append(
                f"<{kind}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{kind}>"
            )
            items.clear()
            kind = ""

    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            flush()
            continue
        head = _HEAD.match(line)
        bullet, number = _BULLET.match(line), _NUMBER.match(line)
        if head:
            flush()
            level = len(head.group(1)) + 2  # the section is h2
            html.append(f"<h{level}>{_inline(head.group(2).strip())}</h{level}>")
        elif bullet or number:
            want = "ul" if bullet else "ol"
            if para or (items and kind != want):
                flush()
            kind = want
            items.append((bullet or number).group(1))  # type: ignore[union-attr]
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()  # continuation of a list item
        else:
            if items:
                flush()
            para.append(line.strip())
    flush()
    return Markup("\n".join(html))


def editorial_texts(folder: Path | None, lang: Lang) -> dict[str, Markup]:
    """The texts a folder holds, by part; ``<part>.en.md`` first in the English edition."""
    if folder is None:
        return {}
    out = {}
    for part in PARTS:
        names = [f"{part}.en.md", f"{part}.md"] if lang == "en" else [f"{part}.md"]
        for name in names:
            p = folder / name
            if p.is_file():
                out[part] = render_markdown(p.read_text(encoding="utf-8"))
                break
    return out
