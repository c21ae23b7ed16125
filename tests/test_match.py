"""Spec §3 matching rules (extract.review.match)."""
from __future__ import annotations

import json

import pytest

from extract.review.match import (
    Item,
    load_side,
    match_items,
    match_titles,
    normalize_unit,
    quote_overlap,
    similarity,
)


def item(kind: str, pos: int = 0, **data) -> Item:
    return Item(kind=kind, data=data, source="x.txt", pos=pos)


@pytest.mark.parametrize(
    "a,b,equal",
    [
        ("亿元", "亿", True),
        ("万亿元", "万亿", True),
        ("亿元", "亿元", True),
        ("％", "%", True),
        ("%", "个百分点", False),
        ("元", "", False),
        ("家", "个", False),
        ("萬元", "万", True),  # script folded
        ("百分点", "个百分点", True),  # the measure word 个 is optional; one unit, as the pipeline has it
        ("百分点", "%", False),
    ],
)
def test_normalize_unit(a, b, equal):
    assert (normalize_unit(a) == normalize_unit(b)) is equal


def test_scorer_and_pipeline_share_one_unit_normalisation():
    from extract.text.numbers import normalize_unit as pipeline_unit
    for unit in ("亿元", "万亿元", "百分点", "个百分点", "％", "萬元", "家"):
        assert normalize_unit(unit) == pipeline_unit(unit)


def test_target_needs_value_unit_and_metric():
    gold = item("targets", metric="上市公司", value=20, unit="家", evidence={"quote": "上市公司20家"})
    assert similarity(item("targets", metric="上市公司数量", value=20.0, unit="家"), gold) is not None
    assert similarity(item("targets", metric="上市公司", value="20", unit="家"), gold) is not None
    assert similarity(item("targets", metric="上市公司", value=21, unit="家"), gold) is None
    assert similarity(item("targets", metric="上市公司", value=20, unit="个"), gold) is None
    assert similarity(item("targets", metric="研发投入", value=20, unit="家"), gold) is None
    # Script and punctuation folded on metrics.
    assert similarity(item("targets", metric="上市公司", value=20, unit="家"),
                      item("targets", metric="「上市」公司", value=20, unit="家")) == 100


def test_percent_and_points_differ():
    a = item("targets", metric="研发投入占比", value=3, unit="%")
    b = item("targets", metric="研发投入占比", value=3, unit="个百分点")
    assert similarity(a, b) is None


def test_policy_title_strips_brackets_quotes_and_script():
    a = item("policies", title="《工业经济高质量发展“十百千计划”实施方案》")
    b = item("policies", title="工業經濟高質量發展十百千計劃實施方案")
    assert similarity(a, b) == 100
    assert similarity(a, item("policies", title="关于机器人产业链卓越发展的实施意见")) is None


def test_meeting_by_name_or_by_evidence_overlap():
    a = item("meetings", name="全市产业发展大会", evidence={"quote": "昨天上午，全市产业发展大会召开"})
    assert similarity(a, item("meetings", name="产业发展大会", evidence={"quote": "别的"})) is not None
    by_quote = item("meetings", name="xxxxxxxx", evidence={"quote": "全市产业发展大会召开，会议要求"})
    assert similarity(a, by_quote) is not None  # LCS 全市产业发展大会召开 = 10 of the shorter 15
    far = item("meetings", name="xxxxxxxx", evidence={"quote": "今天下雨了"})
    assert similarity(a, far) is None


def test_quote_overlap_spans_vs_strings():
    a = item("meetings", name="n", evidence={"quote": "abcdef", "start": 0, "end": 6})
    b = item("meetings", name="m", evidence={"quote": "defghi", "start": 3, "end": 9})
    assert quote_overlap(a, b, texts_same=True) == 0.5
    # Different texts: the quotes' longest common substring "def" over the shorter (6).
    assert quote_overlap(a, b, texts_same=False) == 0.5
    # Same strings at other places of the same text do not overlap as spans.
    c = item("meetings", name="m", evidence={"quote": "abcdef", "start": 20, "end": 26})
    assert quote_overlap(a, c, texts_same=True) == 0.0
    assert quote_overlap(a, c, texts_same=False) == 1.0


def test_greedy_one_to_one_best_first():
    gold = [item("policies", 0, title="实施方案"), item("policies", 1, title="工业经济高质量发展实施方案")]
    run = [item("policies", 0, title="工业经济高质量发展实施方案"), item("policies", 1, title="工业经济高质量发展实施方案")]
    # partial_ratio scores all four pairs 100 (实施方案 lies inside the long title): the
    # exact pair goes first, and each item is used once.
    assert [(i, j) for i, j, _ in match_items(run, gold, "policies")] == [(0, 1), (1, 0)]
    # One gold item cannot be matched twice: a duplicate run item stays unmatched.
    pairs = match_items(run, gold[1:], "policies")
    assert len(pairs) == 1


def test_greedy_prefers_the_better_pair():
    run = [item("targets", 0, metric="企业", value=10, unit="家"),
           item("targets", 1, metric="百亿元企业集团", value=10, unit="家")]
    gold = [item("targets", 0, metric="百亿元企业集团", value=10, unit="家")]
    assert [(i, j) for i, j, _ in match_items(run, gold, "targets")] == [(1, 0)]


def test_match_titles_one_to_one():
    assert match_titles(["科技企业孵化器推动金坛高新技术产业发展"],
                        ["（上接第一版）科技企业孵化器推动金坛高新技术产业发展", "别的标题"]) == 1
    assert match_titles(["同一个标题"], ["同一个标题", "同一个标题"]) == 1


def test_load_side_detects_format_per_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    rec = {"article": {"id": "a#1", "source": "seeds/a.txt", "source_sha256": "0" * 64, "index": 1, "title": "T",
                       "text": "abc"},
           "policies": [{"title": "p", "evidence": {"quote": "b", "start": 1, "end": 2}}],
           "targets": [], "meetings": [], "run": {"engine": "e", "model": "m", "prompt_version": "v"},
           "errors": [{"stage": "x", "message": "y"}]}
    gold = {"source": "b.txt", "articles": [{"index": 1, "title": "G"}],
            "policies": [], "targets": [{"metric": "m", "value": 1, "unit": "家",
                                         "evidence": {"quote": "q"}, "optional": True}], "meetings": []}
    path.write_text(json.dumps(rec) + "\n\n" + json.dumps(gold) + "\n", encoding="utf-8")
    side = load_side(path)
    assert not side.is_gold
    assert set(side.sources) == {"a.txt", "b.txt"}  # run source paths keyed by basename
    a = side.sources["a.txt"]
    assert a.articles[0].text == "abc" and a.articles[0].errors
    assert a.items["policies"][0].article_id == "a#1" and a.items["policies"][0].span == (1, 2)
    b = side.sources["b.txt"].items["targets"][0]
    assert b.optional and b.article_id is None and b.span is None
