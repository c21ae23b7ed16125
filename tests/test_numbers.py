"""extract.text.numbers: numerals and quantities, checked on real seed phrases and every gold target."""
from __future__ import annotations

import json

import cn2an
import pytest

from extract.text.numbers import find_numbers, find_quantities, normalize_unit, parse_number, same_quantity
from tests.shared import SEED_GOLD, require

GOLD = SEED_GOLD  # in ../shared (tests/shared.py)


def required_targets() -> list[dict]:
    require(GOLD)
    out = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out += [dict(t, source=d["source"]) for t in d["targets"] if not t.get("optional")]
    return out


def pairs(text: str) -> list[tuple[float, str]]:
    return [(q.value, q.unit) for q in find_quantities(text)]


@pytest.mark.parametrize("s,expected", [
    ("一百", 100), ("十亿", 1e9), ("两千", 2000), ("2.5万", 25000), ("3500", 3500),
    ("1,200", 1200), ("三分之一", 1 / 3), ("百分之十五", 15), ("零点五", 0.5),
    ("2.5万亿", 2.5e12), ("一万亿", 1e12), ("三千五百", 3500), ("三千五", 3500),
    ("一万五", 15000), ("三亿五千万", 3.5e8), ("三千零五", 3005), ("二〇三五", 2035),
    ("十二点三四", 12.34), ("４５", 45), ("4千", 4000), ("1.2亿", 1.2e8), ("十", 10),
    ("兩千", 2000), ("千分之三", 3), ("贰佰", 200),
])
def test_parse_number(s, expected):
    assert parse_number(s) == pytest.approx(expected)


@pytest.mark.parametrize("s", ["十四五", "十百千", "百", "万", "千万", "一是", "abc", "", "统一"])
def test_parse_number_rejects_words(s):
    assert parse_number(s) is None


@pytest.mark.parametrize("s", ["一百", "十亿", "两千", "三千五百", "一万五", "三亿五千万", "零点五",
                               "十二点三四", "二十万亿", "三千零五", "一百零八"])
def test_parse_number_agrees_with_cn2an(s):
    assert parse_number(s) == pytest.approx(cn2an.cn2an(s, "normal"))


@pytest.mark.parametrize("text,expected", [
    # spec §1 examples
    ("到2025年，在我区实现年应税销售收入十亿元企业100家", [(10, "亿元"), (100, "家")]),
    ("到2025年，全市工业规模总量超过2.5万亿元", [(2.5, "万亿元")]),
    ("确保全区企业年应税销售收入总额突破3500亿元", [(3500, "亿元")]),
    # magnitude words stay in the unit before a measure word or classifier
    ("将新建86.6万平方米的科技孵化器", [(86.6, "万平方米")]),
    ("新增装机5万千瓦", [(5, "万千瓦")]),
    ("5万人", [(5, "万人")]), ("五万人", [(5, "万人")]), ("三千五百万元", [(3500, "万元")]),
    ("一百万元", [(100, "万元")]), ("1千万元", [(1, "千万元")]), ("年产10万吨", [(10, "万吨")]),
    ("GDP达1.2万亿", [(1.2, "万亿")]),
    # percent forms
    ("制造业增加值占GDP比重稳定在43%左右", [(43, "%")]), ("增长０.５个百分点", [(0.5, "个百分点")]),
    ("比重提高百分之十五", [(15, "%")]), ("增长12.05％", [(12.05, "%")]), ("下降3‰", [(3, "‰")]),
    # classifiers, approximate 多/余, traditional script (unit comes back simplified)
    ("淘汰低效落后产能设备600余台套", [(600, "台套")]), ("100多家企业", [(100, "家")]),
    ("重點攻30億元以上重大項目", [(30, "亿元")]), ("約60場宣講活動", [(60, "场")]),
    ("房价1.5万元/平方米", [(1.5, "万元/平方米")]), ("两千家", [(2000, "家")]),
    ("3个以上规模超3000亿元的产业集群", [(3, "个"), (3000, "亿元")]),
    ("五千千瓦", [(5000, "千瓦")]), ("3年内", [(3, "年")]), ("1,200人次", [(1200, "人次")]),
])
def test_find_quantities(text, expected):
    assert pairs(text) == [(pytest.approx(v), u) for v, u in expected]


@pytest.mark.parametrize("text", [
    "精准排定并年度更新一批百亿企业集团培育对象",  # 一批: 批 is not a unit on purpose
    "光伏和储能一体化项目", "一是把准产业发展方向。二是培育百亿企业集团",
    "工业经济高质量发展“十百千计划”实施方案", "创造更多‘第一’‘唯一’", "“十四五”期间",
    "统一思想", "我区位列百强区第47位", "2月19日,武进区召开“新春第一会”",
    "2021年2月19日", "二〇三五年远景目标", "民國105年", "2025年底前", "PM2.5", "5G网络",
    "千家万户", "十九届五中全会", "推出“四大举措”", "一企一策、一事一议",
])
def test_words_years_dates_are_not_quantities(text):
    assert find_quantities(text) == []


def test_spans_index_the_input():
    text = "力争到2023年累计新增优质科技型项目600个以上;重點攻30億元以上"
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text
    assert [q.text for q in find_quantities(text)] == ["600个", "30億元"]


def test_find_numbers_keeps_unitless_arabic():
    assert [(q.value, q.unit) for q in find_numbers("指数达到85，新增3家")] == [(85, ""), (3, "家")]
    assert find_numbers("2025年 2月19日 第3 统一") == []


def test_normalize_unit():
    assert normalize_unit("亿元") == normalize_unit("亿") == "亿"
    assert normalize_unit("萬元") == "万"
    assert normalize_unit("％") == "%"
    assert normalize_unit("%") != normalize_unit("个百分点")
    assert normalize_unit("百分点") == "个百分点"


def test_every_required_gold_target_quantity():
    """find_quantities(gold quote) includes the gold (value, unit), units as in spec §3."""
    targets = required_targets()
    assert len(targets) == 46
    missing = [t for t in targets
               if not any(same_quantity(q, t["value"], t["unit"])
                          for q in find_quantities(t["evidence"]["quote"]))]
    print(f"\ngold targets checked for (value, unit): {len(targets)}, missing: {len(missing)}")
    assert not missing, [(t["evidence"]["quote"], t["value"], t["unit"]) for t in missing]
