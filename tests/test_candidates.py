"""Candidate finding in code: what the model is asked about, with offsets into the text, and
what code knows of each target candidate (its features: looks ahead, reports, a provision …).

Every quantity clause is a target candidate; whether it states a goal is the calibrated
decision's. `_ahead` reads the features as the candidate rules used to gate on them, so these
tables check that the features say what code can tell from the words alone."""
import pytest
from extract.kinds.meetings import meeting_paragraphs
from extract.kinds.policies import policy_candidates
from extract.kinds.targets import head_quantity, target_candidates
from extract.text.spans import clauses, sentences


def _ahead(text: str, published: str | None = None) -> list:
    """The candidates whose features say the clause looks ahead and does not report (the old
    gate's verdict, kept as the feature `code_goal`)."""
    return [c for c in target_candidates(text, published) if c.features["code_goal"]]


def test_sentences_and_clauses_keep_offsets():
    text = "到2025年，上市公司20家；高企3400家。\n全市召开大会。"
    for s in sentences(text):
        assert text[s.start : s.end] == s.text
        for c in clauses(s):
            assert text[c.start : c.end] == c.text
    assert [c.text for c in clauses(sentences(text)[0])] == ["到2025年", "上市公司20家", "高企3400家"]


def test_head_quantity_skips_modifiers_and_idioms():
    assert head_quantity("在我区实现年应税销售收入十亿元企业100家").value == 100
    q = head_quantity("到2025年培育3个以上规模超3000亿元的产业集群")
    assert (q.value, q.unit) == (3, "个")
    assert head_quantity("一步一个脚印") is None
    assert head_quantity("总投资60亿元的当升科技锂电新材料产业基地项目") is None


def test_target_candidates_need_future_orientation():
    text = ("力争到2023年累计新增优质科技型项目600个以上；新增上市企业15家。\n"
            "2020年，高新技术产业产值占比达53.4%，目前已引进在孵企业近20家。")
    found = [(c.quantity.value, c.quantity.unit) for c in _ahead(text)]
    assert found == [(600, "个"), (15, "家")]
    for c in _ahead(text):
        assert text[c.quantity.start : c.quantity.end] == c.quantity.text


def test_deadline_earlier_in_paragraph_carries_over():
    text = "到2025年，全市工业规模总量超过2.5万亿元。制造业增加值占GDP比重稳定在43%左右。"
    assert {(c.quantity.value, c.quantity.unit) for c in _ahead(text)} == {(2.5, "万亿元"), (43, "%")}


def test_list_split_after_quantity():
    text = "力争到2023年，集聚产业专业技术人才500人、从业人员1500人以上。"
    assert [c.clause.text for c in _ahead(text)] == ["集聚产业专业技术人才500人", "从业人员1500人以上"]


def test_a_list_of_counts_is_split_between_them():
    """N个A、M个B: two counts, each of its own things; a 、 inside one count's noun stays."""
    text = "到2027年，全县开工建设4个百亿级、12个五十亿以上重大项目，培育省级、市级龙头企业30家。"
    assert [(c.clause.text, c.quantity.text) for c in _ahead(text)] == [
        ("全县开工建设4个百亿级", "4个"), ("12个五十亿以上重大项目", "12个"), ("培育省级、市级龙头企业30家", "30家")]


def test_policy_candidates_titled_listed_and_untitled():
    text = ("区委、区政府于日前印发了《工业经济高质量发展“十百千计划”实施方案》(以下简称《方案》)。"
            "发布关于科技创新能级跃升、机器人产业链卓越发展等两方面实施意见。")
    titles = [c.title for c in policy_candidates(text)]
    assert titles == ["工业经济高质量发展“十百千计划”实施方案", "关于科技创新能级跃升的实施意见",
                      "关于机器人产业链卓越发展的实施意见"]
    assert "方案" not in titles  # 《方案》 is a back-reference, not a document title


def test_meeting_paragraphs():
    text = "标题\n昨天上午，我区召开座谈会。\n天气晴朗。"
    assert [p.text for p in meeting_paragraphs(text)] == ["昨天上午，我区召开座谈会"]  # end mark trimmed


def test_quoted_names_and_periods():
    # A programme's name is no future marker; a quoted five-year-plan period is one.
    assert _ahead("东莞410家“倍增计划”规模以上工业企业增加值317.96亿元。") == []
    found = _ahead("“十四五”期间，从省外引进内资产业项目500个，其中超20亿元项目200个。")
    assert [(c.quantity.value, c.quantity.unit) for c in found] == [(500, "个"), (200, "个")]


def test_completion_is_a_report_unless_planned():
    assert [c.clause.text for c in _ahead("利通区计划投资34亿元，完成63.5%。")] == ["利通区计划投资34亿元"]
    assert _ahead("今年计划完成率119.3%。", "2022-04-12") == []
    assert [c.quantity.value for c in _ahead("今年计划完成投资2241亿元。")] == [2241]
    assert _ahead("今年，2021年完成投资596.3亿元。", "2022-04-12") == []
    assert [c.quantity.value for c in _ahead("今年，2022年完成投资600亿元。", "2022-04-12")] == [600]


def test_plan_in_a_paragraphs_opening_sentence_carries_over():
    text = "深圳还将全力推动重大工业项目落地。加大工业投资力度，全年工业投资增长12%以上。\n全市工业投资增长5%。"
    assert [c.quantity.value for c in _ahead(text)] == [12]
    # Every quantity clause is a candidate; the second paragraph's has no plan to look ahead.
    found = target_candidates(text)
    assert [c.quantity.value for c in found] == [12, 5]
    assert found[1].features["future_sentence"] == found[1].features["plan_paragraph"] == 0.0


def test_policy_provisions_are_no_goals():
    assert _ahead("今年对新落户的研发机构给予最高500万元奖励，每宗补助50万元。") == []
    # A ceiling being set, an eligibility threshold, a figure in parentheses.
    text = "到2035年，比例上限由7%提高到15%，用地面积50亩以上的存量工业项目，土地出让收益（10%以上）。"
    assert _ahead(text) == []


def test_one_goal_stated_twice_is_one_target_two_alike_are_two():
    from extract.kinds.targets import _one_per_goal
    from schemas import Evidence, Target

    def t(metric, value, start, text):
        q = metric + str(value)
        return Target(metric=metric, value=value, unit="个", comparator="reach", evidence=Evidence(
            quote=q, start=start, end=start + len(q)))
    text = "力争引进省外内资项目500个。\n到2025年，累计引进省外内资项目500个，引进超1亿美元项目500个。"
    a = t("引进省外内资项目", 500, 2, text)
    b = t("累计引进省外内资项目", 500, 23, text)
    c = t("引进超1亿美元项目", 500, 37, text)
    kept = _one_per_goal([a, b, c], text, headline_end=-1)
    assert [x.metric for x in kept] == ["引进省外内资项目", "引进超1亿美元项目"]


def test_a_count_before_what_it_counts_is_the_head():
    assert (head_quantity("培育15家交通物流龙头企业").value, head_quantity("培育15家交通物流龙头企业").unit) == (15, "家")
    assert head_quantity("今年内将开工建设20个中型骨干水源工程项目").value == 20
    # An amount before a noun still describes it.
    assert head_quantity("在我区实现年应税销售收入十亿元企业100家").value == 100
    assert head_quantity("总投资60亿元的当升科技锂电新材料产业基地项目") is None


def test_a_deadline_over_at_publication_is_a_result():
    from extract.kinds.targets import _passed
    from schemas import Evidence, Target
    t = Target(metric="节约资金", value=5.1, unit="亿元", comparator="reach", deadline_year=2010,
               evidence=Evidence(quote="x", start=0, end=1))
    assert _passed(t, "2011-09-26") and not _passed(t, "2010-01-01") and not _passed(t, None)


def test_ended_periods_comparisons_and_done_amounts_report():
    # 一季度…实现, 比同期, V了+amount: results of a period that has ended, not goals.
    text = ("今年全市力争实现地区生产总值增长6%。一季度全市实现地区生产总值626.9亿元，比同期增速高0.8个百分点。\n"
            "今年将进一步完善制度，财政厅据此制定、修订了18项配套制度办法。")
    found = [(c.quantity.value, c.quantity.unit) for c in _ahead(text)]
    assert found == [(6, "%")]
    # A period still ahead is no report.
    assert [c.quantity.value for c in _ahead("明年一季度力争新开工项目30个。")] == [30]


def test_a_number_inside_quotes_names_a_slogan():
    assert head_quantity("按照“9个城市是1个城市”的要求") is None
    assert head_quantity("实施“双十”计划，培育企业12家").value == 12


def _metric_of(text: str, published: str) -> str:
    """The metric code reads for the one candidate of `text`."""
    from extract.kinds.targets import _metric

    [cand] = _ahead(text, published)
    return _metric(cand, text)


def test_a_verbs_counted_object_after_the_number_joins_the_metric():
    assert _metric_of("今年内将开工建设20个中型骨干水源工程项目", "2011-03-01") == "开工建设中型骨干水源工程项目"
    # An amount (亿元) keeps the words before it: what follows it is not what it counts.
    assert _metric_of("今年将完成投资4亿元", "2011-03-01") == "完成投资"


def test_a_year_and_its_time_words_are_no_part_of_the_metric():
    # 年度 belongs to the year (2031年度计划…), not to what is counted.
    assert _metric_of("2031年度计划投资约45.6亿元。", "2031-03-01") == "计划投资"
    # A relative time after 在 (在今年…) opens the clause, as 今年 alone does.
    assert _metric_of("在今年全镇力争新增规上企业15家。", "2031-03-01") == "全镇力争新增规上企业"


def test_the_metric_keeps_amounts_and_drops_markers_and_modal_words():
    from extract.kinds.targets import code_metric

    def metric(before: str) -> str:
        return code_metric(before + "12个", len(before), len(before) + 3)

    # A 20xx that is an amount, not a year, stays (安排了2000万元以上的…).
    assert metric("今年共安排2000万元以上的重点项目") == "今年共安排2000万元以上的重点项目"
    # A year after 到/至 needs no 年; a five-year plan in straight quotes goes with them.
    assert metric("至2035，全县新建口袋公园") == "全县新建口袋公园"
    assert metric("2031—2035年全县新建口袋公园") == "全县新建口袋公园"
    assert metric('"十五五"全市物流枢纽将达') == "全市物流枢纽"
    # The modal word before a comparator (将超, 要达, 力争达到) is no part of what is counted.
    assert metric("全区孵化器总数要达") == "全区孵化器总数"
    assert metric("示范园区数量力争达到") == "示范园区数量"
    # An enumeration's marker opens the list item, not its metric.
    assert metric("三是全面建成智慧停车场") == "全面建成智慧停车场"


def test_a_list_or_a_change_takes_its_metric_from_what_it_counts_or_changes():
    from extract.kinds.targets import _metric

    # 等 closes the examples; the noun after the count is what is counted.
    text = "今年将加快推进东湖片区、西岭片区、南港片区等12个重点片区开发建设。"
    cand = next(c for c in _ahead(text, "2031-03-01") if c.quantity.value == 12)
    assert _metric(cand, text) == "重点片区开发建设"
    # A clause that only says how much something changes: the subject is the clause before's.
    text = "今年计划完成交通投资80亿元、增长12%。"
    cand = next(c for c in _ahead(text, "2031-03-01") if c.quantity.value == 12)
    assert _metric(cand, text) == "完成交通投资增长"
    # A clause before that states no amount lends no subject.
    text = "今年要稳住交通投资，增长12%。"
    cand = next(c for c in _ahead(text, "2031-03-01") if c.quantity.value == 12)
    assert "交通投资" not in _metric(cand, text)


def test_a_heading_that_abbreviates_a_goal_of_the_body_is_the_same_goal():
    from extract.kinds.targets import _one_per_goal
    from schemas import Evidence, Target

    text = ("新区保障房占比力争超40%\n"
            "按照方案，人口净流入的新区，新增保障性租赁住房供应套数占新增住房供应套数的比例力争达到40%以上。\n"
            "培育上市企业5家\n培育拟上市后备企业5家")

    def t(metric, quote):
        start = text.find(quote)
        return Target(metric=metric, value=40 if "40" in quote else 5, unit="%" if "%" in quote else "家",
                      comparator="reach", evidence=Evidence(quote=quote, start=start, end=start + len(quote)))
    head = t("新区保障房占比", "新区保障房占比力争超40%")
    body = t("新增保障性租赁住房供应套数占新增住房供应套数的比例", "新增保障性租赁住房供应套数占新增住房供应套数的比例力争达到40%以上")
    # The sentence's statement is kept over the heading's, which comes first.
    assert [x.evidence.quote for x in _one_per_goal([head, body], text, -1)] == [body.evidence.quote]
    # Two list lines, neither a sentence, stay two goals although one's metric reads in the other.
    a, b = t("培育上市企业", "培育上市企业5家"), t("培育拟上市后备企业", "培育拟上市后备企业5家")
    assert len(_one_per_goal([a, b], text, -1)) == 2


def test_a_page_without_outlet_lends_its_division_to_articles_that_name_none():
    from extract.places.region import page_division, resolve_region

    page = "我区出台方案\n\n有力支撑金坛区“十四五”发展，全区企业…\n\n区级机关参与工作\n\n我区发布《通知》。"
    assert page_division(page) == "金坛区"
    # A short name alone, with nothing to say which province or city the page is in, could be a
    # town or a word anywhere: no division (tests/test_unseen_classes.py).
    assert page_division(page.replace("金坛区", "金坛")) is None
    assert resolve_region("我区发布《通知》", "区级机关参与工作\n我区发布《通知》。", None) is None
    assert resolve_region("我区发布《通知》", "区级机关参与工作\n我区发布《通知》。", None, page="金坛区") == "金坛区"


def test_markdown_emphasis_names_and_sentences_opening_on_an_ended_period():
    # _倍增计划_ is a programme's name (Markdown emphasis), not a plan of the sentence.
    assert _ahead("1021家企业入列东莞新一轮_倍增计划_名单") == []
    # "今年一季度，…": the whole sentence reports the quarter.
    text = "今年一季度，东莞410家规模以上工业企业增加值317.96亿元，增速高于全市水平5.1个百分点。"
    assert [c.quantity.value for c in _ahead(text)] == []
    # A future sentence that mentions a quarter later is still a plan.
    assert [c.quantity.value for c in _ahead("力争一季度新开工项目30个。")] == [30]


def _found(text: str, published: str | None = None) -> list[tuple[float, str]]:
    return [(c.quantity.value, c.quantity.unit) for c in _ahead(text, published)]


def test_a_clause_with_a_plan_of_its_own_after_a_report_is_a_candidate():
    # A report (已累计完成…) governs the clauses after it, but one that opens on a plan is a plan.
    assert _found("该工程已累计完成投资3亿元，今年将完成投资4亿元，目前3个标段正在施工。") == [(4, "亿元")]
    # 计划 alone opens a report's figures as well (计划总投资 of projects already signed).
    assert _found("2016年以来已签约项目60个，计划总投资300亿元。") == []


def test_a_count_of_things_to_complete_is_a_task_and_a_year_end_ahead_a_deadline():
    assert _found("到2030年，全面完成86个污水治理工程。") == [(86, "个")]
    assert _found("到2030年，完成60%。") == []  # an amount after 完成 is what was done
    # The end of the publication year is still ahead; a year already over is not.
    assert _found("2031年底，全市燃煤机组脱硫效率达70%以上。", "2031-05-10") == [(70, "%")]
    assert _found("2031年底，全市燃煤机组脱硫效率达70%以上。", "2032-05-10") == []
    # 等 closes a list; it does not make the number a modifier.
    assert head_quantity("完成坡耕地治理900平方公里等").value == 900


def test_the_same_amount_for_two_years_is_two_goals():
    from extract.kinds.targets import _one_per_goal
    from schemas import Evidence, Target
    text = "今年计划开工建设800万套保障性住房。明年还将开工建设800万套保障性住房。"
    a, b = (Target(metric="开工建设保障性住房", value=800, unit="万套", comparator="reach", deadline_year=year,
                   evidence=Evidence(quote=q, start=text.find(q), end=text.find(q) + len(q)))
            for year, q in ((2031, "今年计划开工建设800万套保障性住房"), (2032, "明年还将开工建设800万套保障性住房")))
    assert len(_one_per_goal([a, b], text, -1)) == 2
    assert len(_one_per_goal([a, b.model_copy(update={"deadline_year": 2031})], text, -1)) == 1


def test_two_values_in_one_clause_are_two_goals_each_with_its_subject():
    from extract.kinds.targets import respectively
    text = "到2030年，常住人口和户籍人口分别达到12万人、9万人。"
    pairs = [p for c in target_candidates(text) for p in respectively(text, c)]
    assert [(m, q.value, q.unit) for m, q in pairs] == [("常住人口", 12, "万人"), ("户籍人口", 9, "万人")]
    assert all(text[q.start : q.end] == q.text for _, q in pairs)
    # One subject for both values: both goals measure it.
    text = "力争到2028年，两项指标分别提高到150家和15家。"
    pairs = [p for c in target_candidates(text) for p in respectively(text, c)]
    assert [(m, q.value) for m, q in pairs] == [("两项指标", 150), ("两项指标", 15)]
    # No 分别: one clause, one goal.
    text = "全区新增企业30家。"
    assert [respectively(text, c) for c in target_candidates(text)] == [[]]


def test_a_plan_heading_with_a_year_gives_its_list_a_deadline_without_a_publication_date():
    from extract.kinds.targets import _time_scopes
    from extract.text.normalize import deadline_year
    text = "石湖县2027年主要预期目标\n地区生产总值增长6%左右；新开工项目45个。"
    found = target_candidates(text)
    assert [c.quantity.value for c in found] == [6, 45]
    for c in found:
        assert c.features["plan_heading"] == 1.0
        years = [deadline_year(scope)[0] for scope in _time_scopes(text, c)]
        assert next(y for y in years if y is not None) == 2027
    # A heading that reports sets up no plan.
    assert target_candidates("石湖县2026年经济运行情况\n地区生产总值增长6%。")[0].features["plan_heading"] == 0.0


def test_a_clause_with_no_time_before_it_takes_a_later_one_of_its_sentence_if_still_ahead():
    from extract.kinds.targets import build_target
    from schemas import Article

    def deadlines(text: str, published: str) -> list[tuple[float, int | None]]:
        art = Article(id="p#1", source="p.txt", source_sha256="ab" * 32, index=1, text=text, published=published)
        return [(c.quantity.value, build_target(c, art, text).deadline_year)
                for c in target_candidates(text, published)]

    # 全年 later in the sentence frames the count before it.
    assert deadlines("全县将开工建设8个重大项目，全年工业投资增长9%以上。", "2031-03-01") == [(8, 2031), (9, 2031)]
    # A comparison with a year already over is no deadline.
    assert deadlines("全县将开工建设8个重大项目，比去年多3个。", "2031-03-01")[0] == (8, None)


def test_a_target_request_shows_the_lead_and_heading_that_frame_its_sentences():
    from extract.kinds.targets import target_request

    text = ("青禾区召开经济工作会议\n"
            "今年主要预期目标\n"
            "青禾区还将全力推进工业强区建设。会议提出，新增规上工业企业30家。同时，新增上市公司3家。\n"
            "据统计，去年全区完成投资80亿元。")
    cands = target_candidates(text, "2031-01-05", headline_end=text.find("\n"))
    prefix, ids = target_request(text, cands, "标题：青禾区召开经济工作会议", body_start=text.find("\n") + 1)
    lines = prefix.split("\n")
    # The heading above the paragraph and the paragraph's opening sentence come unmarked, once,
    # in text order; the headline only in the header.
    assert lines[:3] == ["标题：青禾区召开经济工作会议", "今年主要预期目标", "青禾区还将全力推进工业强区建设"]
    assert sum("【" in line for line in lines) == len({c.sentence.start for c in cands})
    assert prefix.count("青禾区还将全力推进工业强区建设") == 1 and prefix.count("青禾区召开经济工作会议") == 1
    # A paragraph that opens on its own marked sentence adds nothing before it.
    assert "据统计" in lines[-1] and "【" in lines[-1]


def test_a_headline_amount_the_body_states_again_is_marked_restated():
    text = ("青禾区今年将开建15个水源工程\n"
            "今年，青禾区将开工建设15个中型水源工程项目，完成投资8亿元。\n"
            "去年全区建成水厂3座。")
    cands = target_candidates(text, "2031-01-05", headline_end=text.find("\n"))
    # The headline's 15个 is said again below, whatever verb it shortens to; the body's is not
    # a restatement, and an amount only the body states is none.
    assert [(c.clause.start == 0, c.quantity.text, c.features["restated_below"]) for c in cands] == [
        (True, "15个", 1.0), (False, "15个", 0.0), (False, "8亿元", 0.0), (False, "3座", 0.0)]


# --- meetings: the name code reads, the question the model answers -----------------------------

def test_a_meetings_name_is_read_from_its_sentence():
    from extract.kinds.meetings import code_name
    # The gathering after the verb that holds or attends it, to the clause's last gathering word.
    assert code_name("3月2日上午，青山区召开全区优化营商环境大会。") == "全区优化营商环境大会"
    assert code_name("石门县召开“项目攻坚年”动员大会暨作风建设大会") == "“项目攻坚年”动员大会暨作风建设大会"
    assert code_name("副县长周敏参加了东岭镇领导班子民主生活会") == "东岭镇领导班子民主生活会"
    # Named first, then held.
    assert code_name("9月5日，第三届湖滨数字经济对接会在临江市举行") == "第三届湖滨数字经济对接会"
    # A visit or talks: the clause that says what was done, its time left out.
    assert code_name("昨天下午，市政协副主席王兰来北岭调研文旅工作，副县长陈立陪同。") == "市政协副主席王兰来北岭调研文旅工作"
    # A clause that only says when (会前，…) is no name.
    assert code_name("会前，王兰会见了华信集团客商代表") == "王兰会见了华信集团客商代表"


def test_each_meeting_sentence_is_one_question_naming_what_code_read(fake_llm):
    import extract
    text = ("北岭县召开招商引资推进会\n\n本报讯 3月2日上午，北岭县召开全县招商引资推进会。"
            "县长陈立主持会议。\n会前，陈立会见了华信集团客商代表。")
    with extract.Extractor(base_url=fake_llm.base_url, model="fake", env=False, cache=False,
                           options=extract.Options(min_confidence=0.0)) as ex:
        [rec] = ex.extract_text(text, published="2026-03-03")
    asked = [text for kind, text in fake_llm.asked if kind == "meeting_held"]
    assert len(asked) == 2  # the two sentences that say something was held; 主持 adds to the first
    assert "「全县招商引资推进会」" in asked[0] and "「陈立会见了华信集团客商代表」" in asked[1]
    assert {m.name for m in rec.meetings} == {"全县招商引资推进会", "陈立会见了华信集团客商代表"}
    first = next(m for m in rec.meetings if m.name == "全县招商引资推进会")
    assert first.date == "2026-03-02" and first.organizers == ["北岭县"] and first.confidence is not None


def test_what_code_knows_of_a_meeting_sentence_is_evidence_for_its_confidence():
    from extract.kinds.meetings import meeting_features
    from schemas import Evidence, Meeting

    def feats(quote, name, time_text=None, before=frozenset()):
        m = Meeting(name=name, time_text=time_text, evidence=Evidence(quote=quote, start=0, end=len(quote)))
        return meeting_features(m, True, set(before))

    held = feats("3月2日上午，北岭县召开全县招商引资推进会", "全县招商引资推进会", "3月2日上午")
    assert held["convened"] == held["time_said"] == 1.0 and held["future_word"] == held["listed"] == 0.0
    # A plan's task list: what is to be done.
    task = feats("三是要深入开展“进企业、解难题”调研活动", "“进企业、解难题”调研活动")
    assert task["future_word"] == task["listed"] == 1.0
    # A comment on the gathering already reported.
    assert feats("本次推介会规模大、规格高", "本次推介会规模大、规格高")["this_gathering"] == 1.0
    # The same visit going on: its verb was an earlier meeting's, no time, nothing convened.
    assert feats("双方经过深入洽谈，达成合作意向", "双方经过深入洽谈", before={"洽谈"})["repeats_verb"] == 1.0
    assert feats("双方经过深入洽谈，达成合作意向", "双方经过深入洽谈", before={"调研"})["repeats_verb"] == 0.0
    # Its time told by the gathering reported: an event beside it (会前, 开幕式前, 在…期间).
    for quote in ("会前，陈立会见了华信集团客商代表", "开幕式前，陈立会见了参加论坛的来宾",
                  "在北岭期间，陈立一行考察了县产业园"):
        assert feats(quote, quote.split("，")[1])["beside_gathering"] == 1.0, quote
    assert feats("陈立会见了华信集团客商代表，双方进行了交流", "陈立会见了华信集团客商代表")["beside_gathering"] == 0.0
    assert feats("本报讯 会前，陈立会见了客商代表", "陈立会见了客商代表")["beside_gathering"] == 1.0  # after the dateline


def test_a_meeting_split_out_of_a_sentence_is_judged_by_the_answer_on_that_sentence(fake_llm):
    import extract
    from extract.kinds.judgement import logit
    text = ("北岭县领导参加民主生活会\n\n连日来，县领导分别参加指导各单位民主生活会。\n"
            "县委副书记陈立参加了县发展改革局党组领导班子民主生活会，要求抓好整改。\n"
            "副县长林海参加了县财政局党组领导班子民主生活会，要求落实责任。")
    judged = []
    options = extract.Options(min_confidence=0.0,
                              trace=lambda article, kind, item, features: judged.append((kind, item.name, features)))
    with extract.Extractor(base_url=fake_llm.base_url, model="fake", env=False, cache=False, options=options) as ex:
        [rec] = ex.extract_text(text, published="2026-03-03")
    meetings = {name: f for kind, name, f in judged if kind == "meetings"}
    split = ["县发展改革局党组领导班子民主生活会", "县财政局党组领导班子民主生活会"]
    assert set(split) <= set(meetings)
    for name in split:  # asked about its own sentence: the model's probability, not a blank
        assert meetings[name]["from_rules"] == 0.0
        assert meetings[name]["model_logit"] == pytest.approx(logit(fake_llm.p_true), abs=1e-3)
    assert {m.attendees[0].name for m in rec.meetings if m.name in split} == {"陈立", "林海"}


def test_a_gathering_named_as_the_source_of_a_spirit_is_not_reported(fake_llm):
    import extract
    text = ("北岭县召开财政工作会议\n\n本报讯 3月2日上午，北岭县财政工作会议在县行政中心召开。"
            "会议的主要任务是贯彻落实2月召开的全省财政工作会议精神，部署今年工作。\n"
            "3月3日，县委召开常委会议，传达学习全省财政工作会议精神。")
    with extract.Extractor(base_url=fake_llm.base_url, model="fake", env=False, cache=False,
                           options=extract.Options(min_confidence=0.0)) as ex:
        [rec] = ex.extract_text(text, published="2026-03-04")
    names = {m.name for m in rec.meetings}
    assert "全省财政工作会议" not in names  # only studied: the sentence reports the studying
    assert {"北岭县财政工作会议", "常委会议"} <= names


def test_a_target_request_shows_the_numbered_sections_its_paragraph_lies_under():
    from extract.kinds.targets import target_request

    text = ("青禾区政府工作报告\n"
            "二、2031年工作安排\n"
            "（一）扎实推进产业升级\n"
            "加快培育新动能。\n"
            "全力支持企业上市。力争新增上市公司3家。\n"
            "（二）持续改善民生\n"
            "新建幼儿园5所。")
    cands = target_candidates(text, "2031-01-05", headline_end=text.find("\n"))
    listed = [c for c in cands if c.sentence.text.startswith("力争")]
    prefix, _ = target_request(text, listed, "", body_start=text.find("\n") + 1)
    # Both headings over the paragraph, in text order, then its opening sentence; not the
    # paragraph between them, nor a later section's heading.
    assert prefix.split("\n")[:3] == ["二、2031年工作安排", "（一）扎实推进产业升级", "全力支持企业上市"]
    assert "加快培育新动能" not in prefix and "持续改善民生" not in prefix
    later = [c for c in cands if c.sentence.text.startswith("新建")]
    prefix, _ = target_request(text, later, "", body_start=text.find("\n") + 1)
    # The line just above is the level-2 heading: once.
    assert prefix.split("\n")[:2] == ["二、2031年工作安排", "（二）持续改善民生"]
    assert prefix.count("（二）持续改善民生") == 1
