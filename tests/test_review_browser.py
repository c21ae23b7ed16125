"""`extract review`: the HTML page, checked in a real headless Chromium (and statically)."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from conftest_browser import (  # noqa: E402
    ROOT,
    cli_app,
    edit,
    find_chromium,
    read_jsonl,
    record_for,
    run_path,
    write_jsonl,
)

MAX_BYTES = 2 * 1024 * 1024
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=window.__pwned=1>'


def xss_record() -> dict:
    """A page whose text, title and items carry markup that must stay text."""
    text = (f"测试页面开头。{XSS_SCRIPT}这是正文。{XSS_IMG}\n\n"
            "区政府印发《关于<b>加粗</b>的实施方案》。到2025年，上市公司20家。")
    items = {
        "policies": [{"title": f"关于<b>加粗</b>的实施方案{XSS_IMG}",
                      "evidence": {"quote": "区政府印发《关于<b>加粗</b>的实施方案》"}}],
        "targets": [{"metric": "上市公司", "value": 20, "unit": "家", "comparator": "reach",
                     "evidence": {"quote": "到2025年，上市公司20家"}}],
        "meetings": [{"name": XSS_SCRIPT, "evidence": {"quote": XSS_SCRIPT}}],
    }
    return record_for("zzz_xss.txt", text, items, title=f"标题{XSS_SCRIPT}{XSS_IMG}",
                      errors=[{"stage": "validate", "message": f"bad {XSS_IMG}"}])


def with_added_item(rows: list[dict]) -> list[dict]:
    """B gets a policy A does not have, quoted from a sentence of a page that exists."""
    rec = next(r for r in rows if len(r["article"]["text"]) > 200)
    text = rec["article"]["text"]
    start = next(m.start() for m in re.finditer(r"\S{12}", text))
    quote = text[start : start + 12]
    rec["policies"].append({"title": "测试新增政策", "doc_type": None, "issuers": [], "region": None,
                            "issued": None, "time_text": None, "measures": [],
                            "evidence": {"quote": quote, "start": start, "end": start + 12}})
    return rows


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("review")
    rows = read_jsonl(run_path(tmp, split=True)) + [xss_record()]
    run = write_jsonl(tmp / "run.jsonl", rows)
    other = write_jsonl(tmp / "other.jsonl", with_added_item(edit(rows)[0]))
    runner, app = CliRunner(), cli_app()
    plain, against = tmp / "plain.html", tmp / "against.html"
    for args in (["review", str(run), "-o", str(plain)],
                 ["review", str(run), "--against", str(other), "-o", str(against)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
    return {"plain": plain, "against": against, "articles": len(rows)}


def embedded(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_html_is_self_contained_and_escaped(pages):
    for path in (pages["plain"], pages["against"]):
        html = path.read_text(encoding="utf-8")
        assert path.stat().st_size < MAX_BYTES
        assert '<meta charset="utf-8">' in html
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no network, no CDN
        assert "innerHTML" not in html and "insertAdjacentHTML" not in html
        # The data block carries the payloads only in escaped form.
        block = html.split('id="review-data">', 1)[1].split("</script>", 1)[0]
        assert "<" not in block and ">" not in block and "&" not in block
        data = embedded(path)
        assert len(data["articles"]) == pages["articles"]
        assert any(XSS_SCRIPT in (a["text"] or "") for a in data["articles"])


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """A page with its console errors, page errors and dialogs recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready='1']")

    def open_article(self, key: str) -> None:
        self.page.click(f"#nav li[data-key='{key}']")

    def in_viewport(self, selector: str) -> bool:
        return self.page.eval_on_selector(selector, """n => { const r = n.getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight
                && r.left >= 0 && r.right <= window.innerWidth; }""")


@pytest.mark.browser
def test_review_page_in_chromium(browser, pages):
    data = embedded(pages["plain"])
    view = Page(browser, pages["plain"])
    page = view.page
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const mark = performance.getEntriesByName('review-rendered')[0];
        return {rendered: mark.startTime, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd}; }""")
    size = pages["plain"].stat().st_size
    print(f"\nreview page: {size / 1024:.0f} KiB, {pages['articles']} articles; rendered "
          f"{timing['rendered']:.0f} ms after navigation start (DOMContentLoaded {timing['dcl']:.0f} ms)")
    assert size < MAX_BYTES

    # Every article is listed.
    assert page.locator("#nav li").count() == len(data["articles"]) == pages["articles"]

    # Clicking an item far down a long article brings its highlighted quote into view.
    art = max(data["articles"], key=lambda a: max((i["span"][0] for i in a["items"] if i["span"]), default=0))
    item = max((i for i in art["items"] if i["span"]), key=lambda i: i["span"][0])
    view.open_article(art["key"])
    page.evaluate("document.getElementById('article').scrollTop = 0")
    page.locator(f"#card-{item['id']}").scroll_into_view_if_needed()
    page.click(f"#card-{item['id']} .head")
    page.wait_for_timeout(200)
    assert view.in_viewport(f"#q-{item['id']}")
    quote = (item["a"]["evidence"]["quote"])
    assert page.eval_on_selector(f"#q-{item['id']}", "n => n.classList.contains('hl')")
    assert quote.startswith(page.text_content(f"#q-{item['id']}"))
    # ...and clicking a highlight selects its card.
    page.click(f"#q-{item['id']}")
    assert page.eval_on_selector(f"#card-{item['id']}", "n => n.classList.contains('sel')")

    # The type filter hides the other types, in the list and in the text.
    kinds = {i["kind"] for i in art["items"]}
    keep = "targets" if "targets" in kinds else sorted(kinds)[0]
    for kind in ("policies", "targets", "meetings"):
        if kind != keep:
            page.uncheck(f".kind-filter[value='{kind}']")
    shown = page.eval_on_selector_all(".card", "ns => ns.map(n => n.dataset.kind)")
    assert shown and set(shown) == {keep}
    marks = page.eval_on_selector_all("#text mark", "ns => ns.map(n => n.className)")
    assert marks and all(f"k-{keep}" in m or f"ph-{keep}" in m for m in marks)
    for kind in ("policies", "targets", "meetings"):
        page.check(f".kind-filter[value='{kind}']")
    assert page.locator(".card").count() == len(art["items"])

    # Each item shows its confidence; a cut hides the items under it, and 0 shows them again.
    confs = [i["a"]["confidence"] for i in art["items"]]
    assert all(isinstance(c, float) for c in confs)
    cut = sorted(confs)[len(confs) // 2]
    page.fill("#min-confidence", str(cut))
    shown = page.eval_on_selector_all(".card .conf", "ns => ns.map(n => parseFloat(n.dataset.confidence))")
    assert shown and all(c >= cut for c in shown) and len(shown) == sum(c >= cut for c in confs)
    assert page.locator(".card").count() == len(shown)
    page.fill("#min-confidence", "0")
    assert page.locator(".card").count() == len(art["items"])

    # A policy's measures and a meeting's topics are underlined where they stand, and belong to it.
    for kind in ("policies", "meetings"):
        art2 = next(a for a in data["articles"] if any(i["phrases"] and i["kind"] == kind for i in a["items"]))
        owner = next(i for i in art2["items"] if i["phrases"] and i["kind"] == kind)
        view.open_article(art2["key"])
        page.wait_for_timeout(100)
        underlined = page.eval_on_selector_all("#text mark.ph", "ns => ns.map(n => [n.textContent, n.dataset.items])")
        s, e = owner["phrases"][0]
        assert any(t and art2["text"][s:e].startswith(t) and owner["id"] in ids.split(" ") for t, ids in underlined)

    # Markup in the data stays text: no script ran, no element was made from it.
    view.open_article("zzz_xss#1")
    page.wait_for_timeout(300)
    text = page.text_content("#text")
    assert XSS_SCRIPT in text and XSS_IMG in text and "<b>加粗</b>" in text
    assert page.locator("#text *:not(mark), #nav b, #items b").count() == 0  # only our highlights
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 2  # the data block and the page's own script
    assert XSS_SCRIPT in page.text_content("#nav")
    assert XSS_IMG in page.text_content("#article .errors")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert view.dialogs == []
    assert view.errors == []
    page.close()


@pytest.mark.browser
def test_review_against_other_run_in_chromium(browser, pages):
    data = embedded(pages["against"])
    view = Page(browser, pages["against"])
    page = view.page
    assert page.locator("#nav li").count() == len(data["articles"])
    # Change markers in the article list, and on the items.
    for status in ("added", "removed", "changed"):
        assert page.locator(f"#nav .mark-{status}").count() >= 1, status
    changed = next(a for a in data["articles"] if a["changes"]["changed"])
    view.open_article(changed["key"])
    for status in ("added", "removed", "changed"):
        if changed["changes"][status]:
            assert page.locator(f".card.s-{status} .mark-{status}").count() >= 1
    card = page.locator(".card.s-changed").first
    assert card.locator(".changes .old").count() >= 1 and card.locator(".changes .new").count() >= 1
    assert card.locator(".sides h4").all_text_contents() == ["A", "B"]
    # "changed only" leaves only added, removed and changed items.
    page.check("#changed-only")
    statuses = set(page.eval_on_selector_all(".card", "ns => ns.map(n => n.dataset.status)"))
    assert statuses and statuses <= {"added", "removed", "changed"}
    page.uncheck("#changed-only")
    # Select a changed item for the screenshot.
    card = page.locator(".card.s-changed").first
    card.locator(".head").click()
    page.wait_for_timeout(300)
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "review.png"))
    assert view.errors == [] and view.dialogs == []
    page.close()
