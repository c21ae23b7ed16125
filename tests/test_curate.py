"""Curation: `extract review --curate` decisions become gold (`extract gold build`), and
`extract eval` of a run against that gold gives the figures the decisions imply."""
from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from conftest_browser import ROOT, read_jsonl, record_for, write_jsonl  # noqa: E402

from extract.api import _sides, evaluate_files  # noqa: E402
from extract.review.match import KINDS, pair_items  # noqa: E402

SEED_RUN = ROOT / "tests" / "data" / "runs" / "seeds.jsonl"
SEED_GOLD = ROOT / "tests" / "data" / "gold" / "seeds.jsonl"

# Made-up pages (never real gold text).
TEXT_A = ("区政府印发《关于促进测试制造业发展的实施意见》。到2025年，测试规上企业达到500家，"
          "测试高新企业300家，测试研发投入占比3%。当日召开测试推进会，会议由区长张三主持。")
TEXT_B = "测试街道提出，到2024年测试楼宇经济税收突破20亿元。"
TEXT_C = "测试镇提出，到2026年测试农业园区10个。"


def target(metric, value, unit, quote, conf, comparator="reach", year=2025):
    return {"metric": metric, "value": value, "unit": unit, "comparator": comparator, "deadline_year": year,
            "time_text": None, "region": None, "policy": None, "evidence": {"quote": quote}, "confidence": conf}


def made_up_run(tmp: Path) -> Path:
    a = record_for("900_test_a.txt", TEXT_A, {
        "policies": [{"title": "关于促进测试制造业发展的实施意见", "doc_type": "意见", "issuers": ["区政府"],
                      "region": None, "issued": None, "time_text": None, "measures": [],
                      "evidence": {"quote": "区政府印发《关于促进测试制造业发展的实施意见》"}, "confidence": 0.6}],
        "targets": [target("测试规上企业", 500, "家", "测试规上企业达到500家", 0.3),
                    target("测试高新企业", 300, "家", "测试高新企业300家", 0.5),
                    target("测试研发投入占比", 3, "%", "测试研发投入占比3%", 0.9)],
    }, title="测试页面甲")
    b = record_for("901_test_b.txt", TEXT_B, {
        "targets": [target("测试楼宇经济税收", 20, "亿元", "测试楼宇经济税收突破20亿元", 0.2, "exceed", 2024)]},
        title="测试页面乙")
    c = record_for("902_test_c.txt", TEXT_C, {
        "targets": [target("测试农业园区", 10, "个", "测试农业园区10个", 0.95, year=2026)]}, title="测试页面丙")
    return write_jsonl(tmp / "run.jsonl", [a, b, c])


def app() -> typer.Typer:
    """eval, review and gold, registered as extract.cli does."""
    from extract.commands.eval import eval_cmd
    from extract.commands.gold import gold_app
    from extract.commands.review import review_cmd

    out = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    out.callback()(lambda: None)
    out.command("eval")(eval_cmd)
    out.command("review")(review_cmd)
    out.add_typer(gold_app, name="gold")
    return out


def invoke(*args: str):
    return CliRunner().invoke(app(), [str(a) for a in args])


def decision(rec: dict, kind: str, item: dict, decision: str, corrected: dict | None = None) -> dict:
    """A decision line as the page exports it."""
    text = rec["article"]["text"]
    return {"article": rec["article"]["id"], "source": rec["article"]["source"],
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "kind": kind, "key": item.get("key"),
            "evidence": item["evidence"], "decision": decision, "item": corrected or item}


def eval_json(run: Path, gold: Path) -> dict:
    res = invoke("eval", run, gold, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_gold_build_from_decisions(tmp_path):
    run = made_up_run(tmp_path)
    a, b, c = read_jsonl(run)
    t1, t2, t3 = a["targets"]
    edited = {**copy.deepcopy(t2), "value": 350.0}
    quote = "当日召开测试推进会，会议由区长张三主持"
    start = TEXT_A.index(quote)
    meeting = {"name": "测试推进会", "date": None, "location": None,
               "attendees": [{"name": "张三", "title": None}],
               "evidence": {"quote": quote, "start": start, "end": start + len(quote)}}
    lines = [decision(a, "targets", t1, "accept"), decision(a, "targets", t2, "edit", edited),
             decision(a, "targets", t3, "accept"), decision(a, "policies", a["policies"][0], "accept"),
             {**decision(a, "meetings", meeting, "add"), "key": None},
             decision(b, "targets", b["targets"][0], "reject")]
    decisions = write_jsonl(tmp_path / "decisions.jsonl", lines)
    gold = tmp_path / "gold.jsonl"
    res = invoke("gold", "build", run, decisions, "-o", gold)
    assert res.exit_code == 0, res.output
    rows = read_jsonl(gold)
    # Reviewed articles only: page C has no decision, page B only a reject.
    assert [r["source"] for r in rows] == ["seeds/900_test_a.txt", "seeds/901_test_b.txt"]
    assert rows[0]["articles"] == [{"index": 1, "title": "测试页面甲"}]
    assert [t["value"] for t in rows[0]["targets"]] == [500, 350.0, 3]
    assert rows[0]["meetings"][0]["evidence"] == {"quote": quote}
    assert all("confidence" not in t for t in rows[0]["targets"])
    assert rows[1]["targets"] == []
    rejected = read_jsonl(tmp_path / "gold.rejected.jsonl")
    assert [(r["kind"], r["evidence"]["quote"]) for r in rejected] == [("targets", "测试楼宇经济税收突破20亿元")]

    # The run against its own curated gold: figures follow from the decisions.
    report = eval_json(run, gold)
    t = report["types"]["targets"]
    assert (t["tp"], t["fp"], t["fn"]) == (2, 2, 1)  # 2 accepted; edited (300 → 350) and rejected
    assert t["precision"] == pytest.approx(0.5) and t["recall"] == pytest.approx(2 / 3)
    p = report["types"]["policies"]
    assert (p["tp"], p["fp"], p["fn"]) == (1, 0, 0)
    m = report["types"]["meetings"]
    assert (m["tp"], m["fp"], m["fn"]) == (0, 0, 1)  # the added meeting: the run missed it
    assert report["gold_articles"] == 2
    assert report["extra_sources"] == ["902_test_c.txt"]
    text = invoke("eval", run, gold).output
    assert "gold covers 2 articles in 2 source files" in text

    # A later curation page of the run shows the rejected item as rejected before.
    page = tmp_path / "later.html"
    res = invoke("review", run, "--curate", "--rejected", tmp_path / "gold.rejected.jsonl", "-o", page)
    assert res.exit_code == 0, res.output
    data = embedded(page)
    prior = [(i["kind"], i["a"]["evidence"]["quote"]) for art in data["articles"] for i in art["items"]
             if i["prior"] == "reject"]
    assert prior == [("targets", "测试楼宇经济税收突破20亿元")]


def embedded(path: Path) -> dict:
    import re

    html = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="review-data">(.*?)</script>', html, re.S).group(1))


def test_curate_orders_least_sure_first(tmp_path):
    run = made_up_run(tmp_path)
    page = tmp_path / "c.html"
    assert invoke("review", run, "--curate", "-o", page).exit_code == 0
    data = embedded(page)
    assert data["curate"] and data["run_id"]
    confs = [data["articles"][a]["items"][int(i.split("-")[1])]["a"]["confidence"] for a, i in data["queue"]]
    assert confs == sorted(confs) == [0.2, 0.3, 0.5, 0.6, 0.9, 0.95]
    assert [a["title"] for a in data["articles"]] == ["测试页面乙", "测试页面甲", "测试页面丙"]
    for art in data["articles"]:
        c = [i["a"]["confidence"] for i in art["items"]]
        assert c == sorted(c)
    assert invoke("review", run, "--curate", "--against", run, "-o", page).exit_code == 2


@pytest.mark.parametrize("change", ["sha", "article"])
def test_decisions_from_another_run_are_refused(tmp_path, change):
    run = made_up_run(tmp_path)
    a = read_jsonl(run)[0]
    line = decision(a, "targets", a["targets"][0], "accept")
    if change == "sha":
        line["text_sha256"] = hashlib.sha256(b"another page").hexdigest()
    else:
        line["article"] = "999_elsewhere#1"
    decisions = write_jsonl(tmp_path / "foreign.jsonl", [decision(a, "targets", a["targets"][1], "accept"), line])
    gold = tmp_path / "gold.jsonl"
    res = invoke("gold", "build", run, decisions, "-o", gold)
    assert res.exit_code == 2
    out = res.output.strip()
    assert len(out.splitlines()) == 1 and out.startswith("error:") and "another run" in out
    assert not gold.exists() and not (tmp_path / "gold.rejected.jsonl").exists()


def test_malformed_decisions_and_output_guard(tmp_path):
    run = made_up_run(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"decision": "maybe"}\n', encoding="utf-8")
    res = invoke("gold", "build", run, bad, "-o", tmp_path / "g.jsonl")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    res = invoke("gold", "build", run, bad, "-o", run)
    assert res.exit_code == 2 and "one of the inputs" in res.output


def test_seed_decisions_reproduce_eval(tmp_path):
    """Accept every run item `extract eval` matches to a required seed-gold item, reject the rest:
    the built gold scores the run at precision accepted/(accepted+rejected), recall 1.0, and the
    accepted items alone at 1.0 / 1.0; the TP counts equal those against the seed gold."""
    run_side, gold_side = _sides(SEED_RUN, SEED_GOLD, scored=True)
    seed = evaluate_files(SEED_RUN, SEED_GOLD)
    lines, accepted_rows = [], []
    counts = {k: {"accept": 0, "reject": 0} for k in KINDS}
    keep: set[tuple] = set()
    for name, gold in gold_side.sources.items():
        group = run_side.sources[name]
        for kind in KINDS:
            pairing = pair_items(group.items[kind], gold.items[kind], kind)
            matched = {id(a) for a, b, _ in pairing.pairs if not b.optional}
            for item in group.items[kind]:
                rec = group.article(item.article_id).record
                what = "accept" if id(item) in matched else "reject"
                counts[kind][what] += 1
                if what == "accept":
                    keep.add((item.article_id, kind, item.data["evidence"]["start"]))
                lines.append(decision(rec, kind, item.data, what))
    decisions = write_jsonl(tmp_path / "decisions.jsonl", lines)
    # The seed run restricted to the gold's sources (what the decisions cover).
    rows = [r for r in read_jsonl(SEED_RUN)
            if Path(r["article"]["source"]).name in gold_side.sources]
    run = write_jsonl(tmp_path / "run.jsonl", rows)
    gold = tmp_path / "gold.jsonl"
    res = invoke("gold", "build", run, decisions, "-o", gold)
    assert res.exit_code == 0, res.output

    report = eval_json(run, gold)
    for kind in KINDS:
        n, m = counts[kind]["accept"], counts[kind]["reject"]
        t = report["types"][kind]
        assert n == seed.types[kind].tp, kind
        assert (t["tp"], t["fp"], t["fn"]) == (n, m, 0), kind
        assert t["precision"] == pytest.approx(n / (n + m) if n + m else 1.0)
        assert t["recall"] == 1.0
        assert all(v in (None, 1.0) for v in t["fields"].values()), (kind, t["fields"])
    reviewed = {l["article"] for l in lines}
    assert report["gold_articles"] == len(reviewed)

    # Only the accepted items: precision and recall 1.0 on the built gold.
    only = copy.deepcopy(rows)
    for r in only:
        for kind in KINDS:
            r[kind] = [x for x in r[kind] if (r["article"]["id"], kind, x["evidence"]["start"]) in keep]
    accepted_run = write_jsonl(tmp_path / "accepted.jsonl", only)
    report = eval_json(accepted_run, gold)
    for kind in KINDS:
        t = report["types"][kind]
        assert (t["precision"], t["recall"], t["fp"], t["fn"]) == (1.0, 1.0, 0, 0), kind
    assert len(read_jsonl(tmp_path / "gold.rejected.jsonl")) == sum(c["reject"] for c in counts.values())


def test_same_file_name_in_two_folders(tmp_path):
    """Article ids repeat across d1/index.txt and d2/index.txt: the text's sha256 tells them apart."""
    one = record_for("d1/index.txt", TEXT_B, {"targets": [target("测试楼宇经济税收", 20, "亿元", "测试楼宇经济税收突破20亿元", 0.4)]})
    two = record_for("d2/index.txt", TEXT_C, {"targets": [target("测试农业园区", 10, "个", "测试农业园区10个", 0.4)]})
    assert one["article"]["id"] == two["article"]["id"]
    run = write_jsonl(tmp_path / "run.jsonl", [one, two])
    line = decision(two, "targets", two["targets"][0], "accept")
    del line["text_sha256"]  # the record's source_sha256 is enough
    line["source_sha256"] = two["article"]["source_sha256"]
    decisions = write_jsonl(tmp_path / "d.jsonl", [line])
    gold = tmp_path / "gold.jsonl"
    res = invoke("gold", "build", run, decisions, "-o", gold)
    assert res.exit_code == 0, res.output
    rows = read_jsonl(gold)
    assert [r["source"] for r in rows] == ["seeds/d2/index.txt"]
    assert [t["metric"] for t in rows[0]["targets"]] == ["测试农业园区"]


def test_a_rejection_marks_only_that_item(tmp_path):
    """Two targets quoting the same words: rejecting one leaves the other undecided on a later
    page, including one from another run of the same text."""
    quote = "测试高新企业300家"
    rec = record_for("903_test_d.txt", TEXT_A, {"targets": [
        target("测试高新企业", 300, "家", quote, 0.5), target("测试高新企业数量", 3, "百家", quote, 0.4)]})
    run = write_jsonl(tmp_path / "run.jsonl", [rec])
    decisions = write_jsonl(tmp_path / "d.jsonl", [decision(rec, "targets", rec["targets"][1], "reject")])
    assert invoke("gold", "build", run, decisions, "-o", tmp_path / "gold.jsonl").exit_code == 0
    later = copy.deepcopy(rec)
    later["run"]["model"] = "another"
    later["targets"].reverse()
    later_run = write_jsonl(tmp_path / "later.jsonl", [later])
    page = tmp_path / "p.html"
    for prior in (tmp_path / "gold.rejected.jsonl", decisions):
        res = invoke("review", later_run, "--curate", "--rejected", prior, "-o", page)
        assert res.exit_code == 0, res.output
        marks = {i["a"]["value"]: i["prior"] for i in embedded(page)["articles"][0]["items"]}
        assert marks == {300: None, 3: "reject"}


def test_later_decision_on_an_item_wins(tmp_path):
    run = made_up_run(tmp_path)
    a = read_jsonl(run)[0]
    t1 = {**a["targets"][0], "key": "T-test-1"}
    rows = read_jsonl(run)
    rows[0]["targets"][0]["key"] = "T-test-1"
    write_jsonl(run, rows)
    lines = [decision(a, "targets", t1, "accept"), decision(a, "targets", t1, "reject")]
    decisions = write_jsonl(tmp_path / "d.jsonl", lines + lines[:1] + lines[1:])  # joined twice
    assert invoke("gold", "build", run, decisions, "-o", tmp_path / "gold.jsonl").exit_code == 0
    assert read_jsonl(tmp_path / "gold.jsonl")[0]["targets"] == []
    assert len(read_jsonl(tmp_path / "gold.rejected.jsonl")) == 1
