"""What a database joins on: each item's administrative division (GB/T 2260 code) and a key that
is the same for one document, meeting or goal in every article that reports it.

Runs after the items are built (the last step before writing): regions are names the
gazetteer resolved (extract.places.region), so their divisions are exact lookups. Keys hash the
item's identifying fields after folding script, width and punctuation, so a reprint under
another source, or a follow-up that names the same document, gets the same key; the same
title issued by two districts gets two keys.
"""
from __future__ import annotations

import hashlib
import re

from extract.text.folding import fold_key, fold_title, normalize_unit
from extract.places.gazetteer import LEVELS, Division, by_code, lookup, mentions
from extract.places.region import jurisdiction, resolve_region
from schemas import Article, Meeting, Place, Policy, Record, Target  # noqa: F401 - types

# 区委/市政府/省财政厅/县人大: a body named by its level only belongs to the region's division
# at that level.
_LEVEL_BODY = re.compile(r"^(?:中共)?(省|市|区|县)")


def place(d: Division | None) -> Place | None:
    if d is None:
        return None
    province = by_code(d.province_code)
    city = by_code(d.city_code) if d.city_code else None
    # Districts of 北京/上海/天津/重庆 lie directly in the municipality (no 市辖区 row).
    if city is None and d.level == "county" and province is not None and province.name.endswith("市"):
        city = province
    return Place(code=d.code, name=d.name, level=d.level,  # type: ignore[arg-type]
                 province=province.name if province else None,
                 city=d.name if d.level == "city" else city.name if city else None)


def _division(name: str | None, home: Division | None) -> Division | None:
    if not name:
        return None
    return lookup(name, within=home.code if home else None)


def _at_level(d: Division, level: str) -> Division | None:
    if level == "省":
        return by_code(d.province_code)
    if level == "市":
        if d.level == "city" or (d.level == "province" and d.name.endswith("市")):
            return d
        return by_code(d.city_code) if d.city_code else None
    return d if d.level == "county" else None


def issuer_division(issuer: str, region: Division | None) -> Division | None:
    """The division a body belongs to: the one its name gives (常州市人民政府, 武进区), else the
    region's division at the level the name starts with (区委 → 金坛区, 省财政厅 → 江苏省),
    else the item's region (财政局 in a 金坛 article)."""
    named = mentions(issuer)
    if named and named[0][0] == 0:
        return named[0][2]
    m = _LEVEL_BODY.match(issuer)
    if m and region is not None:
        return _at_level(region, m.group(1))
    return region


def _location_division(location: str | None, home: Division | None) -> Division | None:
    """The division a meeting's location names (金坛, 西宁市会议中心), if any."""
    if not location:
        return None
    named = [d for _, _, d in mentions(location)]
    if named:
        # "山西太原": the most specific division inside the first one named.
        inside = [d for d in named if d.code.startswith(named[0].code.rstrip("0"))]
        return max(inside, key=lambda d: LEVELS.index(d.level))
    return lookup(location.strip(), within=home.code if home else None)


def _key(kind: str, division: Place | None, *parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    digest = hashlib.sha256(f"{kind}\x1f{division.code if division else ''}\x1f{text}".encode()).hexdigest()[:16]
    return f"{kind}-{division.code if division else '000000'}-{digest}"


def policy_key(title: str, place: Place | None, issuer_places: list[Place | None]) -> str:
    """The issuing division is the first issuer's, else the region's."""
    issuing = next((x for x in issuer_places if x is not None), None) or place
    return _key("P", issuing, fold_title(title))


def meeting_key(name: str, date: str | None, place: Place | None) -> str:
    return _key("M", place, fold_title(name), date)


def target_key(metric: str, value: float, unit: str, deadline_year: int | None, place: Place | None) -> str:
    return _key("T", place, fold_key(metric), f"{value:g}", normalize_unit(unit), deadline_year)


def division_place(name: str | None, home: Division | None = None) -> Place | None:
    """The Place a resolved region name stands for."""
    return place(_division(name, home))


def resolve(policies: list[Policy], targets: list[Target], meetings: list[Meeting], article: Article,
            simple: str) -> None:
    """Fill each item's divisions and key in place."""
    home = jurisdiction(simple, article.outlet, article.page_division)
    for t in targets:
        t.place = place(_division(t.region, home))
        t.key = target_key(t.metric, t.value, t.unit, t.deadline_year, t.place)
    for p in policies:
        d = _division(p.region, home)
        p.place = place(d)
        p.issuer_places = [place(issuer_division(i, d)) for i in p.issuers]
        p.key = policy_key(p.title, p.place, p.issuer_places)
    for m in meetings:
        m.place = meeting_place(m.location, simple[m.evidence.start : m.evidence.end], simple, article.outlet,
                                article.page_division)
        m.key = meeting_key(m.name, m.date, m.place)


def meeting_place(location: str | None, clause: str, simple: str, outlet: str | None,
                  page: str | None = None) -> Place | None:
    """Where it was held: the division its location names, else its clause's, else the article's."""
    home = jurisdiction(simple, outlet, page)
    d = _location_division(location, home)
    if d is None:
        d = _division(resolve_region(clause, simple, outlet, page), home)
    return place(d)


def complete(record: Record) -> Record:
    """A record written before divisions and keys existed, given them (`extract load` of an
    older file): the same step, from the fields the record holds."""
    items = [*record.policies, *record.targets, *record.meetings]
    if all(i.key for i in items):
        return record
    from extract.text.script import to_simplified_chars

    copy = record.model_copy(deep=True)
    simple = to_simplified_chars(copy.article.text)
    resolve(copy.policies, copy.targets, copy.meetings, copy.article, simple)
    return copy
