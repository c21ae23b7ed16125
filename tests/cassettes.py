"""vcrpy set-up for cassettes people can review: readable UTF-8 YAML, secrets scrubbed,
requests matched on method, path and JSON body (a changed prompt fails loudly).

Cassettes are recorded from the real embedded model by `python -m tests.record_cassettes`.
"""
from __future__ import annotations

import json
from pathlib import Path

import vcr
import yaml

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

# Headers that identify a machine or an account; never stored, never matched.
SCRUB_REQUEST = ["authorization", "openai-organization", "openai-project", "cookie", "x-api-key",
                 "api-key", "user-agent"]


def _drop_volatile(request):
    for name in list(request.headers):
        if name.lower().startswith("x-stainless") or name.lower() in SCRUB_REQUEST:
            del request.headers[name]
    return request


def _drop_response_headers(response):
    keep = {"content-type"}
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() in keep}
    return response


class ReadableYaml:
    """Bodies stored as parsed JSON, Chinese kept as is (the default escapes it)."""

    @staticmethod
    def serialize(cassette_dict: dict) -> str:
        for inter in cassette_dict["interactions"]:
            for part in (inter["request"], inter["response"]):
                body = part.get("body")
                raw = body.get("string") if isinstance(body, dict) else body
                if isinstance(raw, bytes):
                    raw = raw.decode("utf-8")
                try:
                    parsed = json.loads(raw) if raw else None
                except (TypeError, ValueError):
                    parsed = None
                if parsed is not None:
                    part["body"] = {"json": parsed}
                elif isinstance(body, dict):
                    body["string"] = raw
                else:
                    part["body"] = raw
        return yaml.safe_dump(cassette_dict, allow_unicode=True, sort_keys=False, width=120)

    @staticmethod
    def deserialize(text: str) -> dict:
        data = yaml.safe_load(text)
        for inter in data["interactions"]:
            for key in ("request", "response"):
                part = inter[key]
                body = part.get("body")
                if isinstance(body, dict) and "json" in body:
                    s = json.dumps(body["json"], ensure_ascii=False)
                    part["body"] = s if key == "request" else {"string": s.encode("utf-8")}
                elif key == "response" and isinstance(body, dict) and isinstance(body.get("string"), str):
                    body["string"] = body["string"].encode("utf-8")
        return data


def _json_body(request):
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def body_matcher(r1, r2) -> None:
    if _json_body(r1) != _json_body(r2):
        raise AssertionError("request bodies differ (prompt, schema or text changed)")


def make_vcr(record_mode: str = "none") -> vcr.VCR:
    v = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=["method", "path", "json_body"],
        before_record_request=_drop_volatile,
        before_record_response=_drop_response_headers,
        decode_compressed_response=True,
    )
    v.register_serializer("readable_yaml", ReadableYaml)
    v.register_matcher("json_body", body_matcher)
    v.serializer = "readable_yaml"
    return v


def cassette_path(stem: str) -> str:
    return f"seeds/{stem}.yaml"
