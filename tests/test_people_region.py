"""Officials named in text, region resolution and separately described meetings."""
import pytest

from extract.kinds.meetings import separate_meetings
from extract.text.people import officials
from extract.places.gazetteer import mentions
from extract.places.region import jurisdiction, outlet_base, resolve_region
from schemas import Article


def test_officials_title_and_name():
    text = ("12月1日,区委常委会集体调研金科园、金城镇工作,区委书记狄志强指出,要加快转型。"
            "常州市人大常委会副主任戴士福来我区调研，区人大常委会主任石江水、副主任王新辉陪同。")
    assert [(p.name, p.title) for p in officials(text)] == [
        ("狄志强", "区委书记"), ("戴士福", "常州市人大常委会副主任"),
        ("石江水", "区人大常委会主任"), ("王新辉", "副主任")]


def test_officials_reject_non_names():
    assert officials("党务干部储备长远棋，实现新气象。") == []
    assert [p.name for p in officials("區委書記狄志強指出")] == ["狄志强"]  # traditional script


def test_places_and_region():
    found = [d.name for _, _, d in mentions("实行区委、区政府领导同志和区人大常委会，武进区召开，金坛经济开发区")]
    assert found == ["武进区"]  # county short names (金坛) are not read from running text
    assert [(d.name, d.code) for _, _, d in mentions("浙江将引进项目，深圳开工，走中山路")] == [
        ("浙江省", "330000"), ("深圳市", "440300")]
    assert [d.name for _, _, d in mentions("内蒙古兴安盟、宁夏")] == ["内蒙古自治区", "兴安盟", "宁夏回族自治区"]
    assert outlet_base("金坛时报") == "金坛" and outlet_base("常州日报") == "常州"
    assert resolve_region("到2025年，在我区实现企业100家", "", "金坛时报") == "金坛区"
    assert resolve_region("全市高企数量要达3400家左右", "", "常州日报") == "常州市"
    assert resolve_region("2月19日,武进区召开“新春第一会”", "", None) == "武进区"
    assert resolve_region("力争企业100家", "无地名", None) is None
    # No local jurisdiction at all: an article that speaks of the state is national, the clause
    # need not say so; one that names no level stays unresolved.
    national = "国务院部署编制专项规划\n会议指出，今年计划新建保障房500万套。"
    assert resolve_region("今年计划新建保障房500万套", national, None) == "中国"
    assert resolve_region("今年计划新建保障房500万套", "会议指出，今年计划新建保障房500万套。", None) is None
    # The article's jurisdiction, not a division named as a modifier, holds the item.
    page = "浙江出台指导意见\n“十四五”期间，全省力争引进项目500个。江苏省级示范区也参与。"
    assert jurisdiction(page).name == "浙江省"
    assert resolve_region("力争引进项目500个", page, None) == "浙江省"
    assert resolve_region("建成江苏省级示范区3个", page, None) == "浙江省"
    assert resolve_region("其中吴忠市计划投资50亿元", page, None) == "吴忠市"
    # 全市 on a district paper is the city that holds the district; 全省 its province.
    assert resolve_region("全市企业达100家", "", "金坛时报") == "常州市"
    assert resolve_region("全省企业达100家", "", "金坛时报") == "江苏省"


def test_separately_described_meetings():
    text = ("区领导参加民主生活会\n连日来，区领导分别参加指导各板块民主生活会。\n"
            "区委副书记刘国新参加了茅山旅游度假区党工委领导班子专题民主生活会，要求做好工作。\n"
            "副区长朱霞参加了区农业农村局党委领导班子民主生活会，要求下好先手棋。")
    art = Article(id="x#1", source="x.txt", source_sha256="0", index=1, text=text)
    found = separate_meetings(art)
    assert [(m.name, m.attendees[0].name) for m in found] == [
        ("茅山旅游度假区党工委领导班子专题民主生活会", "刘国新"),
        ("区农业农村局党委领导班子民主生活会", "朱霞")]
    for m in found:
        assert text[m.evidence.start : m.evidence.end] == m.evidence.quote


def test_names_listed_after_a_titled_one_share_its_title():
    text = "区人大常委会主任王跃中，副主任刘东升、王新辉、冯锁强参加活动，副区长周新生陪同。"
    assert [(p.name, p.title) for p in officials(text)] == [
        ("王跃中", "区人大常委会主任"), ("刘东升", "副主任"), ("王新辉", "副主任"),
        ("冯锁强", "副主任"), ("周新生", "副区长")]


def test_groups_and_companies_are_no_officials():
    assert [p.name for p in officials("国内数字经济领域领军人物、专家学者近300人，市长张起翔致辞。")] == ["张起翔"]


def test_gathering_names():
    from extract.kinds.meetings import is_meeting_name

    assert is_meeting_name("黑龙江（哈尔滨）数字经济投资对接会")
    assert is_meeting_name("重点项目开工奠基仪式")
    assert not is_meeting_name("金坛区工商业联合会")  # a body that ends in 会
    assert not is_meeting_name("中国电子学会") and not is_meeting_name("出台《实施方案》")


def test_what_a_meeting_had_is_no_meeting_and_a_verb_is_no_name():
    from extract.kinds.meetings import is_meeting_name
    from extract.text.people import is_person_name
    assert not is_meeting_name("会议议程", "按照会议议程，张光荣总结评价了近几年工作")
    assert not is_meeting_name("会议主要任务") and not is_meeting_name("会议精神")
    assert is_meeting_name("全市产业发展大会") and is_meeting_name("区委常委会集体调研金科园、金城镇工作")
    assert not is_person_name("表示") and not is_person_name("要求") and is_person_name("刘殊")


def test_a_speech_is_no_meeting_and_a_visit_may_end_on_what_it_saw():
    from extract.kinds.meetings import is_meeting_name

    assert not is_meeting_name("张伟要求各单位深入企业开展调研，帮助解决实际问题")
    assert is_meeting_name("市政协专题视察乡村振兴项目推进情况")
    assert not is_meeting_name("会议要求")


@pytest.mark.parametrize("sentence, speech", [
    ("李明强调，要开好每一次组织生活会", True),
    ("会议要求，各单位要召开专题会议落实责任", True),
    # 根据/按照…要求 names the ground the sentence acts on: what follows may report a gathering.
    ("根据县委组织部2026年3号文件要求，东湖村党支部于5月8日召开了组织生活会", False),
    ("按照市委统一部署要求，青山区召开全区干部大会", False),
])
def test_a_speech_is_what_someone_said_not_what_a_sentence_acts_on(sentence, speech):
    from extract.kinds.meetings import meeting_sentences
    from extract.text.people import is_speech

    assert is_speech(sentence) is speech
    assert bool(meeting_sentences(sentence + "。")) is not speech


@pytest.mark.parametrize("second, asked", [
    # Who spoke, presided and reported at the gathering just named: its people, no gathering.
    ("副县长林海出席会议并发表讲话，县财政局局长周明主持会议，副局长王芳在会上作工作报告", False),
    ("推介会由副县长林海主持，各乡镇负责人作项目推介", False),
    ("县委书记陈立等三人分别作为先进代表在大会上作了发言", False),
    # A clause that names a gathering of its own keeps the sentence asked.
    ("副县长林海出席会议并讲话，随后参加了县财政局党组民主生活会", True),
    ("会后，林海调研了县产业园建设情况", True),
])
def test_a_sentence_that_only_adds_people_to_the_gathering_before_is_not_asked(second, asked):
    from extract.kinds.meetings import meeting_sentences

    text = f"3月2日，北岭县召开全县财政工作会议。{second}。"
    found = [s.text for s in meeting_sentences(text)]
    assert found[0].startswith("3月2日") and (len(found) == 2) is asked


def test_a_gathering_named_first_then_what_it_did_is_cut_to_the_gathering():
    from extract.kinds.meetings import named_from_text
    from schemas import Article, Evidence, Meeting

    text = "5月9日，全国县域经济发展论坛发布了《县域经济发展报告》。"
    article = Article(id="x#1", source="x.txt", source_sha256="0" * 64, index=1, text=text)
    m = Meeting(name="全国县域经济发展论坛发布了《县域经济发展报告》",
                evidence=Evidence(quote=text[:-1], start=0, end=len(text) - 1))
    assert named_from_text(m, article).name == "全国县域经济发展论坛"


def test_a_name_followed_by_its_head_office():
    from extract.text.people import officials

    found = officials("何汉翔院长一行四人赴和县调研考察，刘殊陪同。林智坚市长下午现勘工程。")
    assert [(p.name, p.title) for p in found][:2] == [("何汉翔", "院长"), ("林智坚", "市长")]
    # A list of offices is no name: 区委常委、宣传部长、统战部部长刘明江.
    found = officials("区委常委、宣传部长、统战部部长刘明江要求各界人士深入学习。")
    assert [p.name for p in found] == ["刘明江"]
    assert [p.name for p in officials("常务副区长王红参加。")] == ["王红"]


def _meetings_in(text: str, *named: tuple[str, str]):
    """An article of `text` and a meeting for each (name, quote) in it, with its offsets."""
    from schemas import Evidence, Meeting

    article = Article(id="x#1", source="x.txt", source_sha256="0" * 64, index=1, text=text)
    meetings = []
    for name, quote in named:
        start = text.index(quote)
        meetings.append(Meeting(name=name, evidence=Evidence(quote=quote, start=start, end=start + len(quote))))
    return article, meetings


def test_officials_complete_the_meeting_whose_part_of_the_article_names_them():
    from extract.kinds.meetings import add_people

    text = ("全省政府采购工作会议在西宁市召开。省财政厅厅长张光荣出席会议并讲话，副厅长徐珑主持。\n"
            "会后，全省政府采购业务培训班开班。省财政厅采购处处长程丽华作辅导报告。")
    article, (first, second) = _meetings_in(text, ("全省政府采购工作会议", "全省政府采购工作会议在西宁市召开"),
                                            ("全省政府采购业务培训班", "全省政府采购业务培训班开班"))
    add_people([first, second], article)
    assert [p.name for p in first.attendees] == ["徐珑", "张光荣"]  # the chair first
    assert [p.name for p in first.chairs] == ["徐珑"] and second.chairs == []
    assert [p.name for p in second.attendees] == ["程丽华"]


def test_someone_who_speaks_to_the_press_is_no_attendee():
    from extract.kinds.meetings import add_people

    text = ("5月6日，青山区人代会开幕，区长李明代表区政府作工作报告。\n"
            "市发展研究会副会长赵文博对本报记者表示，报告的目标切实可行。\n"
            "赵文博认为，制造业仍是根本。")
    article, (meeting,) = _meetings_in(text, ("青山区人代会", "5月6日，青山区人代会开幕，区长李明代表区政府作工作报告"))
    add_people([meeting], article)
    assert [p.name for p in meeting.attendees] == ["李明"]
    # named in the meeting's own sentence, a speaker to the press still attended
    text2 = "5月6日，区长李明出席青山区招商大会。会后，李明接受记者采访时说，签约项目12个。"
    article, (meeting,) = _meetings_in(text2, ("青山区招商大会", "5月6日，区长李明出席青山区招商大会"))
    add_people([meeting], article)
    assert [p.name for p in meeting.attendees] == ["李明"]


def test_who_presided_is_read_from_the_clause_that_says_so():
    from extract.kinds.meetings import presiding

    assert [p.name for p in presiding("市委副书记、代理市长盛蕾主持会议。")] == ["盛蕾"]
    assert [p.name for p in presiding("会议由区委副书记王红主持，区长李强讲话。")] == ["王红"]
    assert [p.name for p in presiding("县委书记赵刚主持召开县委常委会会议。")] == ["赵刚"]
    assert presiding("区长李强出席并讲话。主持人宣布开会。") == []


def test_a_dateline_is_no_part_of_the_sentence_it_opens():
    from extract.text.lexicon import DATELINE

    for line, rest in [("本报讯（记者 张明远 通讯员 李华）3月2日上午，我区召开", "3月2日上午，我区召开"),
                       ("本报讯 昨天下午，全区", "昨天下午，全区"), ("3月2日上午，我区召开", "3月2日上午，我区召开")]:
        assert line[DATELINE.match(line).end():] == rest


def test_officials_named_before_a_date_or_after_the_unit_they_head():
    found = officials("国务院副总理李克强20日在京出席开幕式。省政府采购中心张健主任就软件应用作了说明。")
    assert [(p.name, p.title) for p in found] == [("李克强", "国务院副总理"), ("张健", "主任")]


def test_an_official_named_by_office_earlier_attends_the_meeting_whose_part_names_him():
    from extract.kinds.meetings import add_people

    text = ("自治区党委书记赵刚一行考察了热电项目。"
            "下午，赵刚参加了工业园区签约仪式。")
    article, (visit, signing) = _meetings_in(text, ("赵刚一行考察热电项目", "自治区党委书记赵刚一行考察了热电项目"),
                                             ("工业园区签约仪式", "下午，赵刚参加了工业园区签约仪式"))
    add_people([visit, signing], article)
    assert [(p.name, p.title) for p in signing.attendees] == [("赵刚", "自治区党委书记")]


def test_a_meetings_date_and_place_are_read_from_its_sentence():
    from extract.kinds.meetings import meeting_date, place_held

    # A year alone (为做好2020年度…) is passed over for the day the gathering was held.
    assert meeting_date("为做好2020年度发行工作，11月14日上午，我区召开工作会议", "2019-11-20") == \
        ("2019-11-14", "11月14日上午")
    assert meeting_date("到2023年，孵化器总面积将超200万平方米", "2019-11-20") == (None, None)
    assert place_held("全省政府采购工作会议在西宁市召开") == "西宁市"
    assert place_held("昨天下午，市人大常委会副主任陈立来临江调研乡村振兴工作") == "临江"
    assert place_held("我区召开全区安全生产工作会议") is None
    # 来…进行专题调研: the place ends before what is done there.
    assert place_held("市领导一行来县科技创业中心进行专题调研") == "县科技创业中心"
    # A time (于5月8日组织召开) or a verb of its own (在京出席…开幕式) is no place.
    assert place_held("镇党委于5月8日组织召开专题组织生活会") is None
    assert place_held("王明12日在京出席第三届城乡发展论坛开幕式") is None


def test_a_gathering_that_is_the_subject_is_not_its_own_convener():
    from extract.kinds.meetings import conveners

    # …推介会在某地举行: the sentence's subject is the gathering, so no convener is said.
    assert conveners("第三届湖滨文旅产业推介会在南湖举行", None) == []
    assert conveners("县委、县政府在县会议中心召开全县招商引资推进会", None) == ["县委、县政府"]
    # A standing committee is a body, though its name ends in 会.
    assert conveners("县人大常委会召开第十次会议", None) == ["县人大常委会"]


def test_a_pointed_meeting_takes_its_place_and_conveners_from_its_sentence():
    from extract.kinds.meetings import build_meeting
    from extract.text.spans import Span
    from schemas import Article
    from schemas.llm import MeetingAnswer

    text = "5月6日上午，县委、县政府在县会议中心召开全县招商引资推进会。"
    article = Article(id="x#1", source="x.txt", source_sha256="0" * 64, index=1, text=text,
                      published="2024-05-07")
    m = build_meeting(MeetingAnswer(id=1, name="全县招商引资推进会"), Span(0, len(text), text), article)
    assert (m.location, m.organizers, m.date) == ("县会议中心", ["县委", "县政府"], "2024-05-06")


def test_the_jurisdiction_is_the_most_specific_division_the_article_speaks_for():
    from extract.places.region import resolve_region
    # A district's own page that names its city first (…市…区) and again later: the district.
    text = "常州市金坛区召开会议。金坛区将新建学校3所，常州市领导出席。"
    assert resolve_region("将新建学校3所", text, None, None) == "金坛区"
    # A city's page that mentions one of its districts in passing: the city.
    text = "常州市召开全市大会。常州市将新建学校30所，金坛区代表发言。"
    assert resolve_region("将新建学校30所", text, None, None) == "常州市"
    # A province named before its city only qualifies it.
    text = "江苏省常州市召开会议，常州市将新建学校30所。"
    assert resolve_region("将新建学校30所", text, None, None) == "常州市"
    # Two unrelated divisions named as often: the first named.
    text = "溧阳市与金坛区签约。溧阳市、金坛区将共建园区2个。"
    assert resolve_region("将共建园区2个", text, None, None) == "溧阳市"


@pytest.mark.parametrize("text, names", [
    # awardees and new members named bare, in a list the tagger reads as names
    ("向张卫东、李晓红、王建国、赵丽娟、孙志刚等5名优秀党员颁发了荣誉证书。",
     ["张卫东", "李晓红", "王建国", "赵丽娟", "孙志刚"]),
    # two names run together where a 、 was lost are two people
    ("表彰了刘海波、陈志远吴国庆、郑晓梅四位同志。", ["刘海波", "陈志远", "吴国庆", "郑晓梅"]),
    # two items only where the text says they are people
    ("周建平、林晓燕等两名同志转为正式党员。", ["周建平", "林晓燕"]),
    ("周建平、林晓燕获得表彰。", []),
    # lists of words, places and firms are no people
    ("会议要求抓好安全、环保、质量、效益等工作。", []),
    ("重点推进金坛、溧阳、武进三地合作。", []),
    ("参展企业有华为、腾讯、阿里巴巴、京东。", []),
    ("出席的有重要、依次、来临等。", []),
])
def test_bare_names_in_a_list(text, names):
    from extract.text.people import listed_names

    assert [p.name for p in listed_names(text)] == names


def test_an_office_then_a_name_whatever_word_follows():
    # 以及 is in no list of words that end a name: the tagger reads the name
    got = officials("县委书记王海涛、副县长陈建明以及县发改委负责同志陪同调研。")
    assert [(p.name, p.title) for p in got] == [("王海涛", "县委书记"), ("陈建明", "副县长")]
    # an office of its own ending in 长 is an office (董事长, 秘书长)
    got = officials("青山集团董事长周国平等企业代表参加活动。")
    assert [(p.name, p.title) for p in got] == [("周国平", "青山集团董事长")]


@pytest.mark.parametrize("text, names", [
    # a given name ending in a character that ends bodies, right before the office held
    ("省财政厅采购管理处吕文省处长首先介绍了全省情况", ["吕文省"]),
    # a place before an office is no name
    ("会上，江苏省省长出席并讲话", []),
])
def test_a_name_before_its_office_may_end_like_a_body(text, names):
    assert [p.name for p in officials(text)] == names
