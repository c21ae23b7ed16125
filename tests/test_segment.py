"""Cleaning and segmentation: gold article titles found, no furniture, no content lost."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from extract.ingest.clean import Line, clean_text, drop_furniture, is_furniture, join_broken, to_lines
from extract.ingest.read import Document, read_document
from extract.text.script import to_simplified
from extract.ingest.segment import segment
from tests.shared import SEED_GOLD, needs

REPO = Path(__file__).resolve().parents[1]
GOLD = SEED_GOLD  # in ../shared (tests/shared.py)

needs_gold = needs(GOLD)


def _norm(text: str | None) -> str:
    return re.sub(r"[\W_]+", "", to_simplified(text or ""))


def _gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def _doc(text: str, source: str = "page.txt") -> Document:
    return Document(source=source, sha256="0" * 64, text=text, fmt="txt", encoding="utf-8")


def _matches(gold_title: str, title: str | None) -> bool:
    return fuzz.partial_ratio(_norm(gold_title), _norm(title)) >= 80


# --------------------------------------------------------------------------- seeds against gold


@needs_gold
def test_gold_articles_found_and_no_furniture_articles() -> None:
    found = total = 0
    extra: list[str] = []
    for page in _gold():
        articles = segment(read_document(REPO / "seeds" / page["source"]))
        titles = [a.title for a in articles]
        gold_titles = [g["title"] for g in page["articles"]]
        total += len(gold_titles)
        found += sum(any(_matches(g, t) for t in titles) for g in gold_titles)
        extra += [f"{page['source']}: {t}" for t in titles if not any(_matches(g, t) for g in gold_titles)]
    print(f"segmentation: {found}/{total} gold articles found")
    assert found >= 19
    assert extra == [], "articles that are not in the gold list (furniture?)"


@needs_gold
def test_gold_quotes_survive_cleaning() -> None:
    missing = []
    for page in _gold():
        texts = [re.sub(r"\s+", "", a.text) for a in segment(read_document(REPO / "seeds" / page["source"]))]
        for kind in ("policies", "targets", "meetings"):
            for item in page[kind]:
                quote = re.sub(r"\s+", "", item["evidence"]["quote"])
                if not any(quote in text for text in texts):
                    missing.append(f"{page['source']} {kind}: {item['evidence']['quote']}")
    assert missing == []


def test_seed_articles_fields() -> None:
    pages = {p.name[:3]: segment(read_document(p)) for p in sorted((REPO / "seeds").glob("*.txt"))}
    for articles in pages.values():
        assert [a.index for a in articles] == list(range(1, len(articles) + 1))
        for a in articles:
            assert a.id == f"{Path(a.source).stem}#{a.index}"
            if not a.title.startswith("(上接"):
                assert _norm(a.text.split("\n")[0]) in _norm(a.title)  # the headline heads the text
            assert not is_furniture(a.title)
    assert {a.script for a in pages["002"]} == {"hant"} and {a.script for a in pages["000"]} == {"hans"}
    assert {a.outlet for a in pages["002"] + pages["003"]} == {"金坛时报"}
    assert (pages["001"][0].published, pages["001"][0].outlet) == ("2022-02-08", "常州日报")
    first = pages["000"][0].text
    assert "其中百亿元企业集团10家" in first  # a page-break split joined
    assert "政策解读" not in first and "陈玲" in first  # column banner dropped, byline kept
    assert "下轉第二版" not in pages["002"][0].text and "金壇時報" not in pages["002"][0].text
    assert "详见" not in pages["003"][-1].text and "综合新闻" not in pages["003"][-1].text


def test_continued_article_is_an_article() -> None:
    (article,) = [a for a in segment(read_document(REPO / "seeds" / "000_022c8c979c5708e9.txt")) if a.index == 6]
    assert article.title.startswith("(上接第一版)面向科技前沿")
    assert article.text.startswith("面向科技前沿") and "上接" not in article.text


# --------------------------------------------------------------------------- general rules


PAGE = """
南山日报

数字报
APP下载

主办：中共南山县委 主管部门：南山县委宣传部

县政府召开全县安全生产工作会议

本报讯 昨天上午，县政府召开全县安全生产工作会议。会议要求，到2025年，全县安全生产事故起数下降
30%，各乡镇要压实责任。（下转第二版）

我县举办农民丰收节
——十个乡镇同台展示

本报讯（记者 王五）9月23日，我县在文化广场举办农民丰收节，各乡镇展示了特色农产品。

李四

经济观察

（上接第一版）

各部门要加强检查，坚决遏制重特大事故发生，确保全年安全生产形势稳定。

▶ 详见二版

责任编辑：赵六
"""


def test_general_newspaper_page() -> None:
    articles = segment(_doc(PAGE))
    assert [a.title for a in articles] == [
        "县政府召开全县安全生产工作会议",
        "我县举办农民丰收节 ——十个乡镇同台展示",
        "（上接第一版）各部门要加强检查，坚决遏制重特大事故发生，确保全年安全生产形势稳定",
    ]
    assert {a.outlet for a in articles} == {"南山日报"}  # the masthead names the outlet
    first, second, third = (a.text for a in articles)
    assert "下降30%，各乡镇要压实责任。" in first and "下转" not in first
    assert second.startswith("我县举办农民丰收节\n——十个乡镇同台展示\n\n本报讯")
    assert "经济观察" not in second and "李四" in second
    assert "详见" not in third and "责任编辑" not in third and "上接" not in third
    for furniture in ("南山日报", "数字报", "APP下载", "主办"):
        assert all(furniture not in a.text for a in articles)


def test_single_plain_article_without_lead() -> None:
    (article,) = segment(_doc("关于加强招商引资工作的意见\n\n为进一步提高招商引资工作水平，推动招大引强，特提出如下意见。\n\n一、总体要求\n\n坚持项目为王。"))
    assert article.title == "关于加强招商引资工作的意见"
    assert "一、总体要求" in article.text


def test_subheadings_do_not_split_an_article() -> None:
    text = (
        "全区冲刺四季度\n\n本报讯 记者在各园区采访，所到之处项目加快建设，呈现一派热火朝天的景象。\n\n"
        "紧盯项目，打好发展的基础\n\n区工信局负责人表示，前三季度我区完成工业实际投入161.52亿元，同比增长12.05%。\n\n"
        "稳中快进，构筑新优势\n\n区商务局负责人表示，我区在稳的基调下，快的良好态势持续显现。"
    )
    (article,) = segment(_doc(text))
    assert article.title == "全区冲刺四季度" and "稳中快进，构筑新优势" in article.text


def test_join_broken_paragraphs() -> None:
    lines = to_lines("到2025年，在我区实现年应税销售收入十亿元企业100家，其\n\n中百亿元企业集团10家；上市公司20家。\n\n新段落开始了。")
    assert [ln.text for ln in join_broken(lines)] == [
        "到2025年，在我区实现年应税销售收入十亿元企业100家，其中百亿元企业集团10家；上市公司20家。",
        "新段落开始了。",
    ]
    # A short unterminated line between paragraphs is a subheading, unless the page marks headings.
    sub = to_lines("上一段结束。\n\n紧盯项目打好基础\n\n区工信局负责人表示，前三季度我区完成工业实际投入。")
    assert len(join_broken(sub)) == 3
    assert len(join_broken(sub, marked=True)) == 2
    # A photo credit is not a sentence cut by a page break.
    credit = to_lines("一百余户企业在会上对接交流，现场气氛热烈。 姜辉 摄\n\n本次对接会由省工信厅主办，市政府承办。")
    assert len(join_broken(credit)) == 2


@pytest.mark.parametrize(
    "line",
    ["金壇時報", "数字微报", "微信公众号", "金坛手机台", "APP下载", "主办：中共某县委 主管部门：某县委宣传部",
     "责任编辑：张三", "（下转第二版）", "▶ 详见二版", "时报评论", "发布时间：2011-04-19 发布人：", "2015-07-21 17:36:12 某某网",
     "|", "http://example.com/a.html", "原标题：某某"],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    ["县政府召开全县安全生产工作会议", "本报讯 昨天上午，县政府召开会议。", "（上接第一版）", "2013年10月10日", "全力冲刺四季度",
     "会议要求，到2025年全县高新技术企业达到100家。", "《政风热线》直播预告"],
)
def test_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_clean_text_keeps_content_and_drops_furniture() -> None:
    text = "金坛时报\n\n主办：某某 主管部门：某某\n\n会议强调，要推进项目建设，今年全区计划实施重点项目，其\n\n中工业项目30个。（下转第二版）\n\n版面编辑：某某"
    assert clean_text(text) == "会议强调，要推进项目建设，今年全区计划实施重点项目，其中工业项目30个。"


def test_drop_furniture_keeps_blank_line_structure() -> None:
    lines = drop_furniture([Line("第一段。"), Line("责任编辑：张三", gap=True), Line("第二段。")])
    assert [(ln.text, ln.gap) for ln in lines] == [("第一段。", False), ("第二段。", True)]
