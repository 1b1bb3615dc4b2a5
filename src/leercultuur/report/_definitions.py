"""Definitions of the indicators (question, answers, summary and cut-off, n) and the appendix
of markers that differ between the design-based and the classic test, from codebook and spec.

The question wording comes from the codebook's variable label as recorded in the manifest; for
the default codebook's items the NEA question as the article quotes it is shown as well. Answer
categories are the codebook's category labels.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang
from leercultuur.report._labels import Labels

# The NEA questions as the article quotes them (Dutch, as asked), by harmonised item.
QUESTIONS: dict[str, str] = {
    "course": "Heeft u in de afgelopen 2 jaar een opleiding of cursus gevolgd voor uw werk?",
    "learn_tasks": "Leert u veel of weinig van de taken die u uitvoert voor uw werk?",
    "learn_people": "Leert u veel of weinig van mensen op uw werk, zoals collega's, "
    "leidinggevenden en klanten?",
    "var_varied": "Is uw werk gevarieerd?",
    "var_new": "Vereist uw baan dat u nieuwe dingen leert?",
    "var_creative": "Vereist uw baan creativiteit?",
    "aut_how": "Kunt u zelf beslissen hoe u uw werk uitvoert?",
    "aut_order": "Bepaalt u zelf de volgorde van uw werkzaamheden?",
    "aut_pace": "Kunt u zelf uw werktempo regelen?",
    "aut_solutions": "Moet u in uw werk zelf oplossingen bedenken om bepaalde dingen te doen?",
    "aut_leave": "Kunt u verlof opnemen wanneer u dat wilt?",
    "sup_support": "Stimuleert uw leidinggevende de ontwikkeling van uw kennis en vaardigheden?",
}
# cut-offs that are this monitor's own assumption (not published), by indicator id
ASSUMED_CUTOFFS = {"variation_high"}


def _code_key(code: float) -> list[str]:
    return [str(float(code)), str(code), str(int(code)) if float(code).is_integer() else str(code)]


def _answers(result: MonitorResult, item: str, lang: Lang) -> dict[str, str]:
    labels = result.manifest.get("labels") or {}
    cats = (labels.get("categories") or {}).get(item, {}) if isinstance(labels, dict) else {}
    return {str(k): str(v.get(lang, "")) for k, v in cats.items() if isinstance(v, dict)}


def _answer_of(answers: dict[str, str], code: float) -> str:
    for k in _code_key(code):
        if k in answers:
            return answers[k]
    return i18n.num(code, 0, "nl")


def _summary(result: MonitorResult, ind_id: str, lang: Lang) -> str:
    ind = result.spec.indicator(ind_id)
    en = lang == "en"
    if ind.kind == "share":
        answers = _answers(result, ind.items[0], lang)
        which = " / ".join(f"'{_answer_of(answers, c)}'" for c in ind.success)
        return f"share answering {which}" if en else f"aandeel dat {which} antwoordt"
    lo, hi = ind.scale if ind.scale else (None, None)
    scale = "" if lo is None else f" ({i18n.num(lo, 0, lang)}\u2013{i18n.num(hi, 0, lang)})"
    k = len(ind.items)
    if ind.kind == "mean":
        return f"mean of the {k} items{scale}" if en else f"gemiddelde van de {k} items{scale}"
    cut = i18n.num(ind.cutoff or 0.0, 1, lang)
    text = (
        f"share with a mean of the {k} items \u2265 {cut}"
        if en
        else f"aandeel met een gemiddelde van de {k} items \u2265 {cut}"
    )
    if ind_id in ASSUMED_CUTOFFS:
        text += (
            " (an assumption of this monitor: no cut-off has been published)"
            if en
            else " (een aanname van deze monitor: er is geen drempel gepubliceerd)"
        )
    return text


def definitions_table(result: MonitorResult, lang: Lang) -> Markup:
    """Indicator, question(s), answer categories, summary with cut-off, n in the latest year."""
    en = lang == "en"
    labels = result.manifest.get("labels") or {}
    variables = labels.get("variables", {}) if isinstance(labels, dict) else {}
    est = result.estimates
    allrows = est[est["breakdown"] == "all"]
    heads = (
        ("Indicator", "Question (NEA)", "Answers", "Summary", "n (latest year)")
        if en
        else ("Indicator", "Vraag (NEA)", "Antwoorden", "Samenvatting", "n (laatste jaar)")
    )
    cap = "Definitions of the indicators" if en else "Definities van de indicatoren"
    out = [
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(cap)}">',
        f'<table class="defs"><caption>{escape(cap)}</caption><thead><tr>',
        *(f'<th scope="col">{escape(h)}</th>' for h in heads),
        "</tr></thead><tbody>",
    ]
    for ind in result.spec.indicators:
        rows = allrows[allrows["indicator"] == ind.id]
        if rows.empty:
            continue
        last = rows.sort_values("year").iloc[-1]
        qs = []
        for item in ind.items:
            q = QUESTIONS.get(item) or (variables.get(item, {}) or {}).get(lang, item)
            qs.append(f"<li>{escape(q)}</li>")
        answers = _answers(result, ind.items[0], lang)
        ans = ", ".join(
            v
            for _, v in sorted(
                answers.items(), key=lambda kv: float(kv[0]) if _is_num(kv[0]) else 0
            )
        )
        out.append(
            f'<tr><th scope="row">{escape(ind.label.get(lang))}</th>'
            f'<td class="text"><ul>{"".join(qs)}</ul></td><td class="text">{escape(ans)}</td>'
            f'<td class="text">{escape(_summary(result, ind.id, lang))}</td>'
            f"<td>{i18n.num(float(last['n']), 0, lang)} ({int(last['year'])})</td></tr>"
        )
    out.append("</tbody></table></div>")
    return Markup("".join(out))


def _is_num(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True


def marker_appendix(result: MonitorResult, lang: Lang, names: Labels) -> Markup:
    """Markers (all employees and groups) that differ between the design-based and the classic
    test, when the result holds both; otherwise how to get them."""
    c = result.comparisons
    have = set(c["method"].dropna())
    en = lang == "en"
    if not {"design", "classic"} <= have:
        text = (
            "This result holds the tests of one method only. Run the monitor twice (with and "
            "without --classic) to list the markers that differ between the design-based and "
            "the classic test."
            if en
            else "Dit resultaat bevat de toetsen van één methode. Draai de monitor twee keer (met "
            "en zonder --classic) om de markeringen te zien die verschillen tussen de toets "
            "volgens de steekproefopzet en de klassieke toets."
        )
        return Markup(f"<p>{escape(text)}</p>")
    key = ["comparison", "indicator", "breakdown", "group", "year"]
    d = c[c["method"] == "design"].set_index(key)["marker"].fillna("")
    k = c[c["method"] == "classic"].set_index(key)["marker"].fillna("")
    both = d.to_frame("design").join(k.to_frame("classic"), how="inner")
    diff = both[both["design"] != both["classic"]].reset_index()
    if diff.empty:
        return Markup(
            "<p>" + ("No marker differs." if en else "Geen enkele markering verschilt.") + "</p>"
        )
    heads = (
        ("Comparison", "Indicator", "Group", "Year", "Design-based", "Classic")
        if en
        else ("Vergelijking", "Indicator", "Groep", "Jaar", "Steekproefopzet", "Klassiek")
    )
    what = {"year_on_year": ("met vorig jaar", "with previous year"),
            "group_vs_rest": ("groep tegenover rest", "group against rest")}  # fmt: skip
    out = ['<div class="table-scroll"><table class="appendix"><thead><tr>']
    out += [f'<th scope="col">{h}</th>' for h in heads]
    out.append("</tr></thead><tbody>")
    for _, r in diff.iterrows():
        grp = names.group(str(r["breakdown"]), str(r["group"]))
        dm, km = r["design"] or "\u2013", r["classic"] or "\u2013"
        out.append(
            f'<tr><td class="text">{what.get(str(r["comparison"]), ("", ""))[en]}</td>'
            f'<td class="text">{escape(names.indicator(str(r["indicator"])))}</td>'
            f'<td class="text">{escape(grp)}</td><td>{int(r["year"])}</td>'
            f"<td>{escape(dm)}</td><td>{escape(km)}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return Markup("".join(out))
