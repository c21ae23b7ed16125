"""Place names count as words of their sentence (issue 22): a division's name inside another
word (新增城区 holds 增城区's characters) or a common noun that is also a district's name (城区)
is no place. Made-up sentences only."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extract.places.entities import issuer_division
from extract.places.gazetteer import county_short_mentions, mentions
from extract.places.region import page_division, resolve_region

# (sentence, the divisions it names, in order)
NAMED = [
    # A name that starts inside a word (新增 / 城区, 主城区, 真金白银) or ends inside one (大同小异).
    ("今年新增城区绿地面积10万平方米", []),
    ("主城区常住人口突破百万", []),
    ("以真金白银支持企业渡过难关", []),
    ("两种方案大同小异", []),
    # A common noun that is also a district's name: only right after its city.
    ("城区道路改造工程年底完工", []),
    ("园区东区新建厂房三栋", []),
    ("阳泉市城区新建学校两所", ["阳泉市", "城区"]),
    ("常州市城区道路全面提升", ["常州市"]),  # no district of 常州 is called 城区
    # Real districts and cities named normally.
    ("3月5日，增城区召开全区经济工作会议", ["增城区"]),
    ("金坛区今年将新建公园5个", ["金坛区"]),
    ("溧阳市将完成造林2000亩", ["溧阳市"]),
    ("常州市金坛区召开高质量发展大会", ["常州市", "金坛区"]),
    # Inside an organisation's name, its suffix shared with the body's (区委, 自治县委).
    ("金坛区人民政府印发实施方案", ["金坛区"]),
    ("金坛区委书记主持召开会议", ["金坛区"]),
    ("哈尔滨市委、市政府部署全年工作", ["哈尔滨市"]),
    ("北川羌族自治县委召开常委会", ["北川羌族自治县"]),
    # A short name heading a word: the place when the word goes on with a name, not an
    # institution's.
    ("山西太原举行签约仪式", ["山西省", "太原市"]),
    ("企业与大连理工大学签订合作协议", []),
]


@pytest.mark.parametrize("sentence,named", NAMED)
def test_divisions_are_named_as_words(sentence, named):
    assert [d.name for _, _, d in mentions(sentence)] == named


def test_a_qualified_common_noun_is_the_district_of_that_city():
    [_, (_, _, d)] = mentions("阳泉市城区新建学校两所")
    assert d.code == "140302"  # 阳泉's, not the first 城区 of the table


def test_region_of_a_clause_without_a_place_word():
    assert resolve_region("今年新增城区绿地面积10万平方米", "", None) is None
    assert resolve_region("城区道路改造工程年底完工", "", None) is None
    # The article's jurisdiction holds it instead.
    article = "金坛区召开城市建设推进会\n今年新增城区绿地面积10万平方米，金坛区将新建公园5个。"
    assert resolve_region("今年新增城区绿地面积10万平方米", article, None) == "金坛区"
    assert resolve_region("3月5日，增城区召开全区经济工作会议", "", None) == "增城区"
    # A city before its district only qualifies it, as before.
    article = "常州市金坛区召开高质量发展大会。金坛区将新建公园5个，常州市领导出席。"
    assert resolve_region("将新建公园5个", article, None) == "金坛区"


def test_a_page_that_only_speaks_of_its_urban_area_has_no_division():
    assert page_division("今年新增城区绿地面积10万平方米。\n城区道路改造工程年底完工。") is None


def test_bodies_belong_to_the_division_their_name_starts_with():
    assert issuer_division("金坛区人民政府", None).name == "金坛区"
    assert issuer_division("哈尔滨市委", None).name == "哈尔滨市"


def test_county_short_names_inside_a_longer_name_are_none():
    assert county_short_mentions("黑龙江省召开数字经济大会", "县") == []  # 龙江 inside 黑龙江
    assert [d.name for d in county_short_mentions("金坛今年新建公园5个", "区", "320400")] == ["金坛区"]


def test_the_segmenter_loads_quietly_and_writes_no_cache(tmp_path):
    """jieba's dictionary is read from its package: nothing on stderr, no jieba.cache written to
    (or read from) the temp folder."""
    root = Path(__file__).resolve().parents[1]
    code = "from extract.places.gazetteer import mentions; print([d.name for _, _, d in mentions('增城区召开')])"
    env = {**os.environ, "PYTHONPATH": str(root), "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "['增城区']" and out.stderr == "", out.stderr
    assert list(tmp_path.iterdir()) == []
