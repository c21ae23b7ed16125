"""extract.text.ground: quotes found in article text with exact spans, on the seed pages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.text.ground import FUZZY_THRESHOLD, GroundingError, ground, normalize, quote_contains_number
from tests.shared import SEED_GOLD, require

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLD = SEED_GOLD  # in ../shared (tests/shared.py)


def seed(prefix: str) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"), None)
    if path is None:
        pytest.skip(f"seed page {prefix} not in {SEEDS}")
    return path.read_text(encoding="utf-8")


def check(text: str, ev) -> None:
    assert text[ev.start:ev.end] == ev.quote


def test_normalize_map_points_into_original():
    text = "到 2025年，\n\n在（我区）“实现”１００家"
    norm, idx = normalize(text)
    assert norm == '到2025年,在(我区)"实现"100家'
    assert all(norm[i] != " " for i in range(len(norm))) and len(idx) == len(norm)
    assert text[idx[norm.index("在")]] == "在"


def test_across_a_page_break():
    text = seed("000")
    ev = ground(text, "其中百亿元企业集团10家")  # the source splits 其 / 中 with a blank line
    check(text, ev)
    assert ev.quote == "其\n\n中百亿元企业集团10家"


def test_simplified_quote_in_traditional_text():
    text = seed("002")
    ev = ground(text, "区人大常委会专题视察“两个加快创新提升年”活动开展情况")
    check(text, ev)
    assert ev.quote == "區人大常委會專題視察“兩個加快創新提升年”活動開展情況"


def test_traditional_quote_in_simplified_text():
    text = seed("004")
    ev = ground(text, "武進區召開“新春第一會”")
    check(text, ev)
    assert ev.quote == "武进区召开“新春第一会”"


def test_full_and_half_width_and_quote_marks():
    text = seed("004")
    ev = ground(text, "培育主营业务收入超５００亿元的企业（集团）１家")
    check(text, ev)
    assert ev.quote == "培育主营业务收入超500亿元的企业(集团)1家"
    text0 = seed("000")
    ev = ground(text0, '工业经济高质量发展"十百千计划"实施方案')  # straight quotes for curly
    assert ev.quote == "工业经济高质量发展“十百千计划”实施方案"
    ev = ground("比重达50％，", "比重达50%")
    assert ev.quote == "比重达50％"


def test_duplicate_prefers_near():
    text = seed("000")
    first = text.index("区委、区政府")
    later = text.index("区委、区政府", first + 1)
    assert ground(text, "区委、区政府").start == first
    ev = ground(text, "区委、区政府", near=later + 3)
    assert ev.start == later
    check(text, ev)


def test_invented_and_empty_quotes_raise():
    text = seed("000")
    with pytest.raises(GroundingError, match="does not occur in the article text"):
        ground(text, "到2030年我区将建成世界一流的科技创新中心")
    with pytest.raises(GroundingError, match="empty"):
        ground(text, "  ")
    with pytest.raises(GroundingError, match="short"):
        ground(text, "区委会")
    # one character changed in a number: close wording, but never grounded
    with pytest.raises(GroundingError, match="different numbers"):
        ground(text, "到2025年，在我区实现年应税销售收入十亿元企业500家")


def test_short_quote_exact():
    ev = ground("区委书记担任链长", "区委")
    assert (ev.start, ev.end) == (0, 2)


SOURCE = "到2025年，全市工业规模总量超过2.5万亿元，制造业增加值占GDP比重稳定在43%左右。"

# (quote, expected source span or None for "must not ground"), after langextract's alignment cases.
ALIGNMENT_CASES = [
    ("全市工业规模总量超过2.5万亿元", "全市工业规模总量超过2.5万亿元"),                # exact
    ("全市工业规模 总量超过\n2.5万亿元", "全市工业规模总量超过2.5万亿元"),            # whitespace
    ("全市工业规模總量超過2.5萬億元", "全市工业规模总量超过2.5万亿元"),               # script
    ("全市的工业规模总量超过2.5万亿元", "全市工业规模总量超过2.5万亿元"),             # extra char
    ("全市工业规模总量超2.5万亿元", "全市工业规模总量超过2.5万亿元"),                 # dropped char
    ("制造业增加值占ＧＤＰ比重稳定在43％左右", "制造业增加值占GDP比重稳定在43%左右"),  # width
    ("制造业增加值占gdp比重稳定在43%左右", "制造业增加值占GDP比重稳定在43%左右"),      # case
    ("制造业增加值占GDP的比重稳定在43%左右", "制造业增加值占GDP比重稳定在43%左右"),    # extra 的
    ("全市工业规模总量超过3.5万亿元", None),                                         # number changed
    ("全市服务业规模总量将超过2.5万亿元以上", None),                                  # paraphrase
    ("比重稳定在43%左右，全市工业规模总量超过2.5万亿元", None),                       # reordered
    ("全市农业规模", None),                                                          # short, not exact
    ("到2025年", "到2025年"),                                                        # short, exact
]


@pytest.mark.parametrize("quote,expected", ALIGNMENT_CASES)
def test_alignment_cases(quote, expected):
    if expected is None:
        with pytest.raises(GroundingError):
            ground(SOURCE, quote)
    else:
        ev = ground(SOURCE, quote)
        check(SOURCE, ev)
        assert ev.quote == expected


def test_fuzzy_prefers_near():
    text = "新增上市企业15家。其他内容很长很长很长很长。新增上市企业15家。"
    second = text.rindex("新增")
    assert ground(text, "新增的上市企业15家", near=second).start == second
    assert ground(text, "新增的上市企业15家").start == 0
    assert FUZZY_THRESHOLD >= 90


def test_every_gold_quote_grounds_in_its_seed_page():
    require(GOLD)
    n = 0
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        text = (SEEDS / d["source"]).read_text(encoding="utf-8")
        for kind in ("policies", "targets", "meetings"):
            for item in d[kind]:
                ev = ground(text, item["evidence"]["quote"])
                check(text, ev)
                assert ev.quote == item["evidence"]["quote"]  # gold quotes are verbatim
                n += 1
    print(f"\ngold quotes grounded: {n}")
    assert n >= 90


@pytest.mark.parametrize("quote,value,unit,expected", [
    ("到2025年，全市工业规模总量超过2.5万亿元", 2.5, "万亿元", True),
    ("到2025年，全市工业规模总量超过2.5万亿元", 2.5, None, True),
    ("到2025年，全市工业规模总量超过2.5万亿元", 2.5, "亿元", False),
    ("到2025年，全市工业规模总量超过2.5万亿元", 2025, None, False),  # a year is not the number
    ("重點攻30億元以上重大項目", 30, "亿", True),                     # 亿 = 亿元, script folded
    ("到2025年，在我区实现年应税销售收入十亿元企业100家", 100, "家", True),
    ("到2025年，在我区实现年应税销售收入十亿元企业100家", 10, "亿元", True),
    ("到2025年，在我区实现年应税销售收入十亿元企业100家", 10, "家", False),
    ("比重达50%", 50, "个百分点", False),
    ("指数达到85", 85, None, True),
])
def test_quote_contains_number(quote, value, unit, expected):
    assert quote_contains_number(quote, value, unit) is expected
