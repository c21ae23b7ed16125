"""Separately described meetings, found by rule: "区领导分别参加…民主生活会" followed by one
paragraph per leader ("区委副书记刘国新参加了茅山…民主生活会，要求…"). Each is its own
meeting (spec §2); a small model tends to merge them into one.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from extract.candidates import sentences
from extract.lexicon import GATHERING_KINDS
from extract.people import officials
from extract.script import to_simplified, to_simplified_chars
from schemas import Article, Evidence, Meeting, Person

_ATTENDS = re.compile(
    r"^(?P<who>[^，。；]{2,40}?)(?:参加了|出席了|参加|出席|主持召开了|主持召开|召开了)"
    r"(?P<name>[^，。；]{4,50}?(?:" + GATHERING_KINDS + "))"
)


def separate_meetings(article: Article) -> list[Meeting]:
    """Meetings each attended by one named official, when the article lists two or more."""
    simple = to_simplified_chars(article.text)
    found: list[Meeting] = []
    for sent in sentences(simple):
        m = _ATTENDS.match(sent.text)
        if not m:
            continue
        people = officials(m.group("who") + "，")
        if len(people) != 1:
            continue
        start, end = sent.start, sent.start + m.end()
        found.append(Meeting(
            name=to_simplified(m.group("name")),
            attendees=[Person(name=people[0].name, title=people[0].title)],
            evidence=Evidence(quote=article.text[start:end], start=start, end=end),
        ))
    return found if len(found) >= 2 else []


_UMBRELLA_TIME = re.compile(r"(连日来|近日|日前|近期|昨天|昨日|今天|上周|本周)[，,]?[^。]{0,8}?分别")


def merge(model_meetings: list[Meeting], separate: list[Meeting], text: str = "") -> list[Meeting]:
    """Replace the model's umbrella meeting(s) by the separately described ones; they share the
    umbrella's time ("连日来，区领导分别参加…")."""
    if not separate:
        return model_meetings
    m = _UMBRELLA_TIME.search(to_simplified(text))
    umbrella_time = m.group(1) if m else None
    time_text = next((m.time_text for m in model_meetings if m.time_text), None)
    for s in separate:
        s.time_text = s.time_text or time_text or umbrella_time

    kept = [m for m in model_meetings
            if not any(fuzz.partial_ratio(m.name, s.name) >= 60 for s in separate)]
    return kept + separate
