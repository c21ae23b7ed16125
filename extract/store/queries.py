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

QUERIES: dict[str, str] = {
    "targets_by_region_and_year": TARGETS_BY_REGION_AND_YEAR,
    "person_meetings": PERSON_MEETINGS,
    "policies_with_targets": POLICIES_WITH_TARGETS,
}
