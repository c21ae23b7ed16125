"""Durable JSONL output, prompt versioning and endpoint defaults."""
import json
import shutil

from extract.llm import prompting
from extract.llm.client import default_mode
from extract.run.output import JsonlWriter, record_key, repair_and_scan
from schemas import Article, Record, RunInfo


def _record(index: int) -> Record:
    art = Article(id=f"p#{index}", source="p.txt", source_sha256="ab" * 32, index=index, text="正文")
    return Record(article=art, run=RunInfo(engine="e", model="m", prompt_version="v1"))


def test_torn_last_line_is_cut_and_done_keys_found(tmp_path):
    out = tmp_path / "run.jsonl"
    w = JsonlWriter(out)
    w.write(_record(1))
    w.write(_record(2))
    w.close()
    with out.open("a", encoding="utf-8") as f:
        f.write('{"schema_version": "1", "article": {"id": "p#3"')  # killed mid-write
    keys = repair_and_scan(out)
    assert keys == {record_key("ab" * 32, 1, "v1", "m"), record_key("ab" * 32, 2, "v1", "m")}
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line) for line in lines)


def test_prompt_version_hashes_prompt_files(tmp_path, monkeypatch):
    before = prompting.prompt_version()
    assert len(before) == 12
    copy = tmp_path / "prompts"
    shutil.copytree(prompting.PROMPTS_DIR, copy)
    (copy / "targets.md").write_text((copy / "targets.md").read_text(encoding="utf-8") + "\n改", encoding="utf-8")
    monkeypatch.setattr(prompting, "PROMPTS_DIR", copy)
    prompting.prompt_version.cache_clear()
    try:
        assert prompting.prompt_version() != before
    finally:
        prompting.prompt_version.cache_clear()


def test_messages_put_the_fixed_part_first_and_are_fresh_each_call():
    ps = prompting.prompt_set("targets")
    a, b = ps.messages("甲"), ps.messages("乙")
    assert a[:-1] == b[:-1] and a[-1]["content"] == "甲" and a is not b
    assert a[0]["role"] == "system" and len(a) == 2 + 2 * len(ps.examples)


def test_default_mode_per_endpoint():
    assert default_mode(None) == "tools"
    assert default_mode("https://api.openai.com/v1") == "tools"
    assert default_mode("https://api.deepseek.com/v1") == "json"
    assert default_mode("http://127.0.0.1:8080/v1") == "json_schema"
    assert default_mode("http://localhost:11434/v1") == "json_schema"


def test_people_the_text_does_not_name_are_dropped_not_reasked():
    """A small model copies a few-shot name into a real meeting; re-asked, it tends to drop the
    meeting. The person goes, the meeting stays."""
    from schemas.llm import AnswerContext, QuotedMeetingAnswers
    text = "6月6日，产业投资推介会在武汉举行。市长吴锦出席会议并讲话。"
    answer = QuotedMeetingAnswers.model_validate(
        {"items": [{"name": "产业投资推介会", "quote": "6月6日，产业投资推介会在武汉举行。",
                    "chairs": ["市长吴锦"], "attendees": ["市长吴锦", "华信集团董事长孙浩"]}]},
        context=AnswerContext(text=text))
    assert [m.attendees for m in answer.items] == [["市长吴锦"]]


def test_meetings_at_sentences_never_marked_are_dropped():
    """A pointed answer names the sentence by its 【n】; an id that was not sent is no sentence."""
    from schemas.llm import AnswerContext, MeetingAnswers
    answer = MeetingAnswers.model_validate(
        {"items": [{"id": 1, "name": "产业投资推介会"}, {"id": 7, "name": "虚构峰会"}]},
        context=AnswerContext(ids=frozenset({1, 2})))
    assert [m.name for m in answer.items] == ["产业投资推介会"]


def test_few_shot_examples_are_made_up_not_lifted_from_the_development_pages():
    """No sentence of a few-shot example occurs in a seed page or a gold quote: the examples
    teach the decision, never the answer to a page the figures are measured on. (The corpus
    gold is in ../shared: checked where it is present, and always under CI.)"""
    import re
    from pathlib import Path

    from tests.shared import CORPUS_GOLD, in_ci
    root = Path(__file__).resolve().parent.parent
    texts = [*(root / "seeds").glob("*.txt"), *(root / "tests" / "data" / "gold").glob("*.jsonl")]
    if CORPUS_GOLD.is_file() or in_ci():
        texts.append(CORPUS_GOLD)
    pages = "".join(p.read_text(encoding="utf-8") for p in texts)
    flat = re.sub(r"\s", "", pages)
    files = sorted(prompting.PROMPTS_DIR.glob("*.examples.jsonl"))
    assert any(f.name == "targets.examples.jsonl" for f in files)
    for f in files:
        for user, _ in prompting._read_examples(f):
            for line in user.splitlines():
                sentence = re.sub(r"【\d+】|\s|^(标题|发布日期|问)：", "", line)
                for piece in re.split(r"[，。；]", sentence):
                    assert len(piece) < 8 or piece not in flat, f"{f.name}: {piece!r} is on a development page"
