"""Fault matrix: every endpoint misbehaviour ends in a good record after bounded retries, or in a
record with a precise error; the batch always finishes with every article written.

Real code path throughout: LLMClient → instructor → openai SDK → HTTP → tests/fake_llm.py.
Small timeouts and backoffs keep the whole file to a few seconds of waiting.
"""
from __future__ import annotations

import json
import socket
import time

import pytest
from typer.testing import CliRunner

from extract.api import Options
from extract.cli import app
from schemas import Record
from tests.fake_llm import RICH_ARTICLE, extract_files, synthetic_page

FAST = dict(timeout_s=1.0, transport_attempts=3, max_backoff_s=0.05, reasks=1)
TRANSPORT = ["429", "500", "502", "503", "reset", "hang", "truncated"]
ANSWER = ["badjson", "schema"]




@pytest.fixture
def page(tmp_path):
    p = tmp_path / "in" / "page.txt"
    p.parent.mkdir()
    p.write_text(synthetic_page(1, 3), encoding="utf-8")
    return p


def _rich_page(tmp_path):
    """A page with a target, a policy and meetings: every kind is asked."""
    p = tmp_path / "rich.txt"
    p.write_text(RICH_ARTICLE.format(n=300), encoding="utf-8")
    return p


def _valid(records: list[dict]) -> None:
    for r in records:
        Record.model_validate(r)


@pytest.mark.parametrize("fault", TRANSPORT)
def test_transport_fault_once_is_retried(fake_llm, page, tmp_path, fault):
    fake_llm.hang_s = 3.0
    fake_llm.script(fault)
    summary, records = extract_files(fake_llm.base_url, [page], tmp_path / "out.jsonl", **FAST)
    assert len(records) == 3 and summary.done == 3
    assert all(not r["errors"] and len(r["targets"]) == 1 for r in records)
    assert summary.retries == 1 and summary.llm_failures == 0
    assert summary.requests == 4 and fake_llm.requests["targets"] == 4
    assert sorted(r["run"]["requests"] for r in records) == [1, 1, 2]
    _valid(records)


def test_retry_after_is_honoured(fake_llm, page, tmp_path):
    fake_llm.script("429:1")
    t0 = time.monotonic()
    summary, records = extract_files(fake_llm.base_url, [page], tmp_path / "out.jsonl",
                                     **{**FAST, "max_backoff_s": 5.0})
    assert 1.0 <= time.monotonic() - t0 < 4.0
    assert summary.retries == 1 and all(not r["errors"] for r in records)


def test_retry_after_is_capped_by_max_backoff(fake_llm, page, tmp_path):
    fake_llm.script("429:30")
    t0 = time.monotonic()
    summary, records = extract_files(fake_llm.base_url, [page], tmp_path / "out.jsonl", **FAST)
    assert time.monotonic() - t0 < 5.0
    assert summary.retries == 1 and all(not r["errors"] for r in records)


@pytest.mark.parametrize("fault", ANSWER)
def test_bad_answer_once_is_reasked(fake_llm, tmp_path, fault):
    p = _rich_page(tmp_path)
    fake_llm.script(fault, kind="policies")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **FAST)
    assert not r["errors"] and len(r["policies"]) == 1 and len(r["targets"]) == 1 and r["meetings"]
    assert fake_llm.reasks["policies"] == 1 and fake_llm.requests["policies"] == 2
    assert summary.retries == 0
    _valid([r])


def test_a_verdict_that_is_neither_yes_nor_no_is_that_clauses_error_only(fake_llm, tmp_path):
    # One clause's question answered with neither 是 nor 否 (and no log-probabilities to read):
    # that clause goes unjudged with a precise error; a re-ask at temperature 0 would say the same.
    p = _rich_page(tmp_path)
    fake_llm.script("badjson", kind="targets")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **FAST)
    assert [e["stage"] for e in r["errors"]] == ["llm:targets"]
    assert "neither 是 nor 否" in r["errors"][0]["message"] and r["errors"][0]["transient"] is False
    assert r["targets"] == [] and len(r["policies"]) == 1 and r["meetings"]
    assert fake_llm.reasks["targets"] == 0 and fake_llm.requests["targets"] == 1


def test_invented_ids_are_dropped_without_a_reask(fake_llm, page, tmp_path):
    fake_llm.always("invent", kind="targets")  # every answer adds an id that was never marked
    summary, records = extract_files(fake_llm.base_url, [page], tmp_path / "out.jsonl", **FAST)
    assert all(not r["errors"] and len(r["targets"]) == 1 for r in records)
    assert fake_llm.reasks["targets"] == 0 and summary.requests == 3


def test_a_meeting_at_an_unmarked_sentence_is_dropped_without_a_reask(fake_llm, tmp_path):
    p = _rich_page(tmp_path)
    fake_llm.always("invent", kind="meetings")  # every answer adds a meeting at 【99】
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **FAST)
    assert not r["errors"] and r["meetings"]
    assert all(m["name"] != "虚构峰会" for m in r["meetings"])
    assert fake_llm.reasks["meetings"] == 0 and summary.requests == 3


# The previous meeting format (the model copies the sentence and the people) is still an option.
QUOTED = dict(FAST, options=Options(meeting_answers="quote"))
POINTED = dict(FAST, options=Options(meeting_answers="point"))


def test_invented_quote_once_is_reasked(fake_llm, tmp_path):
    p = _rich_page(tmp_path)
    fake_llm.script("invent", kind="quoted_meetings")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **QUOTED)
    assert not r["errors"] and r["meetings"]
    assert all("月球" != m["location"] for m in r["meetings"])
    assert fake_llm.reasks["quoted_meetings"] == 1 and summary.requests == 4


def test_invented_quotes_every_time_end_in_an_error(fake_llm, tmp_path):
    p = _rich_page(tmp_path)
    fake_llm.always("invent", kind="quoted_meetings")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **QUOTED)
    assert [e["stage"] for e in r["errors"]] == ["llm:quoted_meetings"]
    message = r["errors"][0]["message"]
    assert "still invalid after 2 attempts" in message and "quote" in message and "does not occur" in message
    assert r["meetings"] == [] and len(r["targets"]) == 1 and len(r["policies"]) == 1
    assert summary.llm_failures == 1


# fault → (words the error message must hold, requests per article)
PERSISTENT = {
    "429": (["429", "rate limited"], 3),
    "500": (["500"], 3),
    "502": (["502"], 3),
    "503": (["503"], 3),
    "reset": (["Connection error"], 3),
    "truncated": (["Connection error"], 3),
    "hang": (["timed out"], 2),
    # A verdict is one token, so a reply cut at max_tokens is no fault of its own.
    "badjson": (["neither 是 nor 否"], 1),
}


@pytest.mark.parametrize("fault", sorted(PERSISTENT))
def test_persistent_fault_gives_precise_error(fake_llm, tmp_path, fault):
    words, per_article = PERSISTENT[fault]
    p = tmp_path / "page.txt"
    p.write_text(synthetic_page(1, 2), encoding="utf-8")
    fake_llm.hang_s = 3.0
    fake_llm.always(fault)
    settings = {**FAST, "transport_attempts": 2} if fault == "hang" else FAST
    # The breaker off: every article meets the fault (tests/test_rerun.py: the breaker on).
    summary, records = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", concurrency=2,
                                     batch={"breaker": 0}, **settings)
    assert len(records) == 2 and summary.done == 2
    for r in records:
        assert r["targets"] == [] and len(r["errors"]) == 1
        err = r["errors"][0]
        assert err["stage"] == "llm:targets"
        assert all(w in err["message"] for w in words), err["message"]
        assert err["transient"] is (fault in TRANSPORT)
        if per_article is not None:
            assert r["run"]["requests"] == per_article
    assert summary.llm_failures == 2 and summary.article_errors == 2
    if fault in TRANSPORT:
        assert summary.retries == 2 * (per_article - 1)
    else:
        assert summary.retries == 0
    _valid(records)


@pytest.mark.parametrize("fault, words", [("badjson", "Invalid JSON"), ("schema", "Field required"),
                                          ("length", "max_tokens")])
def test_reasks_setting_bounds_model_answers(fake_llm, tmp_path, fault, words):
    p = _rich_page(tmp_path)
    fake_llm.always(fault, kind="policies")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **FAST)
    assert [e["stage"] for e in r["errors"]] == ["llm:policies"] and words in r["errors"][0]["message"]
    # a cut answer is not re-asked (a single document cannot be split); a bad one is, once
    assert fake_llm.requests["policies"] == (1 if fault == "length" else FAST["reasks"] + 1)
    assert len(r["targets"]) == 1 and r["meetings"]


def test_failure_in_one_kind_keeps_the_others(fake_llm, tmp_path):
    p = _rich_page(tmp_path)
    fake_llm.always("503", kind="policies")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **FAST)
    assert [e["stage"] for e in r["errors"]] == ["llm:policies"]
    assert r["policies"] == [] and len(r["targets"]) == 1 and r["meetings"]
    assert summary.llm_failures == 1 and summary.retries == 2


def test_mixed_faults_under_concurrency(fake_llm, tmp_path):
    """Every fault at once, spread over kinds, 4 articles in flight: all written, all grounded."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"rich{i}.txt").write_text(RICH_ARTICLE.format(n=300 + i), encoding="utf-8")
    fake_llm.hang_s = 3.0
    fake_llm.script("503", "reset", "invent", "429", kind="targets")
    fake_llm.script("truncated", "schema", "502", kind="policies")
    # One answer-shaping fault per kind: with articles in flight at once, two of them could meet
    # the same article and use up its one reask (covered by the single-article tests).
    fake_llm.script("hang", "500", kind="meeting_held")
    summary, records = extract_files(fake_llm.base_url, [folder], tmp_path / "out.jsonl", concurrency=4,
                                     **{**FAST, "transport_attempts": 4})
    assert len(records) == 6 and summary.done == 6
    assert summary.retries == 7 and summary.llm_failures == 0
    for r in records:
        assert not r["errors"] and len(r["targets"]) == 1 and len(r["policies"]) == 1 and r["meetings"]
        text = r["article"]["text"]
        for item in r["targets"] + r["policies"] + r["meetings"]:
            ev = item["evidence"]
            assert text[ev["start"]:ev["end"]] == ev["quote"]
    _valid(records)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_endpoint_down_at_start_without_breaker(tmp_path):
    """Nothing listens on the port, breaker off: every article is written with a transient
    connection error, exit 1 (with the breaker: tests/test_rerun.py)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(synthetic_page(1, 2), encoding="utf-8")
    (folder / "b.txt").write_text(synthetic_page(3, 1), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["run", str(folder), "-o", str(out), "--base-url",
                                      f"http://127.0.0.1:{_free_port()}/v1", "--model", "fake",
                                      "--timeout", "1", "-j", "3", "--no-cache", "--breaker", "0"])
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3
    for r in records:
        assert [e["stage"] for e in r["errors"]] == ["llm:targets"]
        assert "Connection error" in r["errors"][0]["message"] and r["errors"][0]["transient"]
    assert "failed model calls: 3" in result.stderr
    assert "with errors 3" in result.stderr


BYLINE_PAGE = ("区委召开全区安全生产工作会议\n\n本报讯（记者 张明远）3月2日上午，我区召开全区安全生产工作会议，"
               "区长王红出席会议并讲话，区委副书记李强主持。\n")


def test_people_come_from_the_meetings_text_without_the_reporter(fake_llm, tmp_path):
    p = tmp_path / "byline.txt"
    p.write_text(BYLINE_PAGE, encoding="utf-8")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **FAST)
    assert not r["errors"] and len(r["meetings"]) == 1
    m = r["meetings"][0]
    assert m["evidence"]["quote"].startswith("3月2日上午，我区召开全区安全生产工作会议，区长王红")
    assert [(a["title"], a["name"]) for a in m["attendees"]] == [("区长", "王红"), ("区委副书记", "李强")]
    assert [a["name"] for a in m["chairs"]] == ["李强"]


def test_a_reporter_listed_as_attendee_is_sent_back_with_the_reason(fake_llm, tmp_path):
    p = tmp_path / "byline.txt"
    p.write_text(BYLINE_PAGE, encoding="utf-8")
    fake_llm.script("byline", kind="quoted_meetings")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **QUOTED)
    assert fake_llm.reasks["quoted_meetings"] == 1  # the first answer named the reporter: reasked
    assert not r["errors"] and r["meetings"]
    names = {a["name"] for m in r["meetings"] for a in m["attendees"]}
    assert "张明远" not in names and "王红" in names


def test_an_answer_cut_at_max_tokens_is_asked_again_in_parts(fake_llm, tmp_path):
    """A long attendee list or a looping small model cuts the answer at max_tokens: the
    request is split (meeting sentences or document marks in halves) and nothing is
    lost; only a part that cannot be split further ends as an error."""
    p = tmp_path / "page.txt"
    p.write_text("我区推进工业经济发展\n\n3月2日上午，我区召开全区工业经济高质量发展大会。\n\n"
                 "3月3日下午，我区召开全区优化营商环境推进会。\n\n"
                 "到2025年，全区规模以上工业企业力争达到300家，高新技术企业达到800家。\n", encoding="utf-8")
    fake_llm.script("length", kind="meetings")  # a cut answer is not re-asked: split at once
    # Meetings listed in one answer (the "point" format), which a long list can cut.
    summary, [record] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **POINTED)
    assert record["errors"] == []
    assert sorted(t["value"] for t in record["targets"]) == [300, 800]
    assert len(record["meetings"]) == 2
    # One cut request, then one request per half; one question per target clause.
    assert fake_llm.requests["meetings"] == 1 + 2 and fake_llm.requests["targets"] == 2
    print(f"requests after cuts: {dict(fake_llm.requests)}")


def test_a_gathering_still_to_be_arranged_without_a_date_is_no_meeting(fake_llm, tmp_path):
    # The fake answers every sentence with meeting wording as a meeting; code keeps the one held
    # and the one announced with a date, and drops the one a policy only plans.
    p = tmp_path / "planned.txt"
    p.write_text("青山区出台支持会展业发展措施\n\n本报讯 3月2日上午，我区召开全区会展工作会议。"
                 "支持在园区优先安排举办文化、体育等重大活动和会议展览。区政府将于4月8日召开全区招商大会。\n", encoding="utf-8")
    summary, [r] = extract_files(fake_llm.base_url, [p], tmp_path / "out.jsonl", **FAST)
    assert not r["errors"]
    quotes = [m["evidence"]["quote"] for m in r["meetings"]]
    assert any("召开全区会展工作会议" in q for q in quotes) and any("4月8日召开全区招商大会" in q for q in quotes)
    assert not any("安排举办" in q for q in quotes)
