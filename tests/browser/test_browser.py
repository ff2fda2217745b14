"""End-to-end in headless Chromium: paste, highlight, click a claim, see its graph; corpus pages; XSS."""

from __future__ import annotations

import json

from browser.articles import ARTICLE, XSS_ARTICLE

#: Set up as a booby trap for every page: any payload in the test articles sets window.__pwned.
HOSTILE = ("img[src='x']", "#article script", "#article img", "#article svg", "[onmouseover]", "[onerror]",
           "[onload]")


def analyse(tab, text: str) -> None:
    tab.goto("/")
    tab.page.fill("#article-text", text)
    tab.page.click("#analyze-button")
    tab.page.wait_for_selector("#result:not(.hidden) #article .seg")


def test_paste_highlight_click_claim_see_graph(tab):
    analyse(tab, ARTICLE)
    page = tab.page
    assert "Done:" in page.text_content("#status")
    assert page.locator("#article .hl-src").count() > 0
    assert page.locator("#article .src-named_person").count() > 0
    assert page.locator("#article .hl-cue").count() > 0
    assert page.locator("#article .hl-claim").count() > 0
    # The article shown is the analysed text, character for character.
    report = page.evaluate("""async () => {
        const r = await fetch('/api/analyze', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({text: document.getElementById('article-text').value})});
        return await r.json(); }""")
    assert page.text_content("#article") == report["document"]["text"]
    tab.shot("analyse-highlights")

    # Layers switch off and on.
    source = page.locator("#article .src-named_person").first
    coloured = source.evaluate("e => getComputedStyle(e).backgroundColor")
    page.uncheck("#layers input[data-layer=sources]")
    assert source.evaluate("e => getComputedStyle(e).backgroundColor") != coloured
    page.check("#layers input[data-layer=sources]")
    assert source.evaluate("e => getComputedStyle(e).backgroundColor") == coloured

    # The claim relayed through the Valley Post: the graph has one node per link of its chain.
    claim = next(c for c in report["claims"] if "cracks" in c["text"])
    page.locator("#article .hl-claim", has_text="cracks").first.click()
    page.wait_for_selector("#graph svg g.node")
    assert page.locator("#claim-chain li").count() == len(claim["chain"]) >= 2
    assert page.locator("#graph svg g.node").count() == len(claim["chain"])
    assert page.locator("#graph svg g.edge").count() == len(claim["chain"]) - 1
    graph_text = page.text_content("#graph svg")
    for link in claim["chain"]:
        assert link["name"] in graph_text
    assert page.text_content("#claim-text") == claim["text"]
    assert page.locator("#article .hl-claim.selected").count() >= 1
    assert page.locator("#profile tr").count() >= 5
    tab.shot("analyse-claim-graph")

    with page.expect_download() as download:
        page.click("#download")
    with open(download.value.path(), encoding="utf-8") as saved_file:
        saved = json.load(saved_file)
    assert saved["document"]["text"] == report["document"]["text"]
    assert [c["id"] for c in saved["claims"]] == [c["id"] for c in report["claims"]]
    assert not tab.errors


def test_upload_a_file(tab, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(ARTICLE, encoding="utf-8")
    tab.goto("/")
    tab.page.click("button[data-tab=file]")
    tab.page.set_input_files("#article-file", str(story))
    tab.page.click("#analyze-button")
    tab.page.wait_for_selector("#result:not(.hidden) #article .hl-claim")
    assert "Harbour bridge to shut for six weeks" in tab.page.text_content("#headline")
    assert not tab.errors


def test_refused_url_shows_a_readable_error(tab):
    tab.goto("/")
    tab.page.click("button[data-tab=url]")
    tab.page.fill("#article-url", "http://10.0.0.1/internal")
    tab.page.click("#analyze-button")
    tab.page.wait_for_selector("#status.error")
    assert "private" in tab.page.text_content("#status")


def test_article_markup_never_runs_on_the_analyse_page(tab):
    analyse(tab, XSS_ARTICLE)
    page = tab.page
    # Hover and click every piece of the article, where an injected handler would fire.
    segments = page.locator("#article .seg")
    for i in range(segments.count()):
        segments.nth(i).hover()
    claim = page.locator("#article .hl-claim").first
    claim.click()
    page.wait_for_selector("#graph svg g.node, #graph .error")
    assert tab.pwned() is None
    assert tab.dialogs == []
    for selector in HOSTILE:
        assert page.locator(selector).count() == 0, selector
    # The markup is there, as text.
    shown = page.text_content("#article") + page.text_content("#headline")
    assert "<script>" in shown and "onerror=" in shown and 'onmouseover="' in shown
    tab.shot("xss-analyse")


def test_corpus_pages_load_sort_search_and_trace(tab):
    page = tab.page
    tab.goto("/outlets")
    rows = page.locator("#outlets tbody tr")
    assert rows.count() == 4

    def column(index: int) -> list[str]:
        cells = f"#outlets tbody tr td:nth-child({index})"
        return page.eval_on_selector_all(cells, "cells => cells.map(c => c.dataset.value ?? c.textContent)")

    page.click("#outlets th:nth-child(3)")  # claims, ascending
    ascending = [float(v) for v in column(3)]
    assert ascending == sorted(ascending)
    assert page.get_attribute("#outlets th:nth-child(3)", "aria-sort") == "ascending"
    page.click("#outlets th:nth-child(3)")
    descending = [float(v) for v in column(3)]
    assert descending == sorted(ascending, reverse=True)
    page.click("#outlets th:nth-child(1)")
    names = [n.strip().lower() for n in column(1)]
    assert names == sorted(names)
    tab.shot("corpus-outlets")

    tab.goto("/claims")
    page.fill("#q", "harbour bridge close repairs")
    page.click("form.search button")
    page.wait_for_selector("#hits li a")
    assert page.locator("#hits li").count() >= 3
    tab.shot("corpus-search")
    page.locator("#hits li a").first.click()
    page.wait_for_selector("#timeline")
    marks = page.locator("#timeline circle.mark").count()
    assert marks == page.locator("#reports tbody tr").count() >= 2
    assert page.locator("#timeline .row-label").count() >= 2
    assert "independent line" in page.text_content("#trace-summary")
    tab.shot("corpus-trace")
    assert tab.pwned() is None and tab.dialogs == [] and not tab.errors


def test_corpus_markup_never_runs(tab):
    page = tab.page
    tab.goto("/outlets")
    assert "<img src=x" in page.text_content("#outlets")
    tab.goto("/claims?q=" + "Saltzman budget decided")
    for link in page.locator("#hits a").all():
        link.hover()
    if page.locator("#hits a").count():
        page.locator("#hits a").first.click()
        page.wait_for_selector("#timeline")
        for row in page.locator("#reports tbody tr").all():
            row.hover()
    tab.goto("/claims?q=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E")
    assert tab.pwned() is None
    assert tab.dialogs == []
    for selector in HOSTILE:
        assert page.locator(selector).count() == 0, selector
    tab.shot("xss-corpus")
