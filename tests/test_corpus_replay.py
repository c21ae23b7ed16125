"""The corpus pages (37 real pages the rules were not written for), replayed from cassettes
recorded from the embedded model and scored against their gold. The floors pin what the
recorded model achieved with the current code, so a change that lowers a figure fails; they are
development figures, not a promise for unseen pages. The pages and their gold are read in
../shared (tests/shared.py): without it these tests are skipped, naming the missing folder."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.replay import GOLD, ROOT, page_files, run_pages
from extract.review.evaluate import evaluate
from extract.review.match import load_side
from schemas import Record
from tests.shared import CORPUS, CORPUS_GOLD, SEED_GOLD, SPEC, needs, require

FAKE_KEY = "sk-test-NEVER-WRITE-THIS-KEY-0123456789"

# Measured by this test on the recorded cassettes (benchmarks/RESULTS.md, "Quality: corpus pages").
# Recorded 2026-12-07 with log-probabilities: every quantity clause a candidate asked on its own
# (one 是/否 token), every sentence with a gathering, trip or signing asked the same way, every
# document a verb issues or approves marked; the confidence model fitted on all development
# pages (seeds, corpus, validation table) at its cut: targets P 0.821 R 0.896 F1 0.857 (0.836
# leave-one-source-out); meetings 1.000 / 0.917 / 0.957 (0.957); policies 1.000 / 0.750 / 0.857 (0.909);
# target region 1.00, attendee names 0.84, issuers 0.89, deadline 0.97, meeting date 0.95.
F1_FLOORS = {"targets": 0.85, "policies": 0.85, "meetings": 0.95}
FIELD_FLOORS = {("targets", "region"): 0.99, ("meetings", "attendees"): 0.83, ("policies", "issuers"): 0.88,
                ("meetings", "date"): 0.95, ("targets", "deadline_year"): 0.97}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> Path:
    # Pages that make no request (statistics only, no meeting) have no cassette; a page whose
    # request no cassette holds fails below with an error that says to re-record.
    require(CORPUS, CORPUS_GOLD)
    out = tmp_path_factory.mktemp("run") / "corpus.jsonl"
    run_pages("corpus", out, api_key=FAKE_KEY)
    return out


def test_every_corpus_record_conforms_and_is_grounded(corpus_run):
    recs = [Record.model_validate_json(line) for line in corpus_run.read_text(encoding="utf-8").splitlines()]
    assert {r.article.source.rsplit("/", 1)[-1] for r in recs} == {p.name for p in page_files("corpus")}
    for rec in recs:
        for item in [*rec.policies, *rec.targets, *rec.meetings]:
            assert rec.article.text[item.evidence.start : item.evidence.end] == item.evidence.quote
    assert FAKE_KEY not in corpus_run.read_text(encoding="utf-8")


def test_corpus_scores_at_least_the_pinned_figures(corpus_run):
    report = evaluate(load_side(corpus_run), load_side(GOLD["corpus"]))
    figures = {k: (round(report.types[k].precision, 3), round(report.types[k].recall, 3),
                   round(report.types[k].f1, 3)) for k in F1_FLOORS}
    fields = {f"{k}.{f}": round(report.types[k].fields[f] or 0, 3) for k, f in FIELD_FLOORS}
    print(f"\ncorpus (P, R, F1) from cassettes: {figures}; fields {fields}; "
          f"grounded {report.grounded:.0%}, articles with errors {report.articles_with_errors}")
    assert report.grounded == 1.0
    assert report.articles_with_errors == 0, [
        (a.id, a.errors) for a in load_side(corpus_run).all_articles() if a.errors][:3]
    for kind, floor in F1_FLOORS.items():
        assert report.types[kind].f1 >= floor, f"{kind} F1 {report.types[kind].f1:.3f} < pinned {floor}"
    for (kind, field), floor in FIELD_FLOORS.items():
        value = report.types[kind].fields[field] or 0.0
        assert value >= floor, f"{kind} {field} {value:.3f} < pinned {floor}"


@needs(SEED_GOLD, SPEC)
def test_the_project_copies_of_shared_files_have_not_drifted():
    """The seed gold (tests/data/gold/seeds.jsonl: the seed pages are the project's own, so CI
    scores them with nothing beside the checkout) and the spec the README links
    (docs/extraction-spec.md) are copies of ../shared; they must not have drifted. The corpus
    pages and their gold have no copy here: they are read in ../shared."""
    assert SEED_GOLD.read_bytes() == GOLD["seeds"].read_bytes()
    assert SPEC.read_bytes() == (ROOT / "docs" / "extraction-spec.md").read_bytes()
    assert GOLD["corpus"] == CORPUS_GOLD and json.loads(CORPUS_GOLD.read_text(encoding="utf-8").splitlines()[0])["source"]
    assert not (ROOT / "tests" / "data" / "corpus").exists()
