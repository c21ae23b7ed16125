"""Digest pages (要闻简报, 简讯, 动态): each short news item is an article; bullet lists are not.

Every page here is made up for the test.
"""
from __future__ import annotations

import re

import pytest

from extract.ingest.read import Document, document_from_bytes
from extract.ingest.segment import segment
from extract.text.script import to_simplified


def _doc(text: str) -> Document:
    return Document(source="page.txt", sha256="0" * 64, text=text, fmt="txt", encoding="utf-8")


DIAMONDS = """东川日报

◆ 3月2日，县委书记王明主持召开县委常委会会议，传达学习全省经济工作会议精神，研究部署一季度重点工作。

◆ 县政府与青禾新能源公司签约 3月4日，县政府与青禾新能源公司举行战略合作签约仪式，双方将在储能电池领域开展合作，项目总投资12亿元。

◆ 县人大常委会召开第十四次会议

县人大常委会第十四次会议日前召开，会议听取了县政府关于优化营商环境工作情况的报告，副县长李华作说明。"""

BRIEFS = """西岭县召开全县农业农村工作会议

本报讯 2月26日，西岭县召开全县农业农村工作会议，总结去年工作，部署今年任务。会议要求，到2025年，全县高标准农田面积达到30万亩。

要闻简报

● 县领导走访慰问困难老党员 2月27日，县委副书记陈刚走访慰问城关镇困难老党员，送去慰问金和生活用品。

● 西岭县举办春季招聘会：2月28日，县人社局在体育馆举办春季招聘会，86家企业提供就业岗位2300余个。

● 县政协召开主席会议。县政协主席会议2月28日召开，协商讨论年度协商计划，政协主席赵敏主持会议。"""

NEWS_IN_BRIEF = """简讯

本报讯（记者 周琳）3月5日，北塘区召开优化营商环境工作推进会，区长孙伟出席会议并讲话，要求各部门压实责任。

本报讯 日前，北塘区与江南大学签订产学研合作协议，双方将共建智能制造研究院，首批合作项目8个。

本报讯（通讯员 吴涛）3月6日上午，北塘区举行重点项目集中开工仪式，12个项目总投资56亿元。"""

TITLED_ITEMS = """工作动态

市场监管局开展春季食品安全检查

市场监管局日前组织执法人员对全区学校食堂开展食品安全专项检查，共检查食堂48家，督促整改问题15个。

区文旅局举办非遗展演活动

区文旅局在滨河公园举办非遗展演活动，十余个非遗项目集中亮相，吸引市民3000余人次观看。"""

DIGESTS = [
    (DIAMONDS, [
        "3月2日，县委书记王明主持召开县委常委会会议，传达学习全省经济工作会议精神，研究部署一季度重点工作",
        "县政府与青禾新能源公司签约",  # a short head before a space
        "县人大常委会召开第十四次会议",  # a title line over its body
    ], ["◆", "◆", "◆"]),
    (BRIEFS, [
        "西岭县召开全县农业农村工作会议",  # the article above the digest's heading stays whole
        "县领导走访慰问困难老党员",
        "西岭县举办春季招聘会",  # a head before a colon
        "县政协召开主席会议",  # a first sentence that is a title
    ], ["西岭县召开", "●", "●", "●"]),
    (NEWS_IN_BRIEF, [
        "3月5日，北塘区召开优化营商环境工作推进会，区长孙伟出席会议并讲话，要求各部门压实责任",
        "日前，北塘区与江南大学签订产学研合作协议，双方将共建智能制造研究院，首批合作项目8个",
        "3月6日上午，北塘区举行重点项目集中开工仪式，12个项目总投资56亿元",
    ], ["本报讯（记者", "本报讯 日前", "本报讯（通讯员"]),
    (TITLED_ITEMS, ["市场监管局开展春季食品安全检查", "区文旅局举办非遗展演活动"], ["市场监管局开展", "区文旅局举办"]),
]


def _spans(page: str, articles) -> list[tuple[int, int]]:
    """Each article's text as a verbatim slice of the page, in page order, none overlapping."""
    spans, cursor = [], 0
    for a in articles:
        start = page.find(a.text, cursor)
        assert start >= 0, f"{a.id}: text is not a slice of the page: {a.text[:30]}"
        spans.append((start, start + len(a.text)))
        cursor = start + len(a.text)
    return spans


@pytest.mark.parametrize("page, titles, openings", DIGESTS, ids=["diamonds", "briefs-heading", "benbaoxun", "title-lines"])
def test_digest_items_are_articles(page: str, titles: list[str], openings: list[str]) -> None:
    articles = segment(_doc(page))
    assert [a.title for a in articles] == titles
    assert [a.index for a in articles] == list(range(1, len(articles) + 1))
    assert [a.id for a in articles] == [f"page#{n}" for n in range(1, len(articles) + 1)]
    for a, (start, end), opening in zip(articles, _spans(page, articles), openings):
        assert page[start:end] == a.text and a.text.startswith(opening)
        assert to_simplified(re.sub(r"\W", "", a.title)) in re.sub(r"\W", "", a.text)  # its title is its own
    # Nothing of the items is lost; the digest's heading and the masthead are no article text.
    text = "".join(a.text for a in articles)
    for item in re.findall(r"[^\n]{40,}", page):
        assert item in text
    assert all(heading not in a.text for a in articles for heading in ("要闻简报", "东川日报", "简讯\n", "工作动态"))


def test_items_headed_by_their_headline_and_lead() -> None:
    # A title line over a date lead is already an article's start; the item above it is one too.
    html = ("<html><head><title>东川新闻网-要闻简报</title></head><body>"
            "<p>◆ 3月2日，县委书记王明主持召开县委常委会会议，传达学习全省经济工作会议精神，研究部署一季度重点工作。</p>"
            "<p>◆ <strong>县政府与青禾新能源公司签约</strong></p>"
            "<p>3月4日，县政府与青禾新能源公司举行战略合作签约仪式，双方将在储能电池领域开展合作，项目总投资12亿元。</p>"
            "</body></html>")
    articles = segment(document_from_bytes(html.encode(), "page.html"))
    assert [a.title for a in articles] == [
        "3月2日，县委书记王明主持召开县委常委会会议，传达学习全省经济工作会议精神，研究部署一季度重点工作",
        "县政府与青禾新能源公司签约",
    ]
    assert articles[0].text.startswith("◆ 3月2日") and articles[1].text.startswith("◆ 县政府")


BULLET_LISTS = {
    "enumeration": """南川区出台稳就业十条措施

本报讯 近日，南川区出台《关于做好稳就业工作的十条措施》，从四个方面支持企业稳岗扩岗。

● 一是加大稳岗返还力度，3月底前对不裁员或少裁员的企业按规定返还失业保险费，预计惠及企业1200家。

● 二是支持企业吸纳高校毕业生就业，每招用一人给予一次性补贴2000元，全年补贴资金不少于500万元。

● 三是开展职业技能培训，全年培训城乡劳动者5000人次以上，培训合格率达到90%以上。""",
    "short bullets": """北湖区优化营商环境新举措

本报讯 3月8日，北湖区发布优化营商环境新举措，围绕企业开办、项目审批和融资服务推出一揽子服务。

● 企业开办一日办结

● 工业项目拿地即开工

● 首贷续贷绿色通道

区行政审批局负责人表示，新举措将于4月1日起施行。""",
    "plan points": """关于加快推进开放型经济发展的实施意见

为进一步扩大对外开放，推动开放型经济高质量发展，近日，市政府印发实施意见。主要目标如下：

■ 招商引资取得新突破

到2025年，全市累计引进总投资超10亿元的产业项目80个，其中超50亿元项目10个，实际利用内资年均增长8%以上。

■ 对外贸易实现新提升

到2025年，全市进出口总额达到1500亿元，跨境电商交易额年均增长15%，培育外贸综合服务企业20家。

■ 平台能级得到新增强

开发区、综合保税区等开放平台作用更加凸显，力争建成省级以上特色产业园区5个，打造一批外资集聚区。""",
    "deadline bullets": """东湖镇部署人居环境整治

本报讯 昨天上午，东湖镇召开人居环境整治推进会，对下阶段工作作出安排，镇党委书记何平出席会议。

▲ 6月30日前，各村完成生活垃圾分类设施改造，实现分类收集点全覆盖，镇环卫所负责督查考核。

▲ 9月30日前，完成农村户厕改造800座，同步建设污水处理设施，镇农业农村办负责验收。""",
}


@pytest.mark.parametrize("name", list(BULLET_LISTS))
def test_bullet_list_stays_one_article(name: str) -> None:
    page = BULLET_LISTS[name]
    (article,) = segment(_doc(page))
    assert article.title == page.split("\n")[0]
    assert article.text == page  # the whole page, bullets and all


def test_single_marker_line_does_not_cut() -> None:
    page = """东川县召开安全生产工作会议

本报讯 3月2日，东川县召开安全生产工作会议，部署全年安全生产工作。

◆ 3月3日，县安委办召开专题会议，要求各乡镇3月底前完成一轮安全隐患大排查，检查结果纳入年度考核。

会议强调，要压实企业主体责任。"""
    (article,) = segment(_doc(page))
    assert article.title == "东川县召开安全生产工作会议" and article.text == page


def test_marker_items_of_two_articles_do_not_make_a_digest() -> None:
    # One bullet in each of two articles: each is counted in its own article, so neither is cut.
    first = "南山县召开全县安全生产工作会议\n\n本报讯 3月2日，南山县召开全县安全生产工作会议，部署全年安全生产工作。\n\n" \
            "● 3月3日，县安委办召开专题会议，要求各乡镇3月底前完成一轮安全隐患大排查，检查结果纳入年度考核。"
    second = "我县举办农民丰收节\n\n本报讯 9月23日，我县在文化广场举办农民丰收节，各乡镇展示了特色农产品。\n\n" \
             "● 9月24日，县农业农村局组织专家为参展农户开展技术培训，来自十个乡镇的农户200余人参加培训。"
    articles = segment(_doc(first + "\n\n" + second))
    assert [a.text for a in articles] == [first, second]
