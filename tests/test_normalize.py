"""extract.text.normalize: comparator, deadline year, dates, bodies and people on real seed phrases,
and every required gold target's comparator and deadline year."""
from __future__ import annotations

import json
import re

import pytest

from extract.text.normalize import (
    comparator_of, deadline_year, parse_date, split_bodies, split_people,
    split_person,
)
from extract.text.numbers import find_quantities, same_quantity
from extract.text.script import to_simplified_chars
from schemas.record import Person
from tests.shared import SEED_GOLD, require

GOLD = SEED_GOLD  # in ../shared (tests/shared.py)

# Gold deadline years that no rule can derive from the quote's own words (listed, not skipped).
DEADLINE_BY_CONTEXT = {
    # "五年" read as a duration from publication (2022 + 5 - 1 = 2026); the gold 2025 comes from
    # the article's 十四五 context, which is outside the quote.
    "五年带动8000亿元以上社会资本投入产业发展": "五年 means the 十四五 period here, not 2022+5",
}


def gold_lines() -> list[dict]:
    require(GOLD)
    return [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]


def published_dates() -> dict[str, str]:
    """Publication dates by source prefix, read from the gold README's table (e.g. 001 → 2022-02-08)."""
    readme = GOLD.parent / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| (\d{3}) \([^)]*?(\d{4}-\d{2}-\d{2})", text, re.M)}


def required_targets() -> list[dict]:
    pub = published_dates()
    return [dict(t, published=pub.get(d["source"][:3]))
            for d in gold_lines() for t in d["targets"] if not t.get("optional")]


def gold_quantity(t: dict):
    q = t["evidence"]["quote"]
    return next(x for x in find_quantities(q) if same_quantity(x, t["value"], t["unit"]))


# --- gold ----------------------------------------------------------------------------------------

def test_gold_comparators():
    """comparator_of(quote, the gold quantity) equals the gold comparator for all required targets
    (every gold comparator here is decided by words touching the number, or by their absence)."""
    targets = required_targets()
    wrong = [(t["evidence"]["quote"], t["comparator"], comparator_of(t["evidence"]["quote"], gold_quantity(t)))
             for t in targets]
    wrong = [w for w in wrong if w[1] != w[2]]
    print(f"\ngold comparators checked: {len(targets)}, wrong: {len(wrong)}")
    assert not wrong, wrong


def test_gold_deadline_years():
    """deadline_year(quote, published) equals the gold year when the quote holds the gold
    time_text; otherwise it must not contradict the gold (None or equal)."""
    targets = required_targets()
    decided, undecided, by_context, wrong = 0, 0, 0, []
    for t in targets:
        quote, gold = t["evidence"]["quote"], t["deadline_year"]
        year, time_text = deadline_year(quote, t["published"])
        if quote in DEADLINE_BY_CONTEXT:
            by_context += 1
            continue
        holds = bool(t["time_text"]) and to_simplified_chars(t["time_text"]) in to_simplified_chars(quote)
        if holds:
            decided += 1
            if year != gold or time_text != t["time_text"]:
                wrong.append((quote, gold, t["time_text"], year, time_text))
        else:
            undecided += 1
            if year not in (None, gold):
                wrong.append((quote, gold, t["time_text"], year, time_text))
    print(f"\ngold deadline years checked: {decided} decided by the quote, {undecided} not in the quote "
          f"(checked not contradicted), {by_context} listed as context-only")
    assert decided + undecided + by_context == len(targets) == 46
    assert by_context == len(DEADLINE_BY_CONTEXT)
    assert not wrong, wrong


def test_gold_meeting_dates():
    """parse_date(gold time_text, published) gives the gold date; 虎年第一个工作日 needs a calendar."""
    pub = published_dates()
    checked, wrong = 0, []
    for d in gold_lines():
        for m in d["meetings"]:
            if m.get("optional") or not m["time_text"] or m["time_text"] == "虎年第一个工作日":
                continue
            checked += 1
            date, text = parse_date(m["time_text"], pub.get(d["source"][:3]))
            if (date, text) != (m["date"], m["time_text"]):
                wrong.append((m["time_text"], m["date"], date, text))
    print(f"\ngold meeting dates checked: {checked}")
    assert checked >= 15 and not wrong, wrong


def test_gold_people_and_bodies():
    """title + name as written splits back into the gold Person; gold body lists survive a 、 join."""
    people = bodies = 0
    for d in gold_lines():
        for m in d["meetings"]:
            for a in m["attendees"]:
                assert split_person((a["title"] or "") + a["name"]) == Person(**a)
                people += 1
            if m["organizers"]:
                assert split_bodies("、".join(m["organizers"])) == m["organizers"]
                bodies += 1
        for p in d["policies"]:
            if p["issuers"]:
                assert split_bodies("、".join(p["issuers"])) == p["issuers"]
                bodies += 1
    print(f"\ngold people checked: {people}, body lists: {bodies}")
    assert people >= 30


# --- comparator ----------------------------------------------------------------------------------

@pytest.mark.parametrize("quote,expected", [
    ("今年，全市高企数量要达3400家左右", "about"),
    ("到2025年上市企业超过150家", "exceed"),
    ("确保全区企业年应税销售收入总额突破3500亿元", "exceed"),
    ("为常州培养优秀创新创业人才1000名以上", "at_least"),
    ("全社会研发投入占地区生产总值比重达3.3%", "reach"),
    ("新增上市企业15家", "reach"),
    ("约60场宣讲活动", "about"),
    ("不低于10家", "at_least"), ("不少于10家", "at_least"),
    ("不超过3%", "at_most"), ("控制在5%以内", "at_most"), ("低于5%", "at_most"),
    ("100多家企业", "exceed"), ("超过了200家", "exceed"), ("重點攻30億元以上重大項目", "at_least"),
])
def test_comparator_of(quote, expected):
    assert comparator_of(quote) == expected


def test_comparator_looks_only_next_to_the_quantity():
    quote = "培育主营业务收入超500亿元的企业(集团)1家"
    q500, q1 = find_quantities(quote)
    assert comparator_of(quote, q500) == "exceed"
    assert comparator_of(quote, q1) == "reach"  # 超 belongs to 500亿元, not to 1家
    quote = "到2025年培育3个以上规模超3000亿元的产业集群"
    q3, q3000 = find_quantities(quote)
    assert (comparator_of(quote, q3), comparator_of(quote, q3000)) == ("at_least", "exceed")
    assert comparator_of("突破，新增10家", find_quantities("突破，新增10家")[0]) == "reach"
    assert comparator_of("没有数字") == "reach"


# --- deadline_year -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,published,expected", [
    ("到2025年，在我区实现年应税销售收入十亿元企业100家", None, (2025, "到2025年")),
    ("力争到2023年累计新增优质科技型项目600个以上", None, (2023, "到2023年")),
    ("2025年底前建成", None, (2025, "2025年底前")), ("至2025年", None, (2025, "至2025年")),
    ("到二〇二五年", None, (2025, "到二〇二五年")), ("民國105年", None, (2016, "民國105年")),
    ("“十四五”期间，有应税销售收入的工业企业数年均递增10%", None, (2025, "“十四五”期间")),
    ("天宁区把“十四五”时期的目标设定为地区生产总值突破1500亿元", None, (2025, "“十四五”时期")),
    ("十三五末", None, (2020, "十三五末")), ("“十五五”期间", None, (2030, "“十五五”期间")),
    ("今年，全市高企数量要达3400家左右", "2022-02-08", (2022, "今年")),
    ("今年，全市高企数量要达3400家左右", None, (None, "今年")),
    ("明年实现", "2021", (2022, "明年")), ("年内完成", None, (None, "年内")),
    ("计划通过3年努力", "2021-02-19", (2023, "3年")), ("3年内完成", None, (None, "3年内")),
    ("2020年占比达53.4%，到2025年达60%", None, (2025, "到2025年")),
    ("“十三五”以来", None, (None, None)), ("新增上市企业15家", None, (None, None)),
])
def test_deadline_year(text, published, expected):
    assert deadline_year(text, published) == expected


# --- parse_date ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,published,expected", [
    ("2月19日,武进区召开“新春第一会”", None, ("--02-19", "2月19日")),
    ("2月19日", "2021-03-01", ("2021-02-19", "2月19日")),
    ("2021年2月19日", None, ("2021-02-19", "2021年2月19日")),
    ("本報訊 11月13日下午，區人大常委會專題視察", None, ("--11-13", "11月13日下午")),
    ("昨天上午,常州市人大常委会副主任戴士福来我区调研", None, (None, "昨天上午")),
    ("昨天上午", "2022-02-08", ("2022-02-07", "昨天上午")),
    ("前天", "2022-03-01", ("2022-02-27", "前天")), ("今天", "2022", (None, "今天")),
    ("区委、区政府于日前印发了", "2022-02-08", (None, "日前")),
    ("近日", None, (None, "近日")), ("连日来", "2022-02-08", (None, "连日来")),
    ("去年3月23日在金科园正式奠基", None, ("--03-23", "去年3月23日")),
    ("去年3月23日", "2021-12-02", ("2020-03-23", "去年3月23日")),
    ("2021年2月上旬", None, ("2021-02", "2021年2月上旬")),
    ("2月上旬", None, (None, "2月上旬")), ("2月上旬", "2021-02-20", ("2021-02", "2月上旬")),
    ("2021年", None, ("2021", "2021年")), ("二月十九日", None, ("--02-19", "二月十九日")),
    ("2月30日", "2021", (None, None)), ("虎年第一个工作日", "2022-02-08", (None, None)),
])
def test_parse_date(text, published, expected):
    assert parse_date(text, published) == expected


# --- bodies and people ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("区委、区政府", ["区委", "区政府"]), ("市委、市政府", ["市委", "市政府"]),
    ("市委和市政府", ["市委", "市政府"]), ("区委，区政府及区人大", ["区委", "区政府", "区人大"]),
    (" 区委 、区委、 区政府", ["区委", "区政府"]), ("区应急管理局与常州工程职业技术学院",
                                                ["区应急管理局", "常州工程职业技术学院"]),
    ("人力资源和社会保障局", ["人力资源和社会保障局"]), ("", []), ("、，", []),
])
def test_split_bodies(text, expected):
    assert split_bodies(text) == expected


@pytest.mark.parametrize("text,name,title", [
    ("区委常委、宣传部长、统战部部长刘明江", "刘明江", "区委常委、宣传部长、统战部部长"),
    ("刘明江", "刘明江", None), ("市委书记陈金虎", "陈金虎", "市委书记"),
    ("陈金虎（市委书记）", "陈金虎", "市委书记"), ("陈金虎(市委书记)", "陈金虎", "市委书记"),
    ("陈金虎同志", "陈金虎", None), ("副区长朱霞", "朱霞", "副区长"),
    ("市委副书记、代理市长盛蕾", "盛蕾", "市委副书记、代理市长"),
    ("常州市人大常委会副主任戴士福", "戴士福", "常州市人大常委会副主任"),
    ("區委常委、宣傳部長陳鎖龍", "陈锁龙", "区委常委、宣传部长"),  # output in simplified
    ("市长王长江", "王长江", "市长"), ("欧阳明", "欧阳明", None), ("区领导刘明江", "刘明江", None),
    ("副市长、武进区委书记李林", "李林", "副市长、武进区委书记"),
])
def test_split_person(text, name, title):
    assert split_person(text) == Person(name=name, title=title)


def test_split_person_edge_cases():
    assert split_person("区委常委") == Person(name="区委常委")  # no name: kept whole, not dropped
    with pytest.raises(ValueError):
        split_person("  ")


def test_split_people():
    assert split_people("区人大常委会主任王跃中，副主任刘东升、王新辉、冯锁强") == [
        Person(name="王跃中", title="区人大常委会主任"), Person(name="刘东升", title="副主任"),
        Person(name="王新辉", title="副主任"), Person(name="冯锁强", title="副主任")]
    assert [p.name for p in split_people("区领导陆秋明、王跃中、刘国新、俞金红")] == [
        "陆秋明", "王跃中", "刘国新", "俞金红"]
    assert all(p.title is None for p in split_people("区领导陆秋明、王跃中"))
    assert split_people("区委常委、宣传部长、统战部部长刘明江") == [
        Person(name="刘明江", title="区委常委、宣传部长、统战部部长")]
    assert split_people("区领导陶偉、王曉航") == [Person(name="陶伟"), Person(name="王晓航")]
    assert split_people("王新辉和李林") == [Person(name="王新辉"), Person(name="李林")]
    assert split_people("") == []


def test_day_only_dates_resolve_with_a_full_publication_date():
    assert parse_date("27日", "2022-07-27") == ("2022-07-27", "27日")
    assert parse_date("30日上午", "2022-07-02") == ("2022-06-30", "30日上午")  # the month before
    assert parse_date("27日", None) == (None, "27日")
    assert parse_date("2月19日", "2021-03-01") == ("2021-02-19", "2月19日")


def test_a_compared_year_is_no_deadline():
    from extract.text.normalize import deadline_year
    assert deadline_year("比2016年全年增速高0.3个百分点")[0] is None
    assert deadline_year("到2016年全年增速达到8%")[0] == 2016


def test_a_channel_is_no_body():
    from extract.text.normalize import split_bodies

    assert split_bodies("浙江省住房和城乡建设厅网站") == ["浙江省住房和城乡建设厅"]
    assert split_bodies("市政府官方微博、市发改委") == ["市政府", "市发改委"]
    assert split_bodies("新华网") == ["新华网"]  # a news site named 网 stays whole


@pytest.mark.parametrize("text, year", [
    ("县政府召开2026年第3次常务会议", 2026),
    ("二〇二六年全县经济工作会议", 2026),
    ("2025年度基层党组织组织生活会", None),  # a year under review: held after it
    ("2025年工作总结暨2026年工作部署会", None),  # two years: neither is the meeting's
    ("全区安全生产工作会议", None),
])
def test_the_year_a_gathering_states_for_itself(text, year):
    from extract.text.normalize import stated_year

    assert stated_year(text) == year


def test_a_yearless_date_takes_a_stated_year():
    from extract.text.normalize import with_year

    assert with_year("--04-03", 2026) == "2026-04-03"
    assert with_year("--02-29", 2026) == "--02-29"  # no such day: left as written
    assert with_year("2025-04-03", 2026) == "2025-04-03"
    assert with_year("--04-03", None) == "--04-03"


@pytest.mark.parametrize("published, date", [(None, "2026-04-03"), ("2027-01-05", "2027-04-03")])
def test_a_meeting_on_a_page_without_a_date_takes_the_year_its_name_states(published, date):
    from extract.kinds.meetings import build_meeting
    from extract.text.spans import Span
    from schemas import Article
    from schemas.llm import MeetingAnswer

    text = "4月3日，县政府召开2026年第3次常务会议。"
    article = Article(id="x#1", source="x.txt", source_sha256="0" * 64, index=1, text=text, published=published)
    answer = MeetingAnswer(id=1, name="县政府2026年第3次常务会议", time_text="4月3日")
    # a publication date, when known, decides the year (the name's may be a slip)
    assert build_meeting(answer, Span(0, len(text), text), article).date == date


@pytest.mark.parametrize("text, before, published, date", [
    ("林市长下午现勘河道整治工程", "", "2015-11-26", "2015-11-26"),  # the day of publication
    ("下午，与会人员参观了产业园", "3月2日上午，全区大会开幕。", "2021-03-05", "2021-03-02"),  # the day last stated
    ("下午，与会人员参观了产业园", "3月2日上午，全区大会开幕。", None, "--03-02"),
    ("下午，与会人员参观了产业园", "2021年3月，全区启动招商月活动。", None, None),  # a month is no day
    ("11月13日下午召开推进会", "", "2021-11-20", None),  # a day of its own: parse_date's
    ("昨天下午召开推进会", "", "2021-11-20", None),
    ("全区召开推进会", "", "2021-11-20", None),  # no part of day
])
def test_a_bare_part_of_day_falls_on_the_day_last_stated_or_published(text, before, published, date):
    from extract.text.normalize import part_of_day_date

    assert part_of_day_date(text, before, published) == date


@pytest.mark.parametrize("text, before, published, date", [
    # The day the narration last stated carries to a sentence that states no time.
    ("市长出席了开工仪式", "5月12日，全市重点项目集中开工。现场气氛热烈。", "2024-05-13", "2024-05-12"),
    ("会前，县长会见了客商代表", "3月8日上午，招商推介会在省城举行。", None, "--03-08"),
    # A stretch of time in the sentence itself or stated after that day: no day.
    ("在省城期间，代表团考察了产业园", "6月2日，代表团抵达省城。", "2024-06-05", None),
    ("县领导参加了座谈会", "6月2日，代表团抵达。近日，各乡镇陆续召开座谈会。", "2024-06-05", None),
    # The sentence states its own time: not this rule's to date.
    ("次日上午，代表团参观了园区", "6月2日，代表团抵达。", "2024-06-05", None),
    # Nothing stated before, or only a year: no day.
    ("县领导参加了座谈会", "", "2024-06-05", None),
    ("县领导参加了座谈会", "2023年，全县生产总值增长5%。", "2024-06-05", None),
])
def test_a_sentence_with_no_time_takes_the_day_the_narration_last_stated(text, before, published, date):
    from extract.text.normalize import carried_date

    assert carried_date(text, before, published) == date
