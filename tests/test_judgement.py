"""Judgement as probabilities: reading a decision's probability from the answer tokens, the
calibrated confidence on every item, the cut, and the boolean fallback for endpoints without
log-probabilities."""
from __future__ import annotations

import json
import math

import pytest

import extract
from extract.kinds.judgement import CALIBRATION_FILE, Calibrator, calibration, confidence, logit, threshold
from extract.llm.logprobs import attach, decisions
from extract.review.match import KINDS
from extract.llm.prompting import PROMPTS_DIR
from schemas.llm import PolicyAnswer, PolicyAnswers

PAGE = ("全区工业经济工作会议召开\n\n本报讯 昨天上午，区委、区政府召开全区工业经济工作会议。"
        "会议提出，到2027年，全区规模以上工业企业力争达到500家，上市公司达到20家。"
        "一季度，全区完成固定资产投资320亿元，同比增长8.5%。\n")


def _tok(token: str, alts: list[tuple[str, float]]) -> dict:
    """One token as llama.cpp's server reports it (OpenAI format)."""
    chosen = dict(alts).get(token, 1.0)
    return {"token": token, "logprob": math.log(chosen), "bytes": list(token.encode()),
            "top_logprobs": [{"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in alts]}


def _answer_tokens(verdicts: list[tuple[int, float]], key: str = "is_target") -> list[dict]:
    """`{"items": [{"id": k, "<key>": …}, …]}` tokenised as Qwen does, with P(true) per item."""
    toks = [_tok('{"', []), _tok("items", []), _tok('":', []), _tok(' [{"', [])]
    for n, (k, p) in enumerate(verdicts):
        if n:
            toks.append(_tok(' {"', []))
        toks += [_tok("id", []), _tok('":', []), _tok(" ", []), _tok(str(k), [(str(k), 0.97), ("9", 0.03)]),
                 _tok(",", []), _tok(' "', []), _tok("is", []), _tok(key[2:], []), _tok('":', [])]
        word = " true" if p >= 0.5 else " false"
        toks.append(_tok(word, [(" true", p * 0.98), (" false", (1 - p) * 0.98), (" yes", 0.02)]))
        toks.append(_tok("}," if n < len(verdicts) - 1 else "}]}", []))
    return toks


def test_a_booleans_probability_is_read_from_its_token_and_tied_to_its_id():
    found = decisions({"content": _answer_tokens([(1, 0.7), (2, 0.2), (3, 0.95)])})
    booleans = [(d.item_id, round(d.p, 3)) for d in found if d.key == "is_target"]
    # P(true) / (P(true) + P(false)): the share the model leaves to other tokens (yes) drops out.
    assert booleans == [(1, 0.7), (2, 0.2), (3, 0.95)]
    ids = [(d.item_id, round(d.p, 2)) for d in found if d.key == "id"]
    assert ids == [(1, 0.97), (2, 0.97), (3, 0.97)]


def test_probabilities_attach_by_id_not_by_position():
    # The answer lists the items out of order and leaves one out; each gets its own id's p.
    found = decisions({"content": _answer_tokens([(3, 0.9), (1, 0.1)], key="is_policy")})
    answer = PolicyAnswers(items=[PolicyAnswer(id=1, is_policy=False), PolicyAnswer(id=3, is_policy=True),
                                  PolicyAnswer(id=2, is_policy=True)])
    assert attach(answer, found, "is_policy") == 2
    assert [(a.id, a.p if a.p is None else round(a.p, 2)) for a in answer.items] == [(1, 0.1), (3, 0.9), (2, None)]


def test_a_plain_verdicts_probability_is_read_from_its_first_token():
    from extract.llm.logprobs import first_token_yes, said_yes

    lp = {"content": [_tok("是", [("是", 0.6), ("否", 0.3), ("不是", 0.05), ("好", 0.05)])]}
    assert first_token_yes(lp) == pytest.approx(0.6 / 0.95)  # 不是 counts as 否; 好 drops out
    assert first_token_yes({"content": [_tok("好", [("好", 1.0)])]}) is None
    assert first_token_yes(None) is None
    assert [said_yes(t) for t in ("是", "否", "不是", "Yes", "嗯", None)] == [True, False, False, True, None, None]


def test_no_logprobs_means_no_decisions():
    assert decisions(None) == [] and decisions({"content": None}) == [] and decisions({}) == []


def test_the_probability_is_not_part_of_the_schema_sent_to_the_model():
    schema = json.dumps(PolicyAnswers.model_json_schema())
    assert '"p"' not in schema and "is_policy" in schema


def test_calibrator_is_a_logistic_model_over_named_features():
    cal = Calibrator(("model_logit", "future_sentence"), (1.5, 2.0), -1.0)
    x = {"model_logit": logit(0.8), "future_sentence": 1.0}
    assert cal(x) == pytest.approx(1 / (1 + math.exp(-(-1.0 + 1.5 * math.log(4) + 2.0))))
    assert cal({}) == pytest.approx(1 / (1 + math.exp(1.0)))  # a feature not given counts as 0
    # With a beta map on top: sigmoid(c + a·ln s − b·ln(1 − s)), s the logistic model's value.
    s = cal(x)
    mapped = Calibrator(cal.features, cal.weights, cal.bias, tails=(2.0, 0.5, 0.3))
    assert mapped(x) == pytest.approx(1 / (1 + math.exp(-(0.3 + 2.0 * math.log(s) - 0.5 * math.log(1 - s)))))
    assert Calibrator(cal.features, cal.weights, cal.bias, tails=(1.0, 1.0, 0.0))(x) == pytest.approx(s)


def test_the_shipped_calibration_covers_every_kind_with_a_cut_inside_0_1():
    path = PROMPTS_DIR / CALIBRATION_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data["kinds"]) == set(KINDS) and set(calibration()) == set(KINDS)
    for kind in KINDS:
        assert 0.0 < threshold(kind) < 1.0
        assert "model_logit" in data["kinds"][kind]["with_logprobs"]["weights"]
        assert "model_logit" not in data["kinds"][kind]["boolean"]["weights"]
    # More belief from the model means more confidence, all else equal.
    for kind in KINDS:
        lo = confidence(kind, {"has_logprobs": 1.0, "model_logit": logit(0.02), "model_yes": 1.0})
        hi = confidence(kind, {"has_logprobs": 1.0, "model_logit": logit(0.98), "model_yes": 1.0})
        assert hi > lo, kind


def _run(fake_llm, **options) -> extract.Record:
    with extract.Extractor(base_url=fake_llm.base_url, model="fake", env=False, cache=False,
                           options=extract.Options(**options)) as ex:
        [rec] = ex.extract_text(PAGE, published="2026-01-08")
    return rec


def test_every_item_carries_a_confidence_read_from_logprobs(fake_llm):
    rec = _run(fake_llm, min_confidence=0.0)
    assert rec.run.judgement == "logprobs"
    items = [*rec.targets, *rec.policies, *rec.meetings]
    assert rec.targets and rec.meetings
    assert all(it.confidence is not None and 0.0 <= it.confidence <= 1.0 for it in items)
    # Every quantity clause was a candidate, the report too: code's features set it apart.
    by_value = {t.value: t.confidence for t in rec.targets}
    assert {500, 20, 320} <= set(by_value)
    assert by_value[320] < min(by_value[500], by_value[20])


def test_the_cut_leaves_out_items_under_it(fake_llm):
    everything = _run(fake_llm, min_confidence=0.0)
    nothing = _run(fake_llm, min_confidence=1.0)
    assert everything.targets and not nothing.targets and not nothing.meetings
    default = _run(fake_llm)  # each kind's fitted cut
    assert all(t.confidence >= threshold("targets") for t in default.targets)
    assert {t.value for t in default.targets} < {t.value for t in everything.targets}


def test_an_endpoint_without_logprobs_falls_back_to_the_boolean(fake_llm):
    fake_llm.logprobs = False
    rec = _run(fake_llm, min_confidence=0.0)
    assert rec.run.judgement == "boolean"
    assert rec.targets and all(t.confidence is not None for t in rec.targets)


def test_each_way_of_judging_has_its_own_fitted_cut(fake_llm):
    """An item judged by the boolean alone is cut where the boolean model's F1 peaked, not where
    the log-probability model's did: the two spread their confidences differently."""
    data = json.loads((PROMPTS_DIR / CALIBRATION_FILE).read_text(encoding="utf-8"))
    for kind in KINDS:
        assert threshold(kind) == data["kinds"][kind]["with_logprobs"]["threshold"]
        assert threshold(kind, with_logprobs=False) == data["kinds"][kind]["boolean"]["threshold"]
    fake_llm.logprobs = False
    everything, default = _run(fake_llm, min_confidence=0.0), _run(fake_llm)
    cut = threshold("targets", with_logprobs=False)
    assert {t.value for t in default.targets} == {t.value for t in everything.targets if t.confidence >= cut}
    # The extractor picks the cut by how each item was judged; the user's cut overrides both.
    from extract.run.pipeline import ArticleExtractor, Options
    ex = ArticleExtractor(client=None, options=Options())
    assert ex.cut("targets", {"has_logprobs": 0.0}) == cut
    assert ex.cut("targets", {"has_logprobs": 1.0}) == threshold("targets")
    assert cut != threshold("targets")  # the shipped fit: 0.64 against 0.47
    mine = ArticleExtractor(client=None, options=Options(min_confidence=0.3))
    assert mine.cut("targets", {"has_logprobs": 0.0}) == mine.cut("targets", {"has_logprobs": 1.0}) == 0.3


def test_the_run_summary_says_how_decisions_were_read(fake_llm, tmp_path):
    from typer.testing import CliRunner

    from extract.cli import app
    page = tmp_path / "p.txt"
    page.write_text(PAGE, encoding="utf-8")
    out = CliRunner().invoke(app, ["run", str(page), "--base-url", fake_llm.base_url, "--model", "fake",
                                   "--no-cache", "-o", str(tmp_path / "run.jsonl"), "--min-confidence", "0"])
    assert out.exit_code == 0, out.output
    assert "judgement: log-probabilities (1 articles)" in out.output


def test_the_platt_step_undoes_a_squeezed_logit_and_keeps_the_ranking():
    """Scores whose logits are a third of the truth (what a ridge pulled to its prior gives)
    get a scale near 3; the folded weights rank the items as the unscaled ones did."""
    import numpy as np
    from extract.kinds.fit import fit, fit_scaled, rescale
    rng = np.random.default_rng(0)
    true_z = rng.normal(0, 3, 4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-true_z))).astype(float)
    a, b = rescale(true_z / 3, y)
    assert 2.5 < a < 3.5 and abs(b) < 0.3
    # One feature, a strong ridge: fit_scaled's confidences spread wider than fit's, same order.
    # 100 items, 18 of the rarer label: too few for the beta map, so Platt's step, folded.
    x = rng.normal(-1.0, 1, 100)
    yy = (rng.random(100) < 1 / (1 + np.exp(-4 * x))).astype(float)
    assert min(yy.sum(), 100 - yy.sum()) < 60
    X = np.column_stack([np.ones(100), x])
    pages = np.arange(100) % 10
    w0, (w1, tails) = fit(X, yy, ["f"], l2=200.0), fit_scaled(X, yy, pages, ["f"], l2=200.0)
    assert tails is None and w1[1] > 1.5 * w0[1] > 0
    assert np.array_equal(np.argsort(X @ w0), np.argsort(X @ w1))


def test_the_beta_map_stretches_the_two_ends_of_the_scale_apart():
    """Scores squeezed differently at the low and the high end (the truth is a·ln s − b·ln(1−s)
    with a = 2, b = 0.5): the beta map finds both numbers and fits the labels better than
    Platt's one scale can; where the rarer label is plentiful, fit_scaled ships it."""
    import numpy as np
    from extract.kinds.fit import beta_logit, beta_map, fit_scaled, predict, rescale
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2, 6000)
    truth = 1 / (1 + np.exp(-beta_logit(z, (2.0, 0.5, 0.0))))
    y = (rng.random(6000) < truth).astype(float)
    a, b, c = beta_map(z, y)
    assert abs(a - 2.0) < 0.3 and abs(b - 0.5) < 0.15 and abs(c) < 0.3
    pa, pb = rescale(z, y)
    platt = 1 / (1 + np.exp(-(pa * z + pb)))
    beta = predict(np.array([1.0]), z[:, None], (a, b, c))
    assert np.abs(beta - truth).mean() < 0.5 * np.abs(platt - truth).mean()
    X = np.column_stack([np.ones_like(z), z])
    w, tails = fit_scaled(X, y, np.arange(6000) % 12, ["f"])
    assert tails is not None
    conf = predict(w, X, tails)
    assert np.array_equal(np.argsort(conf, kind="stable"), np.argsort(X @ w, kind="stable"))
