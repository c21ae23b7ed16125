"""Places and keys across articles (records a database can join on).

A reprint (the same article under two sources) must get the same keys, so `extract load` holds
one entity with two mentions and `extract diff`/`review` say "also reported in"; two districts
issuing documents with near-identical titles must stay two entities. The pipeline runs for
real against the fake OpenAI-compatible server; the article is a real seed page's."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from extract import Extractor
from extract.review.diff import also_reported, diff
from extract.places.entities import issuer_division, place, policy_key
from extract.review.match import load_side
from extract.places.gazetteer import lookup
from extract.store import load_files, make_engine
from extract.store import tables as T
from schemas import Article, Record

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_022c8c979c5708e9.txt"


def _first_article() -> str:
    """The first article of a real 金坛时报 page: 区委、区政府 issue a 实施方案 with targets."""
    text = SEED.read_text(encoding="utf-8")
    return text.split("\n陈玲")[0].strip()


def _extract(fake_llm, text: str, outlet: str, source: str) -> Record:
    with Extractor(base_url=fake_llm.base_url, api_key="sk-test", model="fake", cache=False) as ex:
        [record] = ex.extract_text(text, title=None, outlet=outlet, source=source)
    return record


def _write(path: Path, records: list[Record]) -> Path:
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    return path


def test_places_resolve_to_gbt2260_codes():
    d = lookup("金坛区")
    assert place(d).model_dump() == {"code": "320413", "name": "金坛区", "level": "county",
                                     "province": "江苏省", "city": "常州市"}
    assert place(lookup("常州市")).city == "常州市" and place(lookup("江苏省")).province == "江苏省"
    # A Beijing district lies directly in the municipality.
    assert place(lookup("海淀区")).city == "北京市"
    # Bodies belong to the division their name or level gives.
    assert issuer_division("区委", d).code == "320413"
    assert issuer_division("市政府", d).code == "320400"
    assert issuer_division("省财政厅", d).code == "320000"
    assert issuer_division("常州市人民政府", d).code == "320400"
    assert issuer_division("发改局", d).code == "320413"
    # A meeting's location: the most specific division inside the first one named.
    from extract.places.entities import _location_division
    assert _location_division("山西太原", None).name == "太原市"
    assert _location_division("长沙中联重科", None).name == "长沙市"


def test_a_reprint_links_and_a_namesake_from_another_district_does_not(fake_llm, tmp_path):
    text = _first_article()
    original = _extract(fake_llm, text, "金坛时报", "jintan/2021-02-08.txt")
    reprint = _extract(fake_llm, text, "金坛时报", "portal/repost-123.html")
    other = _extract(fake_llm, text.replace("金坛", "溧阳"), "溧阳时报", "liyang/2021-02-09.txt")

    p1, p2, p3 = (next(p for p in r.policies if p.title.endswith("实施方案")) for r in (original, reprint, other))
    assert p1.title == p3.title  # the same title …
    assert p1.place.code == "320413" and p3.place.code == "320481"  # … issued by two divisions
    assert p1.issuer_places[0].code == "320413"
    assert p1.key == p2.key and p1.key != p3.key
    assert {t.key for t in original.targets} == {t.key for t in reprint.targets}
    assert not {t.key for t in original.targets} & {t.key for t in other.targets}
    assert p1.key == policy_key(p1.title, p1.place, p1.issuer_places)

    # The database holds one entity per document with all its mentions.
    run = _write(tmp_path / "run.jsonl", [original, reprint, other])
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert load_files(db, [run]).ok
    engine = make_engine(db)
    with engine.connect() as conn:
        mentions = conn.execute(
            select(T.entities.c.key, func.count(T.policies.c.id), func.count(func.distinct(T.policies.c.article_id)))
            .join(T.policies, T.policies.c.entity_key == T.entities.c.key)
            .where(T.entities.c.kind == "policy").group_by(T.entities.c.key).order_by(T.entities.c.key)).all()
        codes = dict(conn.execute(select(T.places.c.code, T.places.c.name)).all())
    engine.dispose()
    per_key = {k: (n, articles) for k, n, articles in mentions}
    assert per_key[p1.key] == (2, 2) and per_key[p3.key] == (1, 1)
    assert codes["320413"] == "金坛区" and codes["320481"] == "溧阳市"

    # diff and review say where else an entity is reported.
    side = load_side(str(run))
    elsewhere = also_reported(side)
    assert elsewhere[p1.key] == sorted([original.article.id, reprint.article.id])
    assert p3.key not in elsewhere
    report = diff(side, load_side(str(run)))
    refs = {(r.article_id, r.label): r.also_in for sc in report.scopes for p in sc.unchanged
            if p.kind == "policies" for r in [p.b]}
    assert refs[(original.article.id, p1.title)] == [reprint.article.id]
    assert refs[(other.article.id, p3.title)] == []


def test_measures_and_topics_are_grounded_phrases(fake_llm):
    record = _extract(fake_llm, _first_article(), "金坛时报", "jintan/2021-02-08.txt")
    policy = next(p for p in record.policies if p.title.endswith("实施方案"))
    # 《方案》制定了落实举措：一是…四是…；还规定了组织保障：一是…三是…
    assert policy.measures[:4] == ["把准产业发展方向", "培育百亿企业集团", "做大企业总量规模", "支持企业加快发展"]
    assert len(policy.measures) == len(policy.measures_evidence) == 7
    for m, ev in zip(policy.measures, policy.measures_evidence):
        assert record.article.text[ev.start:ev.end] == ev.quote == m
    json.loads(record.model_dump_json())  # still a valid record


def test_every_meeting_of_the_seed_replay_has_a_grounded_topic():
    runs = Path(__file__).resolve().parent / "data" / "runs" / "seeds.jsonl"
    records = [Record.model_validate_json(line) for line in runs.read_text(encoding="utf-8").splitlines()]
    meetings = [(r, m) for r in records for m in r.meetings]
    assert len(meetings) >= 18
    for r, m in meetings:
        assert m.topics and len(m.topics) == len(m.topics_evidence), m.name
        for ev in m.topics_evidence:
            assert r.article.text[ev.start:ev.end] == ev.quote


def test_people_are_no_issuers():
    from extract.kinds.policies import build_policy, policy_candidates

    text = "程丽华在会上介绍说，青海省政府今年制定下发了《关于进一步加强政府采购管理工作的意见》。"
    article = Article(id="x#1", source="x.txt", source_sha256="0" * 64, index=1, text=text)
    [cand] = policy_candidates(text)
    policy = build_policy(cand, ["程丽华"], article, text)
    assert policy.issuers == ["青海省政府"]  # the person dropped, the clause's body taken


import pytest


@pytest.mark.parametrize("text, answered, issuers", [
    # the place that opens the document's own title is no issuer: none is stated
    ("副县长李明通报了《青山县关于加快建设现代农业园区的实施意见》的有关情况。", ["青山县"], []),
    # nor is the office in its number
    ("会上传达了青政发〔2024〕7号《关于做好春季防火工作的通知》。", ["青政发"], []),
    # a body the sentence names outside the title is kept
    ("青山县政府日前印发《青山县关于加快建设现代农业园区的实施意见》。", ["青山县政府"], ["青山县政府"]),
    # 我县 stands for the region, named or not
    ("我县近日出台《关于支持小微企业发展的若干措施》。", ["我县"], []),
])
def test_an_issuer_is_named_outside_the_documents_own_name(text, answered, issuers):
    from extract.kinds.policies import build_policy, policy_candidates

    article = Article(id="x#1", source="x.txt", source_sha256="0" * 64, index=1, text=text)
    [cand] = policy_candidates(text)
    assert build_policy(cand, answered, article, text).issuers == issuers


@pytest.mark.parametrize("text, issuers", [
    # the body whose meeting approved the document issued it
    ("区委常委会召开会议，审议通过了《关于加强基层治理的实施意见》。", ["区委"]),
    ("3月5日，县政协召开常委会议，会议审议通过《县政协2026年协商工作计划》。", ["县政协"]),
    ("市政府第12次常务会议研究通过《关于促进消费的若干政策》。", ["市政府"]),
    ("县人大常委会第五次会议表决通过了《关于加强生态保护的决定》。", ["县人大常委会"]),
    # a gathering with no body named, or a document only studied, has none
    ("会议审议并原则通过了《青山县国土空间总体规划》。", []),
    ("区政府召开常务会议，传达学习了《关于促进消费的若干政策》。", []),
])
def test_a_document_approved_at_a_bodys_meeting_is_issued_by_that_body(text, issuers):
    from extract.kinds.policies import build_policy, policy_candidates

    article = Article(id="x#1", source="x.txt", source_sha256="0" * 64, index=1, text=text)
    [cand] = policy_candidates(text)
    assert build_policy(cand, [], article, text).issuers == issuers


def test_everyday_words_are_no_places():
    from extract.places.gazetteer import mentions

    assert mentions("李克强会见参加论坛的外方主要来宾") == []
    assert [d.code for _, _, d in mentions("来宾市召开大会")] == ["451300"]


# A made-up page: one document set out in prose (asked of the model), one listed 一是…二是…
# (code's job), one only referred to (never asked).
_PROSE = ("近日，青山区委、区政府印发《关于加快发展数字经济的实施意见》。根据安排，全区将重点培育数字企业，建设算力中心。\n"
          "区政府还出台了《关于优化营商环境的若干措施》。《措施》明确了三项任务：一是压缩审批时限；二是降低企业成本；三是加强信用监管。\n"
          "各部门要认真贯彻《关于进一步改进作风的若干规定》精神。")


def test_only_issued_documents_whose_measures_code_cannot_list_are_asked():
    from extract.api import read_text
    from extract.kinds.policies import measure_questions, measures_request, policy_candidates

    [article] = read_text(_PROSE, title=None)
    [q] = measure_questions(article, article.text, policy_candidates(article.text))
    assert q.candidate.title == "关于加快发展数字经济的实施意见"
    text, ids = measures_request(article.text, q)
    # The name, its sentence, then each following sentence marked: the model points, never copies.
    assert text.splitlines()[:3] == ["文件：关于加快发展数字经济的实施意见",
                                     "近日，青山区委、区政府印发《关于加快发展数字经济的实施意见》。",
                                     "【1】根据安排，全区将重点培育数字企业，建设算力中心"]
    assert len(ids) == 1 and all(article.text[u.start:u.end] == u.text for u in ids.values())  # up to the next issued document
    # The rest of the name's own sentence is the first thing it may point at.
    [listed] = read_text("市政府日前发布关于乡村产业振兴、文旅融合发展等两方面实施意见，计划用三年时间补齐农村短板。", title=None)
    qs = measure_questions(listed, listed.text, policy_candidates(listed.text))
    assert [q.candidate.title for q in qs] == ["关于乡村产业振兴的实施意见", "关于文旅融合发展的实施意见"]
    assert measures_request(listed.text, qs[0])[0].endswith("【1】计划用三年时间补齐农村短板")


def test_the_models_measures_are_grounded_phrases_and_code_lists_the_rest(fake_llm):
    record = _extract(fake_llm, _PROSE, "金坛时报", "made-up/prose.txt")
    by_title = {p.title: p for p in record.policies}
    asked = by_title["关于加快发展数字经济的实施意见"]
    # The fake points at the first sentence; code takes its first phrase past 根据安排.
    assert asked.measures == ["全区将重点培育数字企业"]
    listed = by_title["关于优化营商环境的若干措施"]
    assert listed.measures == ["压缩审批时限", "降低企业成本", "加强信用监管"]
    for p in (asked, listed):
        for m, ev in zip(p.measures, p.measures_evidence, strict=True):
            assert record.article.text[ev.start:ev.end] == ev.quote == m
    assert fake_llm.requests["measures"] == 1


def test_a_sentence_never_marked_is_dropped_without_a_reask(fake_llm):
    fake_llm.always("invent", kind="measures")  # every answer adds 【99】
    record = _extract(fake_llm, _PROSE, "金坛时报", "made-up/prose.txt")
    asked = next(p for p in record.policies if p.title == "关于加快发展数字经济的实施意见")
    assert asked.measures == ["全区将重点培育数字企业"] and not record.errors
    assert fake_llm.requests["measures"] == 1 and fake_llm.reasks["measures"] == 0


def test_a_document_name_or_a_bare_amount_is_no_measure():
    from extract.kinds.policies import _is_measure
    from extract.text.spans import Span

    text = "市政府印发《关于加快发展数字经济的实施意见》，将培育数字企业200家，安排资金2.5亿元，宣读表彰奖励决定。"
    name = Span(text.find("《"), text.find("》") + 1, "")
    at = lambda s: Span(text.find(s), text.find(s) + len(s), s)  # noqa: E731
    assert _is_measure(at("将培育数字企业200家"), [name])
    assert not _is_measure(at("加快发展数字经济"), [name])  # part of the document's name
    assert not _is_measure(at("《关于加快发展数字经济的实施意见》"), [])  # a document's name
    assert not _is_measure(at("2.5亿元"), [name])  # an amount says nothing by itself


def test_a_notice_that_is_the_article_reads_past_its_member_list():
    from extract.api import read_text
    from extract.kinds.policies import measure_questions, measures_request, policy_candidates

    notice = ("青山区人民政府办公室关于成立青山区防汛工作领导小组的通知\n\n组 长：王一明\n\n副组长：李二强\n\n"
              "成 员：张三丰（区水利局）\n\n赵四海（区财政局）\n\n领导小组下设办公室，办公室设在区水利局，负责日常工作。")
    [article] = read_text(notice, title=notice.split("\n")[0])
    [q] = measure_questions(article, article.text, policy_candidates(article.text))
    text, ids = measures_request(article.text, q)
    # The headline is the document; its member list is one unit, the sentence after it another.
    assert q.candidate.title == "关于成立青山区防汛工作领导小组的通知"
    assert len(ids) == 2 and ids[1].text.startswith("组 长：王一明") and ids[1].text.endswith("赵四海（区财政局）")
    assert ids[2].text.startswith("领导小组下设办公室")
