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

# --- meetings ----------------------------------------------------------------------------------

# Verbs that say a gathering or visit took place or someone took part in it.
HELD_VERBS = r"召开|举行|举办|出席|参加|主持|签约|揭牌|调研|视察|考察|会见|会谈|接见|开工|奠基|启动|开幕|闭幕|走访|观摩"
HELD_VERB = re.compile(HELD_VERBS)
# Kinds of gathering, as the last word of a meeting's name (…推进会, …签约仪式).
GATHERING_KINDS = (r"会议|大会|座谈会|论坛|仪式|典礼|动员会|推进会|生活会|报告会|培训会|研讨会|推介会|发布会|交流会|"
                   r"签约会|见面会|对接会|峰会|活动")
# A paragraph with one of these may report a meeting or visit: it is sent to the model.
MEETING_WORDS = re.compile(HELD_VERBS + r"|座谈|会议|大会|生活会|动员会|论坛|推介会|仪式|检查")
# A name ending so names a gathering; a body that ends in 会 (协会, 学会, 商会, 工会, 基金会,
# 委员会, 理事会, 联合会) does not.
GATHERING_END = re.compile(r"(?<!协|学|商|工|金|员|事|合)会$|会议$|仪式$|典礼$|论坛$|峰会$|活动$")
