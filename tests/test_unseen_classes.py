"""Classes of wording that closed word lists missed, each on sentences written for the test:
candidates found by structure (a gathering's head noun under a holding verb, a title a verb
issues or approves, every written unit), and the fields analysts join on (issuers of a
document approved at a meeting or printed by a notice, the year a dateless text plans for,
the district an article speaks for)."""
from __future__ import annotations

import pytest

from extract.ingest.clean import clean_text, page_date
from extract.kinds.meetings import add_people, code_name, is_meeting_name, meeting_sentences, presiding, separate_meetings
from extract.kinds.policies import PolicyCandidate, _a_person, _same_document, build_policy, policy_candidates
from extract.kinds.targets import adjacent, build_target, head_quantity, range_bounds, target_candidates
from extract.llm.request_text import headline
from extract.places.region import resolve_region
from extract.text.normalize import body_of_gathering, deadline_year, own_year, plan_year, text_year
from extract.text.people import listed_names, officials
from extract.text.numbers import find_quantities
from extract.text.spans import Span
from schemas import Article, Evidence, Meeting


def _article(text: str, title: str | None = None, published: str | None = None) -> Article:
    return Article(id="t#1", source="t.txt", source_sha256="0" * 64, index=1, title=title,
                   published=published, text=text)


# --- meetings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, name", [
    ("6月2日，我镇在镇政府三楼会议室召开秋粮收购工作调度会。", "秋粮收购工作调度会"),
    ("5月8日，市侨联组织归侨代表开展“看变化 话发展”联谊活动。", "“看变化 话发展”联谊活动"),
    ("县委召开全县冬春农田水利建设动员会。", "全县冬春农田水利建设动员会"),
    ("第九届南方特色农产品洽谈会在县会展中心开幕。", "第九届南方特色农产品洽谈会"),
    ("市委书记王明主持召开市委财经委员会第三次会议。", "市委财经委员会第三次会议"),
])
def test_a_gathering_is_named_by_its_head_noun(sentence, name):
    assert meeting_sentences(sentence)
    assert code_name(sentence) == name
    assert is_meeting_name(name)


@pytest.mark.parametrize("sentence", [
    "省商务厅副厅长刘建带队到我县对接产业协作工作。",
    "县人民政府与某某实业有限公司签订了食品加工基地合作框架协议。",
])
def test_a_trip_or_a_signing_told_by_its_verbs_is_a_candidate(sentence):
    marks = meeting_sentences(sentence)
    assert marks
    assert is_meeting_name(code_name(marks[0].text), marks[0].text)


@pytest.mark.parametrize("body", ["市商会", "区工会", "县委员会", "区社会"])
def test_a_body_or_word_ending_in_hui_is_no_gathering(body):
    assert not is_meeting_name(body)


def test_a_digest_item_is_body_text_not_a_headline():
    # A digest item's title is cut from its first sentence: that sentence is still asked about.
    text = "◆5月6日，我县在县政府会议室召开防汛工作部署会。副县长王强出席。"
    article = _article(text, title="5月6日，我县在县政府会议室召开防汛工作部署会")
    assert headline(article, text) is None
    assert meeting_sentences(text)
    # A real headline line stays the headline.
    text2 = "县里召开防汛工作部署会\n5月6日，我县召开防汛工作部署会。"
    assert headline(_article(text2, title="县里召开防汛工作部署会"), text2).text == "县里召开防汛工作部署会"


# --- policies ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, titles", [
    ("会议审议通过了《区科技委员会2026年工作要点》及《区人才工作领导小组2026年工作要点》等文件。",
     {"区科技委员会2026年工作要点", "区人才工作领导小组2026年工作要点"}),
    ("青山县制定了推进农业现代化行动三年方案（2026-2028年）。", {"推进农业现代化行动三年方案（2026-2028年）"}),
    ("会议审议并同意关于组建区文旅投资公司实施方案的汇报。", {"关于组建区文旅投资公司实施方案"}),
    ("《青山县人民政府专题会议议事规则》已经县政府常务会议通过，现予印发。", {"青山县人民政府专题会议议事规则"}),
])
def test_a_document_is_any_title_a_verb_issues_or_approves(sentence, titles):
    assert {c.title for c in policy_candidates(sentence)} >= titles


def test_a_quoted_name_no_verb_acts_on_is_no_candidate():
    assert policy_candidates("他说，《平凡的世界》是他最爱读的书。") == []


def _issuers(text: str, title: str | None = None, key: str = "") -> list[str]:
    article = _article(text, title=title)
    cand = next(c for c in policy_candidates(text) if key in c.title)
    return build_policy(cand, [], article, text).issuers


def test_the_notice_that_prints_a_document_issued_it():
    text = ("青山县人民政府办公室关于印发青山县2026年农村公路养护方案的通知\n"
            "各乡镇人民政府：\n《青山县2026年农村公路养护方案》已经县政府同意，现印发给你们，请认真贯彻执行。")
    assert _issuers(text, title="青山县人民政府办公室关于印发青山县2026年农村公路养护方案的通知",
                    key="养护方案") == ["青山县人民政府办公室"]


def test_a_body_that_opens_a_title_issued_it():
    text = "会议审议通过了《县政协关于加强委员履职管理的实施办法》。"
    assert _issuers(text, key="实施办法") == ["县政协"]


@pytest.mark.parametrize("name, body", [
    ("县政府常务会议", "县政府"),
    ("十二届县委常委会第15次会议", "县委"),
    ("区政协七届九次常委会议", "区政协"),
    ("市委全面深化改革委员会第八次会议", "市委全面深化改革委员会"),
    ("全县经济工作会议", None),
    ("县第九届人民政府第12次常务会议", "县人民政府"),
])
def test_the_body_a_gathering_belongs_to(name, body):
    assert body_of_gathering(name) == body


def test_a_document_approved_at_the_reported_meeting_is_issued_by_the_body_that_met():
    text = ("5月9日，县长李明主持召开县政府常务会议。\n"
            "会议原则通过了《青山县庭院经济发展实施方案》。")
    assert _issuers(text, key="庭院经济") == ["县政府"]


@pytest.mark.parametrize("known, text, key", [
    # The notice that prints it, then the name in 《》 and a line break inside the name.
    ("关于支持青山县乡村旅游发展的若干措施", "青山县人民政府印发关于支持青山县乡村旅游发展若干措施的通知。",
     "关于支持青山县乡村旅游发展若干措施的通知"),
    ("青山县2031年农村公路养护\n工作方案", "现将《青山县2031年农村公路养护工作方案》印发给你们。",
     "青山县2031年农村公路养护工作方案"),
    # A reading cut short at a document word the text goes on after.
    ("关于支持青山县民营企业若干政策措施(2031年版)",
     "县政府关于印发关于支持青山县民营企业若干政策措施(2031年版)的通知",
     "关于支持青山县民营企业若干政策"),
])
def test_one_document_named_several_ways_is_one_document(known, text, key):
    start = text.index(key)
    cand = PolicyCandidate(key, Span(start, start + len(key), key), Span(0, len(text), text))
    assert _same_document(known, key, cand, text)


def test_documents_that_differ_in_more_than_their_wording_stay_apart():
    text = "会议审议通过了《青山县妇女发展规划(2031-2040年)》和《青山县儿童发展规划(2031-2040年)》。"
    key = "青山县儿童发展规划(2031-2040年)"
    start = text.index(key)
    cand = PolicyCandidate(key, Span(start, start + len(key), key), Span(0, len(text), text))
    assert not _same_document("青山县妇女发展规划(2031-2040年)", key, cand, text)
    # A document and the rules that carry it out are two documents.
    text = "县政府印发《关于促进青山县民营经济发展的意见》，随后出台了实施细则。"
    key = "关于促进青山县民营经济发展的意见"
    start = text.index(key)
    cand = PolicyCandidate(key, Span(start, start + len(key), key), Span(0, len(text), text))
    assert not _same_document("关于促进青山县民营经济发展的意见实施细则", key, cand, text)


# --- targets -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit", [
    ("细颗粒物年均浓度低于35μg/m3", 35, "μg/m3"),
    ("新建光伏装机300MW以上", 300, "MW"),
    ("新打机井超过40眼", 40, "眼"),
])
def test_every_written_unit_counts(text, value, unit):
    q = find_quantities(text)[0]
    assert (q.value, q.unit) == (value, unit)


@pytest.mark.parametrize("clause, value", [
    ("确保实现引进外资5亿元以上的目标", 5),
    ("力争全区工业总产值迈上800亿元台阶", 800),
    ("新建改造12.5公里绿道", 12.5),
])
def test_an_amount_framed_as_the_level_to_reach_is_the_head(clause, value):
    assert head_quantity(clause).value == value


def test_a_qualifier_before_a_list_comma_ends_the_item():
    clauses = target_candidates("到2030年，农业增加值年均增长3.5%以上、总量达到80亿元。")
    assert [c.quantity.value for c in clauses] == [3.5, 80]


def test_list_lines_without_punctuation_stay_apart():
    text = ("今年的主要目标是：\n新增高新技术企业50家以上\n引进重大产业项目12个\n建成城市绿道30公里以上\n"
            "完成全年节能减排任务")
    assert "50家以上\n引进" in clean_text(text)
    # A page break that cuts a prose paragraph is still joined.
    broken = "本报讯 昨天上午，县政府召开安全生产会议。会议要求全县事故起数下降\n20%，各乡镇要压实责任。"
    assert "下降20%" in clean_text(broken)


def test_a_dateless_text_plans_for_the_year_it_names():
    text = "2027年，青山区将大力推动产业升级。\n今年青山区主要预期目标：\n地区生产总值增长6%左右\n新增上市企业3家"
    assert plan_year(text) == 2027
    article = _article(text)
    cands = [c for c in target_candidates(text) if c.quantity.value in (6, 3)]
    assert {build_target(c, article, text).deadline_year for c in cands} == {2027}


def test_a_deadline_or_a_review_year_is_no_plan_year():
    assert plan_year("到2030年，全县将建成……。2024年度全县完成投资20亿元。") is None


def test_an_article_speaking_for_a_district_is_the_districts():
    text = ("杭州市萧山区召开区人代会。杭州市要求各区加快建设，杭州市将支持。全区将推动高质量发展。"
            "萧山区今年全区地区生产总值增长6%。")
    assert resolve_region("地区生产总值增长6%", text, None) == "萧山区"


@pytest.mark.parametrize("text", [
    # 富裕, 安平 and 丰宁 are also the short names of counties elsewhere; nothing here names a place.
    "全面落实党中央决策部署，扎实推进共同富裕。全县农业总产值增长6.4%。",
    "推进安平、丰宁两个示范区建设。全县新建高标准农田3万亩。",
])
def test_an_article_for_a_county_it_never_names_has_no_region(text):
    assert resolve_region("新建高标准农田3万亩", text, None) is None


def test_a_section_heading_says_which_way_its_numbers_look():
    text = ("工作总结\n全县完成地区生产总值120亿元，增长6%。\n"
            "明年工作打算\n全县农业总产值增长7.5%左右。")
    by_value = {c.quantity.value: c.features for c in target_candidates(text, "2026-01-20")}
    assert by_value[120]["review_section"] == 1.0 and by_value[120]["plan_section"] == 0.0
    assert by_value[7.5]["plan_section"] == 1.0 and by_value[7.5]["review_section"] == 0.0


def test_a_numbered_section_that_reviews_the_past_holds_results_only():
    # Its sub-headings (（二）重点任务…) and their numbers stay in the review; a clause of it that
    # looks ahead stays a candidate; the next numbered section sets out the year's work.
    text = ("一、2025年政府工作回顾\n（一）重点任务扎实推进\n全县完成农业总产值120亿元，增长6%。"
            "新建学校3所，明年还将新建学校5所。\n"
            "二、2026年工作安排\n主要预期目标是：农业总产值增长6.5%左右。")
    values = {c.quantity.value for c in target_candidates(text, "2026-01-20")}
    assert values == {5, 6.5}


def test_a_clause_with_no_year_takes_its_sections_year():
    text = ("某市政府工作报告\n——2026年1月20日在某市第九届人民代表大会第二次会议上\n"
            "二、2026年目标要求\n今后一年的主要目标：农业总产值增长6.5%。")
    assert page_date(text) == "2026-01-20"
    article = _article(text, published="2026-01-20")
    cand = next(c for c in target_candidates(text, "2026-01-20") if c.quantity.value == 6.5)
    assert build_target(cand, article, text).deadline_year == 2026


def test_a_dated_review_heading_without_a_number_holds_results_until_the_year_ahead():
    # An unnumbered heading that names a past year and reviews it, with a subtitle whose words
    # would look ahead (目标), then one that names the year ahead: the review's numbers are
    # results, whatever level the headings take; the targets paragraph is in the plan section.
    text = ("某县政府工作报告\n各位代表：\n现在，我代表县人民政府作报告。\n"
            "回顾2025年工作\n我们紧扣目标团结奋进\n全县新建学校3所，农业总产值增长6%。\n"
            "做好2026年工作\n我们要乘势而上\n在新起点上交出优异成绩单\n"
            "今年主要预期目标是：农业总产值增长6.5%左右，新建学校4所。")
    cands = target_candidates(text, "2026-01-20")
    assert {c.quantity.value for c in cands} == {6.5, 4}
    assert all(c.features["plan_section"] == 1.0 and c.features["review_section"] == 0.0 for c in cands)


def test_a_year_stated_above_a_dated_section_heading_stays_in_its_section():
    # The review opens on its year (2025年，全县…); the plan section's own heading names the year
    # ahead, and its goals take that year, not the review's.
    text = ("某县政府工作报告\n一、2025年工作回顾\n2025年，全县上下团结奋斗，农业总产值增长6%。\n"
            "二、2026年工作安排\n今年工作的总体要求是：稳中求进。\n主要预期目标是：农业总产值增长6.5%左右。")
    article = _article(text, published="2026-01-20")
    cand = next(c for c in target_candidates(text, "2026-01-20") if c.quantity.value == 6.5)
    assert build_target(cand, article, text).deadline_year == 2026


def test_a_range_states_its_floor_and_its_ceiling():
    qs = find_quantities("工业增加值增长5-5.5%，新建基地20～30亩")
    assert [(q.value, q.unit) for q in qs] == [(5, "%"), (5.5, "%"), (20, "亩"), (30, "亩")]
    text = "今年全区工业增加值增长5-5.5%。"
    article = _article(text, published="2026-01-20")
    cand = next(c for c in target_candidates(text, "2026-01-20"))
    goals = [build_target(_with(cand, q), article, text) for _, q in range_bounds(text, cand)]
    assert [(t.value, t.unit, t.comparator) for t in goals] == [(5, "%", "at_least"), (5.5, "%", "at_most")]
    # A hyphen after a letter still joins an identifier, not a range.
    assert [(q.value, q.unit) for q in find_quantities("购置K-9型设备4台")] == [(4, "台")]


def test_amounts_side_by_side_are_one_goal_each():
    text = "今年将新修乡村公路3条12.5公里。"
    cand = next(c for c in target_candidates(text, "2026-01-20"))
    assert [(q.value, q.unit) for _, q in adjacent(text, cand)] == [(3, "条"), (12.5, "公里")]


def test_a_list_that_writes_its_unit_once_shares_it():
    text = "今冬明春计划栽植核桃2300、花椒1800亩。"
    cands = target_candidates(text, "2026-01-20")
    assert [(c.quantity.value, c.quantity.unit) for c in cands] == [(2300, "亩"), (1800, "亩")]
    # A list marker opening its line is no figure of the list.
    assert [(q.value, q.unit) for q in find_quantities("1、新增企业20家")] == [(20, "家")]


def test_a_magnitude_and_a_measure_word_no_list_knows_are_one_unit():
    q = find_quantities("全年粮食总产稳定在95亿斤以上")[0]
    assert (q.value, q.unit) == (95, "亿斤")


def test_a_level_written_without_a_unit_is_a_candidate_where_the_clause_sets_it():
    assert [(c.quantity.value, c.quantity.unit) for c in target_candidates(
        "今年全县物价指数控制在102.5左右。", "2026-01-20")] == [(102.5, "")]
    assert target_candidates("今年新建的3号楼投入使用。", "2026-01-20") == []
    assert target_candidates("全县三次产业比例达到12：40：48。", "2026-01-20") == []
    assert target_candidates("全县平均树龄达到120岁的目标。", "2026-01-20") == []


def test_a_count_after_a_relative_clause_counts_the_noun_after_it():
    text = "年内将实施总投资12亿元的45项水利工程。"
    article = _article(text, published="2026-01-20")
    cand = next(c for c in target_candidates(text, "2026-01-20"))
    assert build_target(cand, article, text).metric == "水利工程"


def _with(cand, q):
    return type(cand)(cand.clause, cand.sentence, q, cand.features)


def test_a_five_year_plan_named_as_the_years_frame_gives_no_deadline():
    assert deadline_year("今年是“十五五”规划开局之年，全年生产总值增长6%。", "2026-01-20") == (2026, "今年")
    assert deadline_year("到“十五五”末，生产总值翻一番。", "2026-01-20") == (2030, "“十五五”末")


def test_a_gathering_named_inside_a_document_title_is_no_candidate():
    text = "5月3日，县委召开常委会议。会议还审议了县委组织部起草的《关于召开全县农村工作会议的筹备方案》。"
    assert [s.text.rstrip("。") for s in meeting_sentences(text)] == ["5月3日，县委召开常委会议"]


def test_a_sentence_set_at_a_gathering_named_by_its_kind_alone_adds_to_the_one_before():
    text = ("6月8日，县里举行秋季项目开工仪式。仪式上，县委书记赵明宣布项目开工。"
            "签约活动期间，县长孙强会见了客商。")
    assert [s.text.rstrip("。") for s in meeting_sentences(text)] == ["6月8日，县里举行秋季项目开工仪式"]


def test_a_list_of_leaders_ends_before_deng():
    text = "区长主持召开常务会议，区领导钱立新、吴海、周明等出席会议。"
    assert [p.name for p in officials(text)] == ["钱立新", "吴海", "周明"]


def test_taking_part_in_a_bare_opening_ceremony_adds_people_only():
    text = "3月2日，县第十届人民代表大会第三次会议开幕。县委书记王明，县长李华等同志出席开幕式。"
    assert len(meeting_sentences(text)) == 1


@pytest.mark.parametrize("sentence", [
    "区里将完善有关政策。", "会前征求了群众意见。", "特出台以下政策措施。", "会议研究了本镇的落实意见。",
])
def test_a_bare_document_word_without_a_title_is_no_document(sentence):
    assert policy_candidates(sentence) == []


def test_a_title_named_as_the_theme_of_a_talk_is_no_document():
    text = "县长以《推进农业现代化，编制好全县“十五五”农业发展规划》为主题作专题辅导报告。"
    assert policy_candidates(text) == []
    assert [c.title for c in policy_candidates("县政府印发《全县农业发展规划》，以规划为题开展宣讲。")] == ["全县农业发展规划"]


def test_a_notice_that_prints_a_document_is_not_the_document():
    text = "青山县人民政府关于印发青山县2026年重点工作方案的通知"
    assert all(not c.title.startswith("关于印发") for c in policy_candidates(text))


# --- meetings: the year, the people, the setting ----------------------------------------------

def test_a_visit_then_talks_is_named_by_the_visit():
    sentence = "市委书记方立群，市委副书记、市长吕向东调研柑橘种植基地和果品加工企业并召开座谈会。"
    assert code_name(sentence) == "方立群、吕向东调研柑橘种植基地和果品加工企业"


def test_a_visit_told_over_clauses_then_talks_is_named_by_the_visit():
    sentence = ("1月5日，区委副书记、区长周海率相关部门负责人来到工业园区，走访调研重点企业东方科技有限公司，"
                "了解企业经营和研发情况，并现场召开座谈会，听取企业意见。")
    assert code_name(sentence) == "周海走访调研重点企业东方科技有限公司"
    # a clause that only goes on with a visit told before names nobody: its talks are their own
    assert code_name("实地察看了两个棚改项目，听取了相关单位汇报，并召开座谈会。") == "座谈会"


def test_a_gathering_announced_for_later_is_named_by_its_own_name():
    sentence = "青山县第八届人民代表大会第六次会议将于2031年3月2日—3月4日在县城会议中心召开，参加本次会议的人员共180人。"
    assert code_name(sentence) == "青山县第八届人民代表大会第六次会议"
    assert code_name("会议决定，县政协第九届委员会第二次会议定于2031年1月8日召开。") == "县政协第九届委员会第二次会议"


def test_a_gathering_told_as_a_setting_is_the_gathering():
    sentence = "近日，在东河县第九届人民代表大会第三次会议上，县长秦思远作政府工作报告。"
    assert meeting_sentences(sentence)
    assert code_name(sentence) == "东河县第九届人民代表大会第三次会议"


@pytest.mark.parametrize("text, month, year", [
    # 今年 beside the one year the text plans for
    ("3月5日，东河县召开全县经济工作会议。今年全县要稳中求进。2031年，全县将新建学校5所。", 3, 2031),
    ("1月9日，区委全会召开。会议部署2031年全区经济工作，今年的主要预期目标是增长6%。", 1, 2031),
    # 去年 beside the one year it reviews: the year after
    ("2月8日，区人代会开幕。报告指出，2030年是极不平凡的一年，过去一年全区生产总值增长5%。", 2, 2031),
    # a year only in a document's title, or only a deadline, says nothing of the present
    ("4月8日，会议审议通过了《区委2031年工作要点》。今年要抓好落实。", 4, None),
    ("4月8日，会议提出，到2035年全区生产总值翻一番。今年要抓好落实。", 4, None),
    # a plan for a year told late in the year before: the year of the meeting is not known
    ("11月20日，全区2032年招商项目筹备会召开，今年任务基本完成，会议筹划2032年项目。", 11, None),
    # no 今年 or 去年: no present to tie the year to
    ("2月19日，区里召开大会。2031年，全区将开展攻坚年活动。", 2, None),
])
def test_a_dateless_text_gives_its_meeting_the_year_it_speaks_in(text, month, year):
    assert text_year(text, month) == year


@pytest.mark.parametrize("name, month, year", [
    ("东河县人民政府2031年第4次常务会议", 11, 2031),
    ("2031年迎新春职工运动会", 2, 2031),
    ("全区2032年招商项目筹备会", 11, None),  # held late in the year before the one it plans
])
def test_a_gathering_named_with_a_year_keeps_it_unless_it_prepares_it(name, month, year):
    assert own_year(name, None, month) == year


def test_a_list_of_dated_links_is_no_publication_date():
    page = ("3月2日，县人大常委会组织代表视察重点项目。\n代表们察看了三个项目。\n"
            "2031-03-04 14:00阅读\n2031-03-03 20:05阅读\n2031-03-01 09:12阅读\n")
    assert page_date(page) is None
    assert page_date("发布时间：2031-03-04\n3月2日，县人大常委会组织代表视察重点项目。") == "2031-03-04"


def test_one_person_at_one_gathering_told_in_heading_and_lead_is_one_meeting():
    text = ("县委书记程立新主持召开县委常委会\n"
            "1月5日，县委书记程立新主持召开县委常委会，各常委参加会议。\n会议研究了有关事项。")
    assert separate_meetings(_article(text, published="2031-01-06")) == []


@pytest.mark.parametrize("text, names", [
    ("会上，各位副镇长依次汇报了分管工作。", []),
    ("省委书记重要批示精神鼓舞人心。", []),
    ("领导干部要在廉洁自律上带头。", []),
    ("区人大常委会主任邵建学，区政协主席方文清出席。", ["邵建学", "方文清"]),
    ("会议听取了关于市人大代表建议、政协委员提案办理情况的汇报。", []),
])
def test_common_words_after_an_office_are_no_people(text, names):
    assert [p.name for p in officials(text)] == names


def test_the_last_name_of_a_list_after_he_is_listed():
    text = "区长主持召开常务会议，王立峰、韩志达、刘振华和胡明杰参加会议。"
    assert [p.name for p in listed_names(text)] == ["王立峰", "韩志达", "刘振华", "胡明杰"]


def test_a_county_made_a_district_is_found_by_its_new_name():
    # 武隆县 became 武隆区 (2016) after the gazetteer's table was drawn.
    text = "重庆市武隆区人民政府印发旅游发展方案。全区将新增游客服务中心3个。"
    assert resolve_region("全区将新增游客服务中心3个", text, None) == "武隆区"


def test_a_chair_named_without_a_title_presides():
    assert [p.name for p in presiding("王建国主持召开县城乡建设领导小组全体会议。")] == ["王建国"]


def test_people_after_a_gathering_announced_for_later_belong_to_the_one_reported():
    text = ("12月3日，区政协常委会议召开。会议决定，区政协第二次全体会议将于2032年1月10日召开。"
            "区政协副主席秦立华、欧阳明出席。")
    article = _article(text, published="2031-12-04")
    held = Meeting(name="区政协常委会议", evidence=Evidence(quote="12月3日，区政协常委会议召开", start=0, end=15))
    start = text.index("区政协第二次全体会议")
    end = text.index("。", start)
    later = Meeting(name="区政协第二次全体会议", evidence=Evidence(quote=text[start:end], start=start, end=end))
    add_people([held, later], article)
    assert [p.name for p in held.attendees] == ["秦立华", "欧阳明"]
    assert later.attendees == []


def test_a_digest_without_a_date_takes_the_year_one_of_its_events_states():
    from extract.text.normalize import page_year
    digest = ("◆5月4日，由团县委举办的2031年青年歌手大赛在县文化中心开幕。\n"
              "◆5月3日，我县召开春耕备耕工作调度会。")
    assert page_year(digest) == 2031
    # a gathering held late in a year may prepare the next one: no year for the page
    assert page_year("◆11月17日，全区2032年招商项目筹备会召开。\n◆11月18日，我县召开会议。") is None


@pytest.mark.parametrize("sentence, name", [
    ("3月2日，全县领导干部乡村振兴专题研讨班开班。", "全县领导干部乡村振兴专题研讨班"),
    ("县长王立新代表县政府与三家客商进行集中签约。", "县长王立新代表县政府与三家客商进行集中签约"),
])
def test_a_course_opened_and_a_signing_carried_out_are_gatherings(sentence, name):
    assert meeting_sentences(sentence)
    assert code_name(sentence) == name
    assert is_meeting_name(name, sentence)


def _features_by_value(text: str) -> dict[float, dict]:
    return {c.quantity.value: c.features for c in target_candidates(text, None)}


def test_a_period_already_over_after_a_dateline_makes_a_report():
    # The dateline (本报讯（记者…）) does not hide the ended period the sentence opens on, and a
    # plan word later in it (…要求) does not turn it round; the figures of the next sentence, which
    # says neither, go on with that report.
    text = ("本报讯（记者 王某 通讯员 李某） 前三季度，全镇按照高质量发展要求，主要指标稳中有升。\n"
            "全镇实现工业产值31.5亿元，增长6.4%；农业产值8.2亿元，增长3.1%。")
    features = _features_by_value(text)
    assert features[6.4]["continues_report"] == 1.0 and features[6.4]["continues_plan"] == 0.0
    assert features[31.5]["continues_report"] == 1.0


def test_the_plan_figures_of_a_paragraph_that_states_their_completion_are_a_finished_plans():
    text = ("全县列入年度计划的水利项目12项，当年计划投资6.5亿元。全年完成投资7.1亿元，投资完成率109.2%。\n"
            "明年计划新建水厂3座。")
    features = _features_by_value(text)
    assert (features[6.5]["outcome_paragraph"], features[3]["outcome_paragraph"]) == (1.0, 0.0)


def test_goals_under_numbered_sections_take_the_year_of_the_documents_title():
    text = ("某区人民政府关于印发某区2031年重点工作任务分解方案的通知\n"
            "各街道办事处：\n现将方案印发给你们，请认真贯彻落实。\n"
            "某区2031年重点工作\n任务分解方案\n"
            "一、主要预期目标\n1.农业总产值增长4.5%左右；\n2.城镇新增就业3000人。")
    article = _article(text, published="2031-03-02")
    for c in target_candidates(text, "2031-03-02"):
        assert build_target(c, article, text).deadline_year == 2031


def test_a_clause_that_goes_on_with_a_plan_takes_the_time_of_the_paragraph_above():
    text = ("某市还将加快建设产业园区，全年工业投资增长9.5%。\n"
            "同时，着力培育市场主体，新增科技型企业300家。")
    article = _article(text, published="2031-04-10")
    cand = next(c for c in target_candidates(text, "2031-04-10") if c.quantity.value == 300)
    assert cand.features["continues_plan"] == 1.0
    assert build_target(cand, article, text).deadline_year == 2031


@pytest.mark.parametrize("clause", ["目前全镇有规上企业42家", "沿线9座桥梁正在加紧施工"])
def test_what_holds_now_or_is_under_way_is_a_state(clause):
    cand = next(c for c in target_candidates(clause + "。", "2031-05-01"))
    assert cand.features["reported_clause"] == 1.0


def test_a_project_word_running_into_the_next_is_no_present_time():
    cand = next(c for c in target_candidates("今年将加快推进5个储备项目前期工作。", "2031-05-01"))
    assert cand.features["reported_clause"] == 0.0


def test_a_rankings_name_is_no_quantity():
    assert head_quantity("力争引进世界500强") is None
    assert head_quantity("引进世界500强项目12个").value == 12


def test_a_phrase_no_surname_opens_is_no_name_after_an_office():
    people = officials("各社区党支部书记作表态发言；副镇长茆海东出席。")
    assert [p.name for p in people] == ["茆海东"]


def test_titles_in_a_row_before_the_verb_that_prints_them_are_each_a_document():
    text = "经县政府同意，现将《青山县2031年重点工作分解》《青山县十件民生实事分解》《县政府督查工作安排》印发给你们。"
    assert [c.title for c in policy_candidates(text)] == [
        "青山县2031年重点工作分解", "青山县十件民生实事分解", "县政府督查工作安排"]


@pytest.mark.parametrize("issuer, person", [("县长王建平", True), ("王建平", True), ("县政府", False),
                                            ("县人民政府办公室", False)])
def test_a_person_the_model_lists_as_an_issuer_is_no_body(issuer, person):
    assert _a_person(issuer) is person
