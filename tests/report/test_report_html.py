"""The HTML report: self-contained, offline, accessible, Dutch by default and English on request."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from leercultuur.monitor import MonitorResult
from leercultuur.report import ReportFiles, write_html


class _Page(HTMLParser):
    """Collects tags and attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def _parse(path: Path) -> tuple[str, _Page]:
    html = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    return html, page


def test_self_contained_and_offline(rendered: ReportFiles) -> None:
    html, page = _parse(rendered.html)
    assert page.all("script") == [] and page.all("link") == [] and page.all("img") == []
    assert page.all("iframe") == [] and "@import" not in html
    # only references inside the page, and the embedded fonts
    assert re.findall(r"url\((?!#|data:font/woff;base64,)", html) == []
    assert html.count("@font-face") == 2
    for _tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert value == "" or value.startswith("#"), (name, value)
    csp = [m for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp[0]["content"].startswith("default-src 'none'")


def test_accessible_structure(rendered: ReportFiles, result: MonitorResult) -> None:
    html, page = _parse(rendered.html)
    assert page.all("html")[0]["lang"] == "nl"
    assert len(page.all("h1")) == 1
    assert len(page.all("h4")) == 4  # one per indicator
    tables = len(page.all("table"))
    # Table 1a and 1b, a table and its groups per indicator, Table 2, associations, definitions
    assert tables == 2 + 2 * 4 + 1 + 1 + 1
    assert html.count("<caption>") == tables
    ths = page.all("th")
    assert ths and all(th.get("scope") in ("col", "row", "rowgroup") for th in ths)
    svgs = page.all("svg")
    # trends, subgroup charts, associations, groups over time (headline indicators, >= 3 years)
    assert len(svgs) == 4 + 2 + 1 + 2
    assert all(s["role"] == "img" and s["aria-label"] for s in svgs)
    assert "2012: 54,0%; 2013: 52,0%" in svgs[0]["aria-label"]
    all_ids = [a["id"] for _t, a in page.tags if a.get("id")]
    assert len(all_ids) == len(set(all_ids))  # inline SVGs must not clash
    ids = set(all_ids)
    links = {a["href"][1:] for a in page.all("a") if (a.get("href") or "").startswith("#")}
    assert links <= ids, links - ids  # every finding and contents link lands
    assert "sub-education-low" in links
    assert (
        '<abbr class="supp" title="minder dan 200 respondenten: niet gepubliceerd">x</abbr>' in html
    )


def test_content_nl(rendered: ReportFiles) -> None:
    html, _ = _parse(rendered.html)
    assert '<h2 id="h-findings">Belangrijkste bevindingen</h2>' in html
    assert "De trend over 2012\u20132022 is licht stijgend (B = +0,60 %-punt per jaar" in html
    assert "Het is nog te vroeg om van een trendbreuk te spreken." in html
    row = (
        '<tr id="ind-nonformal-est-all-all" class="all"><th scope="row">Alle werknemers</th>'
        '<td>54,0%</td><td>52,0%<abbr class="mk" title="significant (p &lt; 0,05), klein effect'
        ' (d &lt; 0,20)">*</abbr></td>'
    )
    assert row in html
    assert "Toetsen: volgens de steekproefopzet tegenover klassiek" in html
    assert "Middelen voor leren in de organisatie" in html  # what the NEA does not measure
    assert "Tabel 1a. Leergedrag: 10-jaartrend B, 2012\u20132022" in html
    assert "Tabel 2. Groepen werknemers" in html
    assert "Opleidingsniveau volgens de CBS-indeling: laag = basisonderwijs" in html
    # definitions from codebook and spec, the assumed cut-off disclosed
    assert "Heeft u in de afgelopen 2 jaar een opleiding of cursus gevolgd voor uw werk?" in html


def test_english_edition(rendered_en: ReportFiles) -> None:
    html, page = _parse(rendered_en.html)
    assert rendered_en.html.name == "report-en.html"
    assert page.all("html")[0]["lang"] == "en"
    assert '<h2 id="h-findings">Key findings</h2>' in html
    assert "Tests: design-based versus classic" in html
    assert "The trend over 2012\u20132022 is slightly rising (B = +0.60 pp per year" in html
    assert "Belangrijkste" not in html


def test_charts_saved_as_svg_and_png(rendered: ReportFiles) -> None:
    names = sorted(p.name for p in rendered.charts)
    stems = sorted({Path(n).stem for n in names})
    assert stems == [
        "associations", "groups-age_class", "groups-education", "overtime-nonformal",
        "overtime-support_any", "trend-autonomy_scale", "trend-informal_tasks_much",
        "trend-nonformal", "trend-support_any",
    ]  # fmt: skip
    assert len(names) == 2 * len(stems)
    for p in rendered.charts:
        head = p.read_bytes()[:8]
        assert head == b"\x89PNG\r\n\x1a\n" if p.suffix == ".png" else head.startswith(b"<?xml")


def test_deterministic_output(result: MonitorResult, rendered: ReportFiles, tmp_path: Path) -> None:
    again = write_html(result, tmp_path / "again").read_text(encoding="utf-8")
    assert again == rendered.html.read_text(encoding="utf-8")


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colour_contrast_meets_wcag_aa() -> None:
    """Text colours of the stylesheet against the backgrounds they are used on: >= 4.5:1."""
    css = (Path(__file__).parents[2] / "src/leercultuur/report/templates/report.css").read_text()
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("ink", "bg"), ("muted", "bg"), ("accent", "bg"), ("warm", "bg"), ("ink", "panel"),
        ("muted", "panel"), ("accent", "accent-soft"), ("ink", "accent-soft"),
    ]  # fmt: skip
    for fg, bg in pairs:
        assert _contrast(var[fg], var[bg]) >= 4.5, (fg, bg, _contrast(var[fg], var[bg]))
    assert _contrast("#ffffff", var["accent"]) >= 4.5  # masthead text
