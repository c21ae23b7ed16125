"""The curation page in a real headless Chromium: accept, reject and edit with the keyboard, add
a missed item by selecting text with the mouse, export, `extract gold build`, `extract eval`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest_browser import ROOT, read_jsonl  # noqa: E402
from test_curate import TEXT_A, embedded, eval_json, invoke, made_up_run  # noqa: E402
from test_review_browser import Page, browser  # noqa: E402,F401  (the fixture)


def card_of(data: dict, quote: str) -> str:
    return next(i["id"] for a in data["articles"] for i in a["items"] if i["a"]["evidence"]["quote"] == quote)


def select_text(page, quote: str) -> None:
    """Drag the mouse over `quote` in the article text, as a reader would."""
    box = page.evaluate("""(quote) => {
        const root = document.getElementById("text");
        const full = root.textContent, at = full.indexOf(quote);
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        let seen = 0, node;
        while ((node = walker.nextNode())) {
            const len = node.textContent.length;
            if (seen <= at && at < seen + len) range.setStart(node, at - seen);
            if (seen < at + quote.length && at + quote.length <= seen + len) range.setEnd(node, at + quote.length - seen);
            seen += len;
        }
        const rects = range.getClientRects();
        const a = rects[0], b = rects[rects.length - 1];
        return {x0: a.left + 1, y0: a.top + a.height / 2, x1: b.right - 1, y1: b.top + b.height / 2};
    }""", quote)
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2, steps=4)
    page.mouse.move(box["x1"], box["y1"], steps=4)
    page.mouse.up()


@pytest.mark.browser
def test_curate_in_chromium_then_gold_and_eval(browser, tmp_path):
    run = made_up_run(tmp_path)
    html = tmp_path / "curate.html"
    res = invoke("review", run, "--curate", "-o", html)
    assert res.exit_code == 0, res.output
    data = embedded(html)
    view = Page(browser, html)
    page = view.page
    sel = lambda: page.eval_on_selector(".card.sel", "n => n.id")  # noqa: E731
    # The page opens on the least sure item (page B's target, 0.2).
    assert sel() == "card-" + card_of(data, "测试楼宇经济税收突破20亿元")
    assert "j" in page.text_content("#keys") and "accept" in page.text_content("#keys")
    page.keyboard.press("r")  # reject it; on to the next least sure (0.3, page A)
    assert sel() == "card-" + card_of(data, "测试规上企业达到500家")
    page.keyboard.press("a")
    t2 = card_of(data, "测试高新企业300家")
    assert sel() == "card-" + t2
    page.keyboard.press("e")  # edit: value 300 → 350, saved with Enter
    page.wait_for_selector(f"#card-{t2} form input[name='value']")
    page.fill(f"#card-{t2} form input[name='value']", "350")
    page.press(f"#card-{t2} form input[name='value']", "Enter")
    assert page.get_attribute(f"#card-{t2}", "data-decision") == "edit"
    page.keyboard.press("j")  # the policy (0.6)
    assert sel() == "card-" + card_of(data, "区政府印发《关于促进测试制造业发展的实施意见》")
    page.keyboard.press("a")
    assert sel() == "card-" + card_of(data, "测试研发投入占比3%")
    t3 = sel()
    page.keyboard.press("a")  # on to page C's target (0.95), left undecided
    assert sel() == "card-" + card_of(data, "测试农业园区10个")
    page.keyboard.press("k")  # back one: u undoes, a accepts again
    assert sel() == t3
    page.keyboard.press("u")
    assert page.text_content("#decided") == "4 of 6 decided"
    page.keyboard.press("a")
    page.keyboard.press("k")  # back on page A, where the missed item is
    assert sel() == t3 and page.text_content("#decided") == "5 of 6 decided"

    # A missed meeting: select its sentence with the mouse, pick the kind, fill the name.
    quote = "会议由区长张三主持"
    select_text(page, quote)
    page.wait_for_selector("#add-panel")
    start = TEXT_A.index(quote)
    assert f"({start}–{start + len(quote)})" in page.text_content("#add-panel .q")
    page.select_option("#add-kind", "meetings")
    page.fill("#add-panel input[name='name']", "测试推进会")
    page.fill("#add-panel input[name='attendees']", "张三")
    page.press("#add-panel input[name='name']", "Enter")
    assert page.locator(".card.added-item").count() == 1
    added_mark = page.eval_on_selector_all("#text mark", "ns => ns.filter(n => n.dataset.items.includes('add-'))"
                                            ".map(n => n.textContent).join('')")
    assert added_mark == quote  # highlighted where it was selected
    assert page.text_content("#decided") == "5 of 6 decided, 1 added"

    # Kept in localStorage: a reload loses nothing.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.text_content("#decided") == "5 of 6 decided, 1 added"

    # Export: the download holds one line per decision.
    with page.expect_download() as info:
        page.click("#export")
    decisions = tmp_path / "decisions.jsonl"
    info.value.save_as(decisions)
    lines = read_jsonl(decisions)
    assert sorted(l["decision"] for l in lines) == ["accept", "accept", "accept", "add", "edit", "reject"]
    added = next(l for l in lines if l["decision"] == "add")
    assert added["kind"] == "meetings" and added["evidence"] == {"quote": quote, "start": start, "end": start + len(quote)}
    assert added["item"]["attendees"] == [{"name": "张三", "title": None}]
    assert set(lines[0]) >= {"article", "source", "text_sha256", "kind", "key", "evidence", "decision", "item"}
    assert view.errors == [] and view.dialogs == []
    page.close()

    gold = tmp_path / "gold.jsonl"
    res = invoke("gold", "build", run, decisions, "-o", gold)
    assert res.exit_code == 0, res.output
    report = eval_json(run, gold)
    # Targets: 2 accepted (TP), 1 edited to another value (FP + FN), 1 rejected (FP).
    t = report["types"]["targets"]
    assert (t["tp"], t["fp"], t["fn"]) == (2, 2, 1)
    assert t["precision"] == pytest.approx(2 / 4) and t["recall"] == pytest.approx(2 / 3)
    p = report["types"]["policies"]
    assert (p["tp"], p["fp"], p["fn"], p["precision"]) == (1, 0, 0, 1.0)
    m = report["types"]["meetings"]
    assert (m["tp"], m["fn"], m["recall"]) == (0, 1, 0.0)  # the added meeting was missed by the run
    assert report["gold_articles"] == 2  # pages A and B were reviewed; C was not
    json.dumps(report)


@pytest.mark.browser
def test_curation_screenshot(browser, tmp_path, monkeypatch):
    """The README's picture of the curation view (docs/curation.png), from the seeds run."""
    monkeypatch.chdir(ROOT)
    html = tmp_path / "seeds-curate.html"
    res = invoke("review", "tests/data/runs/seeds.jsonl", "--curate", "-o", html)
    assert res.exit_code == 0, res.output
    view = Page(browser, html)
    page = view.page
    page.keyboard.press("a")
    page.keyboard.press("r")
    page.keyboard.press("a")
    page.keyboard.press("e")
    page.wait_for_timeout(200)
    assert "✓" in page.text_content("#nav")
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "curation.png"))
    assert view.errors == [] and view.dialogs == []
    page.close()


@pytest.mark.browser
def test_curation_keeps_markup_text(browser, tmp_path):
    """Markup in article text and items stays text in the curation view, the add panel and the
    edit form too."""
    from conftest_browser import write_jsonl
    from test_review_browser import XSS_IMG, XSS_SCRIPT, xss_record

    run = write_jsonl(tmp_path / "x.jsonl", [xss_record()])
    html = tmp_path / "x.html"
    assert invoke("review", run, "--curate", "-o", html).exit_code == 0
    assert "innerHTML" not in html.read_text(encoding="utf-8")
    view = Page(browser, html)
    page = view.page
    page.keyboard.press("e")
    page.wait_for_selector(".card form input")
    select_text(page, XSS_IMG)
    page.wait_for_selector("#add-panel")
    assert XSS_IMG in page.text_content("#add-panel .q")
    page.keyboard.press("Escape")
    assert page.locator("img").count() == 0 and page.locator("script").count() == 2
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert XSS_SCRIPT in page.text_content("#text")
    assert view.errors == [] and view.dialogs == []
    page.close()
