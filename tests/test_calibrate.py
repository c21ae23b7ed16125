"""Your model, your confidence (issue 41): `extract run --keep-features` keeps what each item's
confidence came from, `extract calibrate` fits the shipped model's form on a user's runs and
curated gold, and `extract run --calibration` uses it. Offline: the seed pages against a test
endpoint whose model judges differently from the embedded one, the seeds gold as the user's."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import extract
from benchmarks.fake_llm import FakeLLM
from extract.cli import app
from extract.kinds.fit import best_cut, f1_at, feature_names, leave_one_page_out
from extract.kinds.judgement import CALIBRATION_FILE, load_calibration
from extract.llm.prompting import PROMPTS_DIR, prompt_version
from extract.review.calibrate import MIN_PER_LABEL
from extract.review.match import KINDS
from extract.run.features import label_key

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "data" / "gold" / "seeds.jsonl"
SHIPPED = json.loads((PROMPTS_DIR / CALIBRATION_FILE).read_text(encoding="utf-8"))
PAGE = ("全区工业经济工作会议召开\n\n本报讯 昨天上午，区委、区政府召开全区工业经济工作会议。"
        "会议提出，到2027年，全区规模以上工业企业力争达到500家，上市公司达到20家。"
        "一季度，全区完成固定资产投资320亿元，同比增长8.5%。\n")


def sharp(kind: str, text: str) -> float:
    """A model surer than the embedded one, and right more often: near 1 on a clause that names
    a goal, near 0 on one that reports, 0.9 on every other yes."""
    if kind != "targets":
        return 0.9
    question = text.rsplit("\n\n", 1)[-1]
    goal = re.search(r"到20\d\d|力争|目标|突破|以上|达到", question)
    report = re.search(r"同比|完成|已|实现了|增长", question)
    return 0.95 if goal and not report else 0.08


def _invoke(*args: str):
    res = CliRunner().invoke(app, [str(a) for a in args])
    return res


@pytest.fixture(scope="module")
def endpoint():
    with FakeLLM(p_true=sharp, models=["sharp", "other"]) as fake:
        yield fake


@pytest.fixture(scope="module")
def rounds(endpoint, tmp_path_factory):
    """run (no cut, features kept) → calibrate on the seeds gold → run again with it."""
    tmp = tmp_path_factory.mktemp("calibrate")
    common = ["--base-url", endpoint.base_url, "--model", "sharp", "--no-cache"]
    first = _invoke("run", SEEDS, *common, "-o", tmp / "mine.jsonl", "--min-confidence", "0", "--keep-features")
    assert first.exit_code == 0, first.output
    fitted = _invoke("calibrate", tmp / "mine.jsonl", "--gold", GOLD, "-o", tmp / "my.calibration.json")
    again = _invoke("run", SEEDS, *common, "-o", tmp / "again.jsonl", "--calibration", tmp / "my.calibration.json")
    assert again.exit_code == 0, again.output
    shipped_cut = _invoke("run", SEEDS, *common, "-o", tmp / "shipped.jsonl")
    assert shipped_cut.exit_code == 0, shipped_cut.output
    return tmp, first, fitted, again


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_keep_features_writes_one_row_per_item_with_the_models_probability(rounds):
    tmp, first, _, _ = rounds
    assert f"features: {tmp / 'mine.features.jsonl'}" in first.output
    rows = _records(tmp / "mine.features.jsonl")
    items = sorted((r["article"]["id"], k, it["evidence"]["start"], it["evidence"]["end"], label_key(k, it),
                    it["confidence"]) for r in _records(tmp / "mine.jsonl") for k in KINDS for it in r[k])
    assert len(items) > 50
    assert sorted((x["article"], x["kind"], x["start"], x["end"], x["label"], x["confidence"]) for x in rows) == items
    targets = [x for x in rows if x["kind"] == "targets"]
    assert {x["p"] for x in targets} == {0.95, 0.08}  # the endpoint's own probabilities
    assert all(x["model"] == "sharp" and x["min_confidence"] == 0.0 and x["calibration"] == SHIPPED["version"]
               and "model_logit" in x["features"] for x in rows)


def test_calibrate_fits_the_users_model_and_keeps_the_shipped_fit_where_the_gold_is_thin(rounds):
    tmp, _, fitted, _ = rounds
    assert fitted.exit_code == 0, fitted.output
    cal = json.loads((tmp / "my.calibration.json").read_text(encoding="utf-8"))
    # The file names what it was fitted for.
    assert cal["model"] == "sharp" and cal["prompt_version"] == prompt_version() and cal["fitted_on"] == ["seeds"]
    assert cal["version"] == load_calibration(tmp / "my.calibration.json").version
    # The seeds gold has 46 target items right and 39 wrong, but no wrong policy and 3 wrong
    # meetings: those two keep the shipped fit, each said in one line.
    assert cal["fallback"] == ["meetings", "policies"]
    for kind in ("meetings", "policies"):
        assert cal["kinds"][kind] == SHIPPED["kinds"][kind]
        [line] = [x for x in fitted.output.splitlines() if x.startswith(f"warning: {kind}:")]
        assert f"at least {MIN_PER_LABEL} right and {MIN_PER_LABEL} wrong" in line and "keeps the shipped fit" in line
    mine, shipped = cal["kinds"]["targets"]["with_logprobs"], SHIPPED["kinds"]["targets"]["with_logprobs"]
    assert mine["weights"] != shipped["weights"] and mine["threshold"] != shipped["threshold"]
    # It prints the leave-one-page-out figures at the cut and the reliability table.
    assert "| set | P | R | F1 at the cut |" in fitted.output and "| confidence | items | mean confidence |" in fitted.output
    assert f"wrote {tmp / 'my.calibration.json'}" in fitted.output


def test_the_cut_is_where_leave_one_page_out_f1_on_the_users_gold_peaks(rounds):
    tmp, _, _, _ = rounds
    done = extract.calibrate_files([tmp / "mine.jsonl"], [GOLD])
    rows = [r for r in done.rows if r.kind == "targets"]
    y = np.array([r.label for r in rows], dtype=float)
    need = sum(q["targets"] for q in done.required.values())
    for variant, with_lp in (("with_logprobs", True), ("boolean", False)):
        lopo = leave_one_page_out(rows, feature_names(rows, with_lp))
        cut = done.calibration["kinds"]["targets"][variant]["threshold"]
        best = max(f1_at(lopo, y, need, c / 100)[2] for c in range(5, 96))
        assert f1_at(lopo, y, need, cut)[2] == pytest.approx(best)
        assert cut == best_cut(lopo, y, need)


def test_run_with_the_calibration_gives_the_users_confidences_and_a_better_f1_on_that_gold(rounds):
    tmp, first, _, again = rounds
    cal = load_calibration(tmp / "my.calibration.json")
    recs = _records(tmp / "again.jsonl")
    assert all(r["run"]["calibration"] == {"version": cal.version, "model": "sharp"} for r in recs)
    assert all("calibration" not in r["run"] for r in _records(tmp / "mine.jsonl"))  # the shipped one: absent
    # The same items, other confidences: the shipped fit's against the user's.
    before = {(r["article"]["id"], t["evidence"]["start"]): t["confidence"] for r in _records(tmp / "mine.jsonl")
              for t in r["targets"]}
    after = {(r["article"]["id"], t["evidence"]["start"]): t["confidence"] for r in recs for t in r["targets"]}
    assert after and all(k in before for k in after)
    assert sum(before[k] != v for k, v in after.items()) > len(after) / 2
    # Its default cut keeps what reaches it, and scores better on that gold than the shipped
    # fit's cut and than keeping every item.
    cut = cal.threshold("targets")
    assert all(v >= cut for v in after.values())
    f1 = {name: extract.evaluate_files(tmp / name, GOLD).types["targets"].f1
          for name in ("again.jsonl", "shipped.jsonl", "mine.jsonl")}
    assert f1["again.jsonl"] > f1["shipped.jsonl"] and f1["again.jsonl"] > f1["mine.jsonl"]
    # Fitted for this model: no warning. The shipped one, fitted for the embedded model, warns.
    assert "fitted for" not in again.output
    assert "the shipped calibration" in first.output and "not sharp" in first.output


def test_a_calibration_for_another_model_warns_once(rounds, endpoint):
    tmp, _, _, _ = rounds
    res = _invoke("run", SEEDS / "000_022c8c979c5708e9.txt", "--base-url", endpoint.base_url, "--model", "other",
                  "--no-cache", "-o", tmp / "other.jsonl", "--calibration", tmp / "my.calibration.json")
    assert res.exit_code == 0, res.output
    warned = [line for line in res.output.splitlines() if "fitted for" in line]
    assert len(warned) == 1 and "model sharp, not other" in warned[0] and "my.calibration.json" in warned[0]


def test_too_little_gold_is_refused_with_one_line(rounds, tmp_path):
    tmp, _, _, _ = rounds
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    thin = tmp_path / "thin.jsonl"
    thin.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    res = _invoke("calibrate", tmp / "mine.jsonl", "--gold", thin, "-o", tmp_path / "thin.calibration.json")
    assert res.exit_code == 2
    [line] = [x for x in res.output.splitlines() if x.strip()]
    assert line.startswith("error: too little gold to fit any kind")
    assert f"at least {MIN_PER_LABEL} right and {MIN_PER_LABEL} wrong items on 3 pages" in line
    assert not (tmp_path / "thin.calibration.json").exists()


def test_calibrate_without_features_says_how_to_get_them(rounds, tmp_path):
    tmp, _, _, _ = rounds
    shutil.copy(tmp / "mine.jsonl", tmp_path / "bare.jsonl")
    res = _invoke("calibrate", tmp_path / "bare.jsonl", "--gold", GOLD, "-o", tmp_path / "c.json")
    assert res.exit_code == 2
    [line] = [x for x in res.output.splitlines() if x.strip()]
    assert "bare.features.jsonl not found" in line and "--keep-features" in line


def test_usage_errors_are_one_line(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text(PAGE, encoding="utf-8")
    res = _invoke("run", page, "--base-url", "http://127.0.0.1:9/v1", "--keep-features")
    assert res.exit_code == 2 and "--keep-features writes beside the output" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    res = _invoke("run", page, "--base-url", "http://127.0.0.1:9/v1", "-o", tmp_path / "o.jsonl", "--calibration", bad)
    assert res.exit_code == 2 and "no fitted kinds" in res.output and not (tmp_path / "o.jsonl").exists()


def test_each_extractor_its_own_calibration(rounds, endpoint, monkeypatch):
    """Two extractors in one process, one with the user's file (by option or by
    EXTRACT_CALIBRATION), one without: each item's confidence by its own extractor's."""
    tmp, _, _, _ = rounds
    monkeypatch.delenv("EXTRACT_CALIBRATION", raising=False)

    def confidences(**kw):
        with extract.Extractor(base_url=endpoint.base_url, model="sharp", cache=False, **kw) as ex:
            [rec] = ex.extract_text(PAGE, published="2026-01-08")
        return {t.value: t.confidence for t in rec.targets}, rec.run.calibration

    path = str(tmp / "my.calibration.json")
    mine, named = confidences(env=False, options=extract.Options(min_confidence=0.0, calibration=path))
    shipped, none = confidences(env=False, options=extract.Options(min_confidence=0.0))
    assert named.model == "sharp" and none is None
    assert mine.keys() == shipped.keys() and mine != shipped
    monkeypatch.setenv("EXTRACT_CALIBRATION", path)
    from_env, named_env = confidences(options=extract.Options(min_confidence=0.0))
    assert from_env == mine and named_env == named
    again, _ = confidences(env=False, options=extract.Options(min_confidence=0.0))
    assert again == shipped  # nothing process-wide was changed
    # Loaded once, it travels with the options (a Ray actor need not see the file).
    import pickle
    options = extract.Options(calibration=load_calibration(path))
    assert pickle.loads(pickle.dumps(options)) == options


def test_the_articles_a_gold_does_not_list_are_left_out_not_wrong(rounds, tmp_path):
    """Gold from a curation page lists the articles reviewed; the run's items in the others
    were never judged, and are no wrong items."""
    tmp, _, _, _ = rounds
    lines = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    lines[0]["articles"] = lines[0]["articles"][:1]
    part = tmp_path / "part.jsonl"
    part.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    whole, partial = extract.calibrate_files([tmp / "mine.jsonl"], [GOLD]), extract.calibrate_files([tmp / "mine.jsonl"], [part])
    source = lines[0]["source"]
    assert 0 < len([r for r in partial.rows if r.page == f"part/{source}"]) < len(
        [r for r in whole.rows if r.page == f"seeds/{source}"])
    assert any("5 articles on 1 pages" in w and "left out" in w for w in partial.warnings)


def test_calibrate_on_the_replayed_seeds_is_the_benchmarks_fit(tmp_path):
    """`extract calibrate` on a replayed run of the embedded model (cassettes) fits what
    benchmarks/calibrate.py fits on the same set: the same library, the same numbers."""
    from benchmarks.calibrate import fit_all
    from benchmarks.replay import run_pages
    from extract.llm.model_file import MODEL_NAME

    out = tmp_path / "seeds.jsonl"
    run_pages("seeds", out, options=extract.Options(min_confidence=0.0, keep_features=True))
    done = extract.calibrate_files([out], [GOLD])
    bench = fit_all(["seeds"], report=lambda line: None)
    assert done.calibration["model"] == MODEL_NAME
    fitted = [k for k in KINDS if k not in done.fallback]
    assert fitted == ["targets"]
    for kind in fitted:
        assert done.calibration["kinds"][kind] == bench["kinds"][kind]


def test_the_readmes_round_trip_runs_as_written(tmp_path, monkeypatch):
    """README "Your own model": each command as written, the endpoint the test one (serving the
    model the README names), the seed pages as `pages/`; the curation in the browser stands in
    as the seeds gold (what `gold build` would write from its decisions). The second run reads
    every answer from the cache."""
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own model", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```bash\n(.*?)```", section, re.S)
    commands = [shlex.split(line.split("  #")[0]) for line in block.strip().splitlines()]
    assert [c[1] for c in commands] == ["run", "review", "gold", "calibrate", "run"]
    model = commands[0][commands[0].index("--model") + 1]
    shutil.copytree(SEEDS, tmp_path / "pages")
    monkeypatch.chdir(tmp_path)
    with FakeLLM(p_true=sharp, models=[model]) as fake:
        for words in commands:
            if words[1:3] == ["gold", "build"]:
                shutil.copy(GOLD, words[words.index("-o") + 1])  # the curated gold
                continue
            args = [fake.base_url if w == "http://localhost:8000/v1" else w for w in words[1:]]
            asked = sum(fake.requests.values())
            res = _invoke(*args)
            assert res.exit_code == 0, f"{' '.join(words)}\n{res.output}"
            if words[1] == "run" and "--calibration" in words:
                assert sum(fake.requests.values()) == asked  # answers from the cache
    cal = json.loads(Path("my.calibration.json").read_text(encoding="utf-8"))
    assert cal["model"] == model and cal["fallback"] == ["meetings", "policies"]
    recs = _records(Path("mine2.jsonl"))
    assert recs and all(r["run"]["calibration"] == {"version": cal["version"], "model": model} for r in recs)


def test_an_item_without_its_features_row_is_named_with_the_fix(rounds, tmp_path):
    tmp, _, _, _ = rounds
    shutil.copy(tmp / "mine.jsonl", tmp_path / "cut.jsonl")
    rows = (tmp / "mine.features.jsonl").read_text(encoding="utf-8").splitlines()
    dropped = next(json.loads(x) for x in rows if json.loads(x)["kind"] == "targets")
    (tmp_path / "cut.features.jsonl").write_text("\n".join(x for x in rows if json.loads(x) != dropped) + "\n",
                                                 encoding="utf-8")
    res = _invoke("calibrate", tmp_path / "cut.jsonl", "--gold", GOLD, "-o", tmp_path / "c.json")
    assert res.exit_code == 2
    [line] = [x for x in res.output.splitlines() if x.strip()]
    assert f"no features kept for targets {dropped['label']!r}" in line and "--force" in line and "--keep-features" in line


def test_the_validation_table_is_written_and_read_in_one_format(tmp_path):
    """The committed table of the validation pages' rows (numbers and labels, no text) read and
    written again by the library is the same file, byte for byte; a set can be read alone."""
    from benchmarks.validation import TABLE
    from extract.review.calibrate import read_table, write_table

    rows, required = read_table(TABLE)
    assert rows and {r.page.split("/")[0] for r in rows} == {"district", "shapes"}
    assert all(r.group == r.page for r in rows)  # each validation page its own source
    assert write_table(tmp_path / "t.jsonl", rows, required) == len(TABLE.read_text(encoding="utf-8").splitlines())
    assert (tmp_path / "t.jsonl").read_bytes() == TABLE.read_bytes()
    district, need = read_table(TABLE, ["district"])
    assert district == [r for r in rows if r.page.startswith("district/")]
    assert need and all(p.startswith("district/") for p in need)


def test_tables_and_groups_on_a_users_run(rounds, tmp_path):
    """`--groups` leaves the pages it groups out together (and counts them as one page); a table
    written from the labelled rows fits on its own as the runs did, its set named by its pages."""
    from extract.review.calibrate import read_table, write_table

    tmp, _, _, _ = rounds
    sources = [json.loads(line)["source"] for line in GOLD.read_text(encoding="utf-8").splitlines()]
    groups = tmp_path / "groups.tsv"
    groups.write_text(f"# two pages of one site\n{sources[0]}\tsite\nseeds/{sources[1]}\tsite\nelsewhere.txt\tx\n",
                      encoding="utf-8")
    done = extract.calibrate_files([tmp / "mine.jsonl"], [GOLD], groups=groups)
    plain = extract.calibrate_files([tmp / "mine.jsonl"], [GOLD])
    assert {r.group for r in done.rows if r.page in (f"seeds/{sources[0]}", f"seeds/{sources[1]}")} == {"seeds/site"}
    assert all(r.group == r.page for r in done.rows if r.page not in (f"seeds/{sources[0]}", f"seeds/{sources[1]}"))
    assert done.counts["targets"][2] == plain.counts["targets"][2] - 1
    assert any("1 sources of the groups file are on no page" in w and "elsewhere.txt" in w for w in done.warnings)
    # The same mapping as JSON.
    (tmp_path / "groups.json").write_text(json.dumps({sources[0]: "site", sources[1]: "site"}), encoding="utf-8")
    assert [r.group for r in extract.calibrate_files([tmp / "mine.jsonl"], [GOLD], groups=tmp_path / "groups.json").rows] \
        == [r.group for r in done.rows]

    table = tmp_path / "rows.jsonl"
    write_table(table, done.rows, done.required)
    rows, required = read_table(table)
    assert [(r.page, r.kind, r.label, r.group) for r in rows] == [(r.page, r.kind, r.label, r.group) for r in done.rows]
    assert required == done.required
    res = _invoke("calibrate", "--table", table, "-o", tmp_path / "t.json", "-q")
    assert res.exit_code == 0, res.output
    cal = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert cal["fitted_on"] == ["seeds"] and cal["items"] == done.calibration["items"]


def test_bad_tables_groups_and_pools_are_one_line(rounds, tmp_path):
    tmp, _, _, _ = rounds
    table = tmp_path / "bad.jsonl"
    table.write_text('{"page": "x/a.txt", "required": {"targets": 1}}\n{"page": "x/a.txt", "kind": "targets"}\n',
                     encoding="utf-8")
    groups = tmp_path / "bad.tsv"
    groups.write_text("a.txt site\n", encoding="utf-8")
    seeds_table = tmp_path / "seeds-rows.jsonl"
    seeds_table.write_text('{"page": "seeds/a.txt", "required": {"targets": 1}}\n', encoding="utf-8")
    for args, said in (
        (["--table", table], f"{table}:2: not a table line (KeyError"),
        ([tmp / "mine.jsonl", "--gold", GOLD, "--groups", groups], f"{groups}:1: not `source<TAB>group`"),
        ([tmp / "mine.jsonl", "--gold", GOLD, "--pool", "v=seeds,shapes"], "pool v names set shapes"),
        ([tmp / "mine.jsonl", "--gold", GOLD, "--pool", "v"], "--pool 'v': give NAME=SET,SET"),
        ([tmp / "mine.jsonl", "--gold", GOLD, "--table", seeds_table], "holds set seeds, given already"),
        ([tmp / "mine.jsonl"], "give at least one run file and one gold file"),
    ):
        res = _invoke("calibrate", *args, "-o", tmp_path / "c.json")
        assert res.exit_code == 2, res.output
        [line] = [x for x in res.output.splitlines() if x.strip()]
        assert said in line, line
    assert not (tmp_path / "c.json").exists()


def test_extract_calibrate_reproduces_the_shipped_fit_from_the_development_runs(tmp_path, monkeypatch, capsys):
    """docs/your-model.md "Reproducing the shipped fit", each command as written (its runs folder
    in tmp): `python -m benchmarks.calibrate --runs-out` replays the seed and corpus pages from
    the cassettes with their features kept and prints the `extract calibrate` command the
    section gives; that command, on those runs, the committed validation table and the corpus
    groups, writes prompts/calibration.json byte for byte. (benchmarks/calibrate.py makes the
    same call in one process: this is its check too.) Refit with `python -m benchmarks.calibrate`
    after re-recording the cassettes or rewriting the table."""
    import os
    import shlex

    from benchmarks import calibrate as bench
    from benchmarks.shared import SHARED
    from tests.shared import CORPUS, CORPUS_GOLD, require
    require(CORPUS, CORPUS_GOLD)

    doc = (ROOT / "docs" / "your-model.md").read_text(encoding="utf-8")
    section = doc.split("## Reproducing the shipped fit", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```bash\n(.*?)```", section, re.S)
    runs = tmp_path / "dev-runs"

    def here(word: str) -> str:
        return word.replace("/tmp/dev-runs", str(runs)).replace("../shared", str(SHARED))

    replay, fit, compare = ([here(w) for w in shlex.split(line)]
                            for line in block.replace("\\\n", " ").strip().splitlines())
    assert replay[:3] == ["python", "-m", "benchmarks.calibrate"] and fit[:2] == ["extract", "calibrate"]
    assert compare[0] == "cmp"
    monkeypatch.chdir(ROOT)
    bench.main(replay[3:])
    printed = shlex.split(capsys.readouterr().out.split("fit with\n", 1)[1])

    def same(words: list[str]) -> list[str]:  # each path as a whole path, however it was written
        # (an output not written yet too: its folder exists)
        return [str(Path(w).resolve()) if os.path.exists(w) or (os.sep in w and os.path.isdir(os.path.dirname(w)))
                else w for w in words]

    assert same(printed) == same(fit)  # the section's command is the one the replay prints
    res = _invoke(*fit[1:])
    assert res.exit_code == 0, res.output
    assert "| validation (pooled) |" in res.output
    assert Path(compare[1]).read_bytes() == Path(compare[2]).read_bytes() == (PROMPTS_DIR / CALIBRATION_FILE).read_bytes()


def test_batch_takes_the_calibration_as_run_does(rounds, endpoint, tmp_path, monkeypatch):
    """`extract batch submit|collect --calibration` (or EXTRACT_CALIBRATION) writes the records
    `extract run --calibration` writes; a calibration fitted for another model warns once; a
    collect with another calibration than its submit's is refused, as another cut is (one
    output, written with one)."""
    tmp, _, _, _ = rounds
    cal = tmp / "my.calibration.json"
    version = load_calibration(cal).version
    page = SEEDS / "000_022c8c979c5708e9.txt"
    ran = {r["article"]["id"]: r for r in _records(tmp / "again.jsonl") if r["article"]["source"].endswith(page.name)}
    monkeypatch.delenv("EXTRACT_CALIBRATION", raising=False)

    def batch(out: Path, model: str, *extra: str):
        common = ["-o", out, "--base-url", endpoint.base_url, "--model", model]
        sub = _invoke("batch", "submit", page, *common, *extra)
        assert sub.exit_code == 0, sub.output
        return _invoke("batch", "collect", *common, *extra)

    res = batch(tmp_path / "b.jsonl", "sharp", "--calibration", cal)
    assert res.exit_code == 0, res.output
    got = {r["article"]["id"]: r for r in _records(tmp_path / "b.jsonl")}
    assert got.keys() == ran.keys() and "fitted for" not in res.output
    for key, rec in got.items():
        assert rec["run"]["calibration"] == {"version": version, "model": "sharp"}
        assert [(t["value"], t["confidence"]) for t in rec["targets"]] == \
            [(t["value"], t["confidence"]) for t in ran[key]["targets"]]
    # By the environment, for another model: the same file, one warning.
    monkeypatch.setenv("EXTRACT_CALIBRATION", str(cal))
    other = batch(tmp_path / "o.jsonl", "other")
    assert other.exit_code == 0, other.output
    warned = [line for line in other.output.splitlines() if "fitted for" in line]
    assert len(warned) == 1 and "model sharp, not other" in warned[0]
    # Submitted with it, collected without: refused, nothing written (another page: the first
    # one's answers are all in the cache, and nothing would be submitted).
    monkeypatch.delenv("EXTRACT_CALIBRATION")
    common = ["-o", tmp_path / "m.jsonl", "--base-url", endpoint.base_url, "--model", "sharp"]
    second = sorted(SEEDS.glob("*.txt"))[1]
    assert "submitted:" in _invoke("batch", "submit", second, *common, "--calibration", cal).output
    res = _invoke("batch", "collect", *common)
    assert res.exit_code != 0 and f"calibration={version!r}" in res.output, res.output
    assert not (tmp_path / "m.jsonl").exists()
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    res = _invoke("batch", "collect", *common, "--calibration", bad)
    assert res.exit_code == 2 and "no fitted kinds" in res.output
