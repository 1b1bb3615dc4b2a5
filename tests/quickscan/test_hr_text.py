"""Language of the HR pages, the Dutch catalog, the tips file, the privacy notice, the CSV guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from leercultuur.quickscan import tips
from leercultuur.quickscan.web import i18n, report_view
from leercultuur.quickscan.web.privacy import privacy_notice, privacy_sections

PKG = Path(i18n.__file__).resolve().parents[1]
CALL = re.compile(r'\b_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+|\'(?:[^\'\\]|\\.)*\')')


def _literal_texts() -> dict[str, str]:
    """Every literal text passed to _() in the templates and the page modules -> where."""
    found: dict[str, str] = {}
    pages = [p for p in sorted((PKG / "web").glob("*.py")) if p.name != "i18n.py"]
    files = sorted((PKG / "templates").glob("*.html")) + pages
    for path in files:
        source = path.read_text(encoding="utf-8")
        for match in CALL.finditer(source):
            raw = match.group(1)
            parts = re.findall(r'"((?:[^"\\]|\\.)*)"', raw) or re.findall(
                r"'((?:[^'\\]|\\.)*)'", raw
            )
            text = "".join(parts)
            if path.suffix == ".py":
                text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
            found.setdefault(text, path.name)
    return found


def test_every_page_text_has_dutch() -> None:
    texts = _literal_texts()
    texts.update({v: "report_view.VERDICT_LABELS" for v in report_view.VERDICT_LABELS.values()})
    assert len(texts) > 100
    dutch = i18n.dutch()
    missing = {t: where for t, where in texts.items() if t not in dutch}
    assert not missing, f"texts without Dutch in hr_nl.yaml: {missing}"
    for text, nl in dutch.items():  # placeholders survive the translation
        assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", nl)), text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("en-GB,en;q=0.9,nl;q=0.5", "en"),
        ("de-DE,de;q=0.9,nl;q=0.4", "nl"),
        ("fr, en;q=0", None),
        ("", None),
        ("nl;q=0.2, en;q=0.7", "en"),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert i18n.accept_language(header) == expected


def test_translator_fills_values_in_both_languages() -> None:
    assert i18n.translator("nl")("{n} of {total}", n=3, total=12) == "3 van 12"
    assert i18n.translator("en")("{n} of {total}", n=3, total=12) == "3 of 12"
    assert i18n.translator("nl")("a text nobody translated") == "a text nobody translated"


def test_tips_cover_every_dimension_in_both_languages_with_sources() -> None:
    all_sources = tips.sources()
    for dim in tips.DIMENSIONS:
        nl, en = tips.tips_for(dim, "nl"), tips.tips_for(dim, "en")
        assert nl.title != en.title
        assert len(nl.tips) == len(en.tips) >= 3
        for verdict in ("higher", "comparable", "lower", "too_few", "single_view"):
            assert nl.feedback_for(verdict) and en.feedback_for(verdict)
        assert nl.feedback_for("too_few") == nl.feedback["unknown"]
        for tip in nl.tips + en.tips:
            assert tip.sources, tip.text
            for src in tip.sources:
                assert src.url or src.via or re.search(r"\(\d{4}\)", src.text), src.key
                assert src.via is None or src.via in all_sources
    cited = {s.key for d in tips.DIMENSIONS for t in tips.tips_for(d, "en").tips for s in t.sources}
    # the literature the issue names: job crafting, after-action reviews, learning leadership
    assert {"wrzesniewski2001", "keiser2021", "hailey2002", "woudstra2025"} <= cited


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_privacy_notice_is_complete(lang: str) -> None:
    sections = privacy_sections(lang, 7, organisation="Bakkerij Jansen", retention_days=180)  # type: ignore[arg-type]
    text = " ".join(p for s in sections for p in s.paragraphs)
    assert len(sections) == 6
    assert "Bakkerij Jansen" in text
    assert "180" in text and "7" in text
    for word in {
        "nl": ["verwerkingsverantwoordelijke", "AVG", "inzage", "Autoriteit Persoonsgegevens"],
        "en": ["controller", "GDPR", "access", "Autoriteit Persoonsgegevens"],
    }[lang]:
        assert word in text
    flat = privacy_notice(lang, 7)  # type: ignore[arg-type]
    assert len(flat) == sum(len(s.paragraphs) for s in sections)


def test_general_privacy_notice_names_no_group_size() -> None:
    text = " ".join(p for s in privacy_sections("en", None) for p in s.paragraphs)
    assert "never fewer than 5 people" in text


def test_numbers_in_each_language() -> None:
    assert report_view.number(47.26, "%", "en") == "47.3%"
    assert report_view.number(2.845, "mean", "nl").startswith("2,8")
    assert report_view.number(-3.5, "%", "en", signed=True) == "\u22123.5"
    assert report_view.number(None, "%", "en") == "\u2013"
    assert report_view.interval(38.0, 56.0, "%", "nl") == "38,0% tot 56,0%"


def test_csv_guards_formulas_and_keeps_numbers() -> None:
    rows = [
        {"group": '=HYPERLINK("http://x")', "estimate": -3.5, "label": "@SUM(A1)"},
        {"group": "+team", "estimate": 12.0, "label": "Zorg"},
    ]
    text = report_view.csv_text(rows)
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "group,estimate,label"
    assert lines[1].startswith("\"'=HYPERLINK")
    assert ",-3.5,'@SUM(A1)" in lines[1]
    assert lines[2] == "'+team,12.0,Zorg"


def test_the_scan_form_names_the_sectors_as_the_monitor_report_does() -> None:
    """The sector list showed only SBI letters ("Q"), which an HR user cannot read (found in
    the browser walk-through); the names must be the report's and cover every section."""
    from leercultuur.quickscan import scans
    from leercultuur.report import _i18n as report_i18n

    assert set(scans.SECTOR_NAMES) == set(scans.SECTORS)
    assert scans.SECTOR_NAMES == report_i18n.SECTORS
