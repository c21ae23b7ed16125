"""Fuzz (issues 25 and 38), seeded and bounded: random bytes, HTML and Markdown for `read` and
`run`, random and damaged JSON Lines for every command that reads run, gold or decisions files
(`eval`, `diff`, `review`, `review --curate --rejected`, `gold build`, `load`). Never a
traceback; exit codes only those documented; a refusal is one line and writes nothing; outputs
always whole records with valid evidence offsets, and a gold `gold build` writes is one `eval`
reads.

Property-based in spirit without a new dependency: each case comes from `random.Random(seed)`,
so a failure names its seed and replays exactly.
"""
from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.ingest.read import ReadError, document_from_bytes
from extract.ingest.segment import segment
from schemas import Record
from tests.fake_llm import RICH_ARTICLE, synthetic_page

WORDS = ["本报讯", "到2025年", "全区", "规模以上工业企业", "力争达到", "120家", "。", "，", "《实施方案》",
         "区委", "召开", "会议", "\n", "\n\n", " ", "<", ">", "&amp;", "&#x4e2d;", "【1】", "#", "*", "`",
         "繁體字", "\u3000", "\u200b", "\ufeff", "\r\n", "…", "—", "<br>", "</p>"]
TAGS = ["p", "div", "h1", "h2", "h3", "span", "script", "style", "svg", "table", "tr", "td", "a", "br", "nav",
        "footer", "title", "meta", "li", "ul"]


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n))


def _html(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.4 and depth < 5:
            tag = rng.choice(TAGS)
            attrs = rng.choice(["", ' class="x"', " id='y'", ' style="display:none"', ' href="/a?b=1&c=2"'])
            close = f"</{tag}>" if rng.random() < 0.8 else ""  # unclosed tags too
            parts.append(f"<{tag}{attrs}>{_html(rng, depth + 1)}{close}")
        elif r < 0.5:
            parts.append(rng.choice(["<!--", "-->", "<![CDATA[", "<!DOCTYPE html>", "</", "<p", "&", "&#99999999;"]))
        else:
            parts.append(_text(rng, rng.randint(1, 30)))
    return "".join(parts)


def _markdown(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 20)):
        prefix = rng.choice(["", "# ", "## ", "### ", "- ", "> ", "1. ", "```", "---", "| a | b |"])
        lines.append(prefix + _text(rng, rng.randint(0, 20)))
    head = "---\ntitle: " + _text(rng, 3) + "\ndate: " + rng.choice(["2021-02-19", "昨天", "2021-13-45", ""]) + \
        "\n---\n" if rng.random() < 0.4 else ""
    return head + "\n".join(lines)


def _page(rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["bytes", "html", "md", "txt", "gb18030", "utf16"])
    if kind == "bytes":
        return "page.txt", bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 400)))
    if kind == "html":
        return "page.html", _html(rng).encode("utf-8")
    if kind == "md":
        return "page.md", _markdown(rng).encode("utf-8")
    if kind == "gb18030":
        data = bytearray(_text(rng, 40).encode("gb18030", errors="replace"))
        if data and rng.random() < 0.5:
            data[rng.randrange(len(data))] = 0xFF  # a stray byte
        return "page.txt", bytes(data)
    if kind == "utf16":
        return "page.txt", _text(rng, 30).encode(rng.choice(["utf-16", "utf-16-le"]))
    return "page.txt", _text(rng, rng.randint(0, 80)).encode("utf-8")


@pytest.mark.parametrize("seed", range(120))
def test_reading_random_pages_never_raises_more_than_a_read_error(seed):
    rng = random.Random(seed)
    name, data = _page(rng)
    try:
        articles = segment(document_from_bytes(data, name))
    except ReadError:
        return
    for n, a in enumerate(articles, 1):
        assert a.index == n and a.text.strip() and a.id.endswith(f"#{n}")
        json.dumps(a.model_dump(), ensure_ascii=False)


@pytest.mark.parametrize("seed", range(12))
def test_read_command_on_random_files(tmp_path, seed):
    rng = random.Random(1000 + seed)
    paths = []
    for i in range(3):
        name, data = _page(rng)
        p = tmp_path / f"{i}_{name}"
        p.write_bytes(data)
        paths.append(str(p))
    out = tmp_path / "articles.jsonl"
    result = CliRunner().invoke(app, ["read", *paths, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    # Nothing read (every file unreadable): no output is written at all.
    for line in (out.read_text(encoding="utf-8").splitlines() if out.exists() else []):
        assert json.loads(line)["text"]


@pytest.mark.parametrize("seed", range(6))
def test_run_on_random_pages_writes_whole_records_with_valid_offsets(fake_llm, tmp_path, seed):
    rng = random.Random(2000 + seed)
    pages = []
    for i in range(3):
        name, data = _page(rng)
        if rng.random() < 0.5:  # mix in text the fake server answers with items
            data = (RICH_ARTICLE.format(n=rng.randint(1, 999)) + synthetic_page(1, 2)).encode("utf-8") + data[:200]
            name = f"rich{i}.txt"
        p = tmp_path / f"{i}_{name}"
        p.write_bytes(data)
        pages.append(str(p))
    out = tmp_path / "run.jsonl"
    result = CliRunner().invoke(app, ["run", *pages, "-o", str(out), "--base-url", fake_llm.base_url,
                                      "--model", "fake", "--no-cache", "--timeout", "5"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if not out.exists():
        return
    data = out.read_bytes()
    assert not data or data.endswith(b"\n")
    for line in data.decode("utf-8").splitlines():
        rec = Record.model_validate_json(line)
        text = rec.article.text
        for item in [*rec.policies, *rec.targets, *rec.meetings]:
            ev = item.evidence
            assert 0 <= ev.start <= ev.end <= len(text) and text[ev.start:ev.end] == ev.quote


GOOD_RECORD = {"article": {"id": "a#1", "source": "d/a.txt", "source_sha256": "0" * 64, "index": 1,
                           "text": "本报讯 到2025年，全区规模以上工业企业力争达到120家。"},
               "policies": [], "meetings": [],
               "targets": [{"metric": "规模以上工业企业", "value": 120, "unit": "家", "deadline_year": 2025,
                            "evidence": {"quote": "力争达到120家", "start": 21, "end": 29}}],
               "run": {"engine": "e", "model": "m", "prompt_version": "v"}, "errors": []}


GOOD_GOLD_TARGETS = [{"metric": "规模以上工业企业", "value": 120, "unit": "家", "deadline_year": 2025,
                      "evidence": {"quote": "力争达到120家"}}]
GOOD_GOLD_MEETINGS = [{"name": "全区大会", "attendees": [{"name": "张三", "title": "区长"}],
                       "evidence": {"quote": "全区规模以上"}, "optional": True}]


def _mutate(rng: random.Random, value):
    r = rng.random()
    if isinstance(value, dict) and value and r < 0.5:
        value = dict(value)
        key = rng.choice(list(value))
        choice = rng.random()
        if choice < 0.3:
            del value[key]
        elif choice < 0.7:
            value[key] = _mutate(rng, value[key])
        else:
            value[key] = rng.choice([None, 1, -1, 1.5, "x", [], {}, True, "2025-13", [None], {"a": 1}])
        return value
    if isinstance(value, list) and value and r < 0.5:
        return [_mutate(rng, v) for v in value] + ([rng.choice([None, 1, "x", {}])] if rng.random() < 0.3 else [])
    return value if r < 0.8 else rng.choice([None, 0, "", [], {}, "一二三", 10**30, -0.0])


def _jsonl(rng: random.Random) -> bytes:
    lines = []
    clean = rng.random() < 0.3  # only whole records: the commands' own work, not their refusals
    for _ in range(rng.randint(0, 6)):
        r = 0.3 + 0.2 * rng.random() if clean else rng.random()
        if r < 0.3:
            lines.append(json.dumps(_mutate(rng, GOOD_RECORD), ensure_ascii=False))
        elif r < 0.5:  # whole records, some of another file with the same name
            rec = json.loads(json.dumps(GOOD_RECORD))
            rec["article"]["source"] = rng.choice(["d/a.txt", "e/a.txt", "a.txt", "/abs/d/a.txt"])
            lines.append(json.dumps(rec, ensure_ascii=False))
        elif r < 0.65:
            lines.append(json.dumps(_mutate(rng, {"source": rng.choice(["a.txt", "d/a.txt", "", 1]),
                                                  "targets": _mutate(rng, GOOD_GOLD_TARGETS),
                                                  "meetings": _mutate(rng, GOOD_GOLD_MEETINGS),
                                                  "articles": rng.choice([[], [{"index": 1}], [{"title": "x"}],
                                                                          "x"])}), ensure_ascii=False))
        elif r < 0.8:
            lines.append(json.dumps(GOOD_RECORD, ensure_ascii=False)[: rng.randint(0, 80)])  # torn
        elif r < 0.9:
            lines.append(rng.choice(["[]", "null", "1", '"s"', "{}", "", "   "]))
        else:
            lines.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 30))).decode("latin-1"))
    return "\n".join(lines).encode("utf-8", errors="surrogateescape") + (b"\n" if rng.random() < 0.7 else b"")


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("command", ["eval", "eval --errors", "diff", "review", "review --curate", "load"])
def test_run_file_commands_on_random_jsonl(tmp_path, seed, command):
    rng = random.Random(3000 + seed)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(_jsonl(rng))
    b.write_bytes(_jsonl(rng) if rng.random() < 0.5 else (json.dumps(GOOD_RECORD, ensure_ascii=False) + "\n").encode())
    out = tmp_path / "review.html"
    rejected = tmp_path / "gold.rejected.jsonl"
    rejected.write_bytes(_decisions(rng))
    args = {"eval": ["eval", str(a), str(b)], "eval --errors": ["eval", "--errors", str(a), str(b)],
            "diff": ["diff", str(a), str(b)], "review": ["review", str(a), "--against", str(b), "-o", str(out)],
            "review --curate": ["review", str(b), "--curate", "--rejected", str(rejected), "-o", str(out)],
            "load": ["load", str(a), str(b), "--db", str(tmp_path / "x.db")]}[command]
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"seed {seed}: {type(result.exception).__name__}: {result.exception}"
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        lines = [x for x in result.stderr.strip().splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        assert not out.exists()


def _decision(kind: str = "targets") -> dict:
    """A decision on GOOD_RECORD's item as the curation page exports it."""
    import hashlib

    item = GOOD_RECORD["targets"][0]
    return {"article": "a#1", "source": "d/a.txt",
            "text_sha256": hashlib.sha256(GOOD_RECORD["article"]["text"].encode()).hexdigest(),
            "kind": kind, "key": "T-1", "evidence": dict(item["evidence"]), "decision": "accept",
            "item": json.loads(json.dumps(item))}


def _decisions(rng: random.Random) -> bytes:
    lines = []
    clean = rng.random() < 0.4  # only whole decisions: the command's own work, not its refusals
    for _ in range(rng.randint(0, 5)):
        r = rng.random() * (0.35 if clean else 1)
        if r < 0.35:
            d = _decision()
            d["decision"] = rng.choice(["accept", "accept", "reject", "edit", "add"])
            lines.append(json.dumps(d, ensure_ascii=False))
        elif r < 0.75:
            d = _mutate(rng, _decision())
            if isinstance(d, dict) and rng.random() < 0.3:
                d["decision"] = rng.choice(["reject", "edit", "add", None, "maybe", 1])
            lines.append(json.dumps(d, ensure_ascii=False))
        elif r < 0.85:
            lines.append(json.dumps(_decision(), ensure_ascii=False)[: rng.randint(0, 60)])  # torn
        else:
            lines.append(rng.choice(["[]", "null", "{}", "", "  ", '{"decision": "accept"}']))
    return "\n".join(lines).encode("utf-8") + (b"\n" if rng.random() < 0.7 else b"")


@pytest.mark.parametrize("seed", range(40))
def test_gold_build_on_random_decisions(tmp_path, seed):
    rng = random.Random(4000 + seed)
    run = tmp_path / "run.jsonl"
    run.write_bytes(_jsonl(rng) if rng.random() < 0.3 else (json.dumps(GOOD_RECORD, ensure_ascii=False) + "\n").encode())
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_bytes(_decisions(rng))
    gold = tmp_path / "gold.jsonl"
    old = None
    if rng.random() < 0.3:  # an existing gold the build must not shrink
        old = json.dumps({"source": "d/a.txt", "articles": [{"index": 1}], "targets": GOOD_GOLD_TARGETS * 2},
                         ensure_ascii=False).encode() + b"\n"
        gold.write_bytes(old)
    result = CliRunner().invoke(app, ["gold", "build", str(run), str(decisions), "-o", str(gold)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"seed {seed}: {type(result.exception).__name__}: {result.exception}"
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = [x for x in result.stderr.strip().splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        assert (gold.read_bytes() == old) if old is not None else not gold.exists()
        return
    # What gold build writes, eval reads.
    from extract.review.match import load_side

    assert load_side(gold).is_gold or not gold.read_bytes().strip()
