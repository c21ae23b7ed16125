"""Every Chinese word list the rules use, defined once, each with what it is for.

Rules import these; nothing else spells a word list out. Each is a regex source string (so it
can be combined) with a compiled pattern beside it where it is used alone.
"""
from __future__ import annotations

import re

# --- time and orientation (targets) ------------------------------------------------------------

# A stated deadline: 到2025年, 至2030, “十四五” (a five-year-plan period ends in a known year).
DEADLINE_WORDS = r"到\s*20\d\d|至\s*20\d\d|十[二三四五六]五"
DEADLINE = re.compile(DEADLINE_WORDS)

# Future orientation (spec §2): a number with one of these in its sentence may be a goal.
# 要 after 主/需/重/必/只/首 is part of another word (主要, 需要, 重要 …).
FUTURE_WORDS = (
    DEADLINE_WORDS + r"|20\d\d\s*年(?:底|末)?前|力争|目标|确保|将|(?<![主需重必只首])要|计划|拟|争取|"
    r"每年|年均|今年|明年|年内|努力|预期|到期末|期末"
)
FUTURE = re.compile(FUTURE_WORDS)

# A clause with one of these reports a result or makes a forecast: not a target (spec §2).
# Bare 完成/达到/实现 are not here: 计划完成投资…, 要达到… state goals; the model judges those.
PAST_WORDS = r"完成了|已|同比|比上年|增长了|达到了|实现了|前三季度|上半年|去年|预计|截至|累计完成|先后"
PAST = re.compile(PAST_WORDS)
# Anywhere in the sentence, these report an outcome ("…3.05亿美元，超额完成年度目标任务").
PAST_SENTENCE = re.compile(r"超额完成|已完成|提前完成")
# Said once before a clause, these make the rest of the sentence a report ("截至10月底，…").
PAST_LEAD = re.compile(r"已|以来|截至|截止|先后")

# A number after these is a rule of a policy (a grant's ceiling, a per-unit rate), not a goal:
# 单项资助最高1200万元, 每宗补助50万元.
PROVISION_BEFORE = re.compile(r"(最高|最多|单项|单个|每宗|每项|每个项目|每户|每人|每平方米|每亩|每吨)[^，。；]{0,8}$")

# Quoted or titled spans: names of programmes and documents (“倍增计划”, 《…规划》). Words inside
# them say nothing about the sentence's tense.
QUOTED = re.compile(r"“[^“”]{1,40}”|《[^《》]{1,80}》|「[^「」]{1,40}」|\"[^\"]{1,40}\"")
