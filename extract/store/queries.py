"""The example queries of docs/database.md, kept here as their single source.

Plain SQL with named parameters (:region, :year, :name) that runs unchanged on SQLite
(also in the sqlite3 shell, with .parameter set) and PostgreSQL. Ordering is total and
spelled out (NULLS LAST) because the two backends sort NULLs differently by default.
A test checks that docs/database.md contains each query verbatim.
"""
from __future__ import annotations

TARGETS_BY_REGION_AND_YEAR = """\
SELECT t.region, t.deadline_year, t.metric, t.comparator, t.value, t.unit,
       a.key AS article, t.quote
FROM targets t
JOIN articles a ON a.id = t.article_id
WHERE t.region = :region AND t.deadline_year = :year
ORDER BY t.metric, t.value, a.key, t.seq;"""

PERSON_MEETINGS = """\
SELECT m.date, m.name AS meeting, m.location, p.title,
       MAX(CASE WHEN ma.role = 'chair' THEN 1 ELSE 0 END) AS chaired,
       a.key AS article
FROM persons p
JOIN meeting_attendees ma ON ma.person_id = p.id
JOIN meetings m ON m.id = ma.meeting_id
JOIN articles a ON a.id = m.article_id
WHERE p.name = :name
GROUP BY m.id, m.date, m.date_sort, m.name, m.location, p.title, a.key
ORDER BY m.date_sort NULLS LAST, m.date NULLS LAST, m.name, a.key, p.title NULLS LAST;"""

POLICIES_WITH_TARGETS = """\
SELECT p.title AS policy, p.region, p.issued, t.metric, t.comparator, t.value, t.unit,
       t.deadline_year, a.key AS article
FROM policies p
JOIN articles a ON a.id = p.article_id
LEFT JOIN targets t ON t.policy_id = p.id
ORDER BY a.key, p.seq, t.seq NULLS LAST;"""

# Which divisions set a target for a metric by a year: one row per goal (entity), with how
# many articles report it. :metric is a LIKE pattern (%上市公司%).
DIVISIONS_WITH_TARGET = """\
SELECT pl.code, pl.name AS division, pl.level, pl.city, pl.province,
       MIN(t.metric) AS metric, t.value, t.unit, t.deadline_year,
       COUNT(DISTINCT t.article_id) AS articles
FROM targets t
JOIN places pl ON pl.code = t.place_code
WHERE t.metric LIKE :metric AND t.deadline_year <= :year
GROUP BY pl.code, pl.name, pl.level, pl.city, pl.province, t.entity_key, t.value, t.unit, t.deadline_year
ORDER BY pl.code, t.deadline_year, t.value, MIN(t.metric);"""

# Documents issued in a division (a city: also its districts and counties) in a year, one row
# per document however many articles report it; the year is the issue date's, else the article's.
DOCUMENTS_ISSUED = """\
SELECT e.key, e.label AS title, pl.name AS division,
       MIN(COALESCE(p.issued, a.published)) AS issued,
       COUNT(DISTINCT p.article_id) AS articles
FROM entities e
JOIN policies p ON p.entity_key = e.key
JOIN articles a ON a.id = p.article_id
JOIN places pl ON pl.code = e.place_code
WHERE e.kind = 'policy' AND (pl.name = :division OR pl.city = :division OR pl.province = :division)
  AND COALESCE(p.issued, a.published, '') LIKE :year || '%'
GROUP BY e.key, e.label, pl.name
ORDER BY MIN(COALESCE(p.issued, a.published)) NULLS LAST, e.label, e.key;"""

# Every article that reports one document, meeting or goal, with the quote and its offsets.
ENTITY_MENTIONS = """\
SELECT e.kind, e.label, a.key AS article, a.source, m.quote, m.quote_start, m.quote_end
FROM entities e
JOIN (SELECT entity_key, article_id, quote, quote_start, quote_end FROM policies
      UNION ALL SELECT entity_key, article_id, quote, quote_start, quote_end FROM targets
      UNION ALL SELECT entity_key, article_id, quote, quote_start, quote_end FROM meetings) m
  ON m.entity_key = e.key
JOIN articles a ON a.id = m.article_id
WHERE e.key = :key
ORDER BY a.key, m.quote_start;"""

QUERIES: dict[str, str] = {
    "targets_by_region_and_year": TARGETS_BY_REGION_AND_YEAR,
    "person_meetings": PERSON_MEETINGS,
    "policies_with_targets": POLICIES_WITH_TARGETS,
    "divisions_with_target": DIVISIONS_WITH_TARGET,
    "documents_issued": DOCUMENTS_ISSUED,
    "entity_mentions": ENTITY_MENTIONS,
}
