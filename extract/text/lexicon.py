"""Every Chinese word list the rules use, defined once, each with what it is for.

Rules import these; nothing else spells a word list out. Each is a regex source string (so it
can be combined) with a compiled pattern beside it where it is used alone.
"""
from __future__ import annotations

import re

# --- page layout (segmentation) ---------------------------------------------------------------

# Time words a news lead opens with (2月19日，…, 昨天上午…, 近日…): when the reported event happened.
NEWS_TIME_WORDS = r"\d{1,2}月\d{1,2}日|昨天|昨日|今天|今日|日前|近日|连日来"
# The same anywhere in a sentence, a deadline left out (6月30日前完成…, 3月1日起施行: a plan's date).
NEWS_TIME = re.compile(r"\d{1,2}月\d{1,2}日(?![前后起之以])|(?<![\d月])日前|昨天|昨日|今天|今日|近日|连日来")
# A time that names no day code can compute: a stretch (在…期间, 前几天, 近日, 2016年以来) or a day
# counted from another (次日, 第二天). No day stated earlier carries over to what falls in it.
UNDATED_TIME = re.compile(r"期间|前几天|这几天|连日|近日|日前|近期|近来|此前|以来|次日|第二天|翌日|隔天")
# Characters that mark an item where a line starts (◆ 县委召开…, ● 项目引进…): a digest's news
# items or an article's bullet list; the segmenter tells which (extract/ingest/segment.py).
ITEM_MARKERS = "◆●■▲★◎□○"
# A paper's own news item opens so (本报讯, 本报讯（记者 张明）): in a digest, each of its items.
OWN_DATELINE = re.compile(r"^[*\s]*[（(【]?\s*本报讯")
# The heading of a digest of short news items (要闻简报, 简讯, 工作动态, 一周快讯).
DIGEST_HEADING = re.compile(r"^.{0,8}?(?:简讯|简报|短讯|快讯|动态|速递|速览|集锦)$")

# --- time and orientation (targets) ------------------------------------------------------------

# A five-year-plan period (“十二五” … “十六五”): it ends in a known year.
FIVE_YEAR_PLAN = r"十[二三四五六]五"
# A stated deadline: 到2025年, 至2030, “十四五”.
DEADLINE_WORDS = r"到\s*20\d\d|至\s*20\d\d|" + FIVE_YEAR_PLAN
DEADLINE = re.compile(DEADLINE_WORDS)

# Future orientation (spec §2): a number with one of these in its sentence may be a goal.
# 要 after 主/需/重/必/只/首 is part of another word (主要, 需要, 重要 …); 将其/将之 is "take it".
FUTURE_WORDS = (
    DEADLINE_WORDS + r"|20\d\d\s*年(?:底|末)?前|力争|目标|确保|将(?![其之])|(?<![主需重必只首])要|需(?!要)|计划|拟|争取|"
    r"每年|年均|今年|明年|年内|努力|预期|到期末|期末"
)
FUTURE = re.compile(FUTURE_WORDS)

# A clause with one of these reports a result or makes a forecast: not a target (spec §2),
# unless a future word precedes it in the clause (计划完成产值…, 要完成…). A completion rate
# (完成率) always reports.
PAST_WORDS = (r"完成率|完成了|完成|已|同比|比上年|比同期|较同期|增长了|达到了|实现了|前三季度|上半年|去年|预计|截至|"
              r"累计完成|先后|"
              # What holds now or is under way (目前有521家, 正在建设13座) is a state, not a goal.
              r"(?<!项)目前|正在|"
              # A verb with 了 before an amount reports what was done: 修订了18项, 新增了5家.
              r"(?<=[\u4e00-\u9fff])了(?=\s*[\d一二三四五六七八九十两几])|"
              # A period that has ended is being reported: 一季度, 第二季度, 前两个月, 1-9月, 一至三月.
              r"(?<![今明下])(?:第?[一二三四1-4]季度|前[两二三四五六七八九十]个?月|1\s*[-—至~]\s*\d{1,2}\s*月|一至[二三四五六七八九十]{1,2}月)")
PAST = re.compile(PAST_WORDS)
# Anywhere in the sentence, these report an outcome ("…出口额4.2亿元，超额完成全年任务").
# A completion rate (投资完成率105%) is only stated after the fact: the plan figures beside it
# are a finished plan's.
PAST_SENTENCE = re.compile(r"超额完成|已完成|提前完成|完成率")
# Said once before a clause, these make the rest of the sentence a report ("截至10月底，…").
# A sentence that opens on a period that has ended (今年一季度，… / 1-9月，…) reports, whatever
# words of plans follow (…，为完成全年目标打下基础). Matched after the dateline (本报讯（记者…）).
ENDED_PERIOD_LEAD = re.compile(r"^(?:今年|20\d\d年)?(?:第?[一二三四1-4]季度|前[两二三四五六七八九十]个?月|上半年|前三季度|"
                               r"1\s*[-—至~]\s*\d{1,2}\s*月)")
PAST_LEAD = re.compile(r"已|以来|近年来|近年|截至|截止|先后|" + ENDED_PERIOD_LEAD.pattern)

# A heading or lead that sets out a year's plan (2026年主要预期目标, 全年目标任务): the goals listed
# under it hold for that year, also where no publication date is known.
PLAN_HEADING = re.compile(r"(?:20\d\d\s*年|全年|今年)[^，。；：:\n]{0,16}?(?:预期目标|目标任务|主要目标|目标|计划|任务|指标)[：:]?\s*$")

# What a section heading says of its section's time (一、2024年工作回顾 / 二、2025年工作安排): it looks
# back on work done, or sets out work to do. With the heading's year against the publication
# year, the section's orientation: evidence for every number under it.
SECTION_REVIEW = re.compile(r"回顾|过去|成绩|成效|总结|完成情况|执行情况|进展情况")
SECTION_PLAN = re.compile(r"安排|目标|任务|计划|思路|重点|举措|展望|打算|部署")
# A numbered heading line: 一、…, （二）…, 第三部分….
SECTION_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]{1,3}部分)")

# A number after these is a rule of a policy (a grant's ceiling, a per-unit rate), not a goal:
# 单个项目补助最高300万元, 每宗补助50万元.
# So is a ceiling or floor being set (比例上限由5%提高到10%).
PROVISION_BEFORE = re.compile(r"(最高|最多|每宗|每项|每个项目|每户|每人|每平方米|每亩|每吨|上限|下限)[^，。；]{0,8}$")

# Verbs whose object is what a goal counts when the number stands between them (开工建设20个
# 水源工程项目, 新建5座水厂): the metric is the verb with the noun after the number.
COUNT_VERB_END = re.compile(r"(?:开工建设|新开工|开工|建设|新建|建成|改造|新增|引进|招引|实施|创建|设立|组建|培训|安排|"
                            r"完成|落地|签约|新培育|扶持|认定|举办|开展|打造|培育|搭建)$")
# Words before a count that say there are so many (今年将有86个…项目, 共计1021家企业): what is
# counted is the noun after the number, not the words before it.
THERE_ARE_WORDS = r"有|共|共计|总计|合计|累计"
THERE_ARE_END = re.compile(f"(?:{THERE_ARE_WORDS})$")
# The end of an enumeration before a count (A、B、C等20个重点片区): the examples come first,
# what is counted is the noun after the number.
LIST_END = re.compile(r"等$")
# Verbs of change that open a clause whose subject the clause before states (年度计划投资规模为
# 550亿元、增长10.0%): the metric is that subject's change.
CHANGE_VERB = re.compile(r"^(?:同比|比上年|较上年)?(?:增长|增加|提高|提升|下降|降低|减少|上升)(?:了)?$")
# Words right before a quantity that state how much there is or was (共200个, 占25.7%, 全长10.9公里,
# 总投资约10亿元): a description, as evidence against a goal (a feature, never a gate).
# …also a total over a verb (共签约19个, 共引进项目8个): how many there are, not how many to reach.
STATES_AMOUNT = re.compile(f"(?:{THERE_ARE_WORDS}|占|全长|总长|总投资|总面积|总规模)(?:约|近|超|达)?$"
                           r"|(?<![公总])共(?!同)[\u4e00-\u9fff]{1,4}$")
# …or open the clause that counts (累计关停企业21家, 其中有13个项目…).
STATES_AMOUNT_LEAD = re.compile(r"^(?:累计|共计|合计|总计|其中有|共有|现有)")
# Nouns that frame the amount before them as a level to reach (…8亿元以上的目标, 迈上500亿元台阶,
# 突破1000亿元大关): the amount is the goal, not a modifier of the noun.
GOAL_FRAME = r"目标|任务|台阶|大关|关口"
# Relative time words that open a clause (今年内将…), no part of a metric.
RELATIVE_TIME_LEAD = re.compile(r"^在?(?:今年内?|明年|年内|当年|本年度?|近期|未来[一二三四五两\d]年)(?:将|要|计划|力争)?")

# Quoted or titled spans: names of programmes and documents (“腾飞计划”, 《…规划》). Words inside
# them say nothing about the sentence's tense.
QUOTED = re.compile(r"“[^“”]{1,40}”|《[^《》]{1,80}》|「[^「」]{1,40}」|\"[^\"]{1,40}\"|"
                    # Markdown emphasis around a name (_倍增计划_), as Markdown pages mark them.
                    r"(?<![A-Za-z0-9_])_[^_\s]{1,40}_(?![A-Za-z0-9_])")

# --- meetings ----------------------------------------------------------------------------------

# Verbs that convene a gathering (召开…大会) and that take part in one (出席…仪式).
CONVENE_VERBS = r"召开|举行|举办"
ATTEND_VERBS = r"出席|参加|主持"
# Verbs that say a gathering or visit took place or someone took part in it.
# (开工 and 启动 alone are not here: 开工率, 启动…工作 are no gatherings; 开工仪式 is.)
HELD_VERBS = r"召开|举行|举办|出席|参加|主持|签约|揭牌|调研|视察|考察|会见|会谈|接见|奠基|开幕|闭幕|走访|观摩"
HELD_VERB = re.compile(HELD_VERBS)
# Verbs that by themselves name a meeting or an official visit (调研, 会见); 签约 does not: "新签约
# 的项目", "要抓签约" are no gatherings, "正式签约" and "签约仪式" are.
VISIT_VERBS = re.compile(r"调研|视察|考察|会见|会谈|接见|走访|观摩|座谈|揭牌|奠基|洽谈|现勘|召开|举行|举办|开幕|闭幕")
# A quote that says a gathering took place or someone took part in one.
HELD_EVENT = re.compile(VISIT_VERBS.pattern + r"|出席|参加|主持|仪式|正式签约")
# An exhortation (要…, 必须…): what should be done, not what took place.
EXHORTATION = re.compile(r"^(要|将|必须|应当|应|需要|需)")
# A gathering still to be arranged (优先在临港地区安排举办…会议展览, 将召开…): without a date, nothing
# was held (spec §2: a meeting happened, or is announced with a date).
PLANNED_GATHERING = re.compile(r"(?:安排|鼓励|支持|优先|争取|计划|拟|将要?|准备)[^，。；]{0,12}?(?:举办|召开|举行)")
# A gathering named as the source of what is studied or carried out (贯彻落实…会议精神): the
# sentence reports the studying, not that gathering.
SPIRIT_OF = re.compile(r"(?:学习|贯彻|落实|传达|领会)[^。；]{0,80}?精神")
# What someone said at a gathering (李强要求…, 会议强调…): the speech, no gathering of its own.
# (Code checks that `who` is a person or the gathering.) 根据/按照…要求，… names what the sentence
# acts on, never a speaker: 根据市委文件要求，…召开了… reports a gathering.
SPEECH = re.compile(r"^(?!根据|按照|依据|依照|遵照)(?:(?:就|在|对|针对|关于)[^，,。；;]{1,30}[，,])?(?P<who>[^，,。；;]{1,30}?)"
                    r"(?:要求|强调|指出|表示|希望|提出|说)[，,：:]?")
# What was done at the gathering just reported (徐珑在会上作主题报告).
AT_THE_GATHERING = re.compile(r"在(?:会|会议|大会)上")
# The gathering the article already reports, referred to (本次会议不仅是…, 此次活动共签约…): a
# comment on it or a detail of it, no gathering of its own.
THIS_GATHERING = re.compile(r"(?:本次|此次|这次|该次)(?:[^，。；]{0,8}?)(?:会|活动|论坛|仪式|调研|考察)")
# The head of a gathering's name (…推进会, …调度会, …签约仪式, …联谊活动): a noun ending in 会 —
# not a body that ends so (协会, 学会, 商会, 工会, 基金会, 委员会, 理事会, 联合会) nor a word that
# only ends in the character (社会, 机会, 体会; 会长, 会员, 会计) — or in 会议, 仪式, 典礼, 论坛,
# 峰会, 活动, 开幕式. A class by its last morpheme, not a list of meetings seen.
GATHERING_KINDS = (r"会议|(?<!委员)(?<![协学商工金事合社机体都将不])会(?![长员计谈见商])|仪式|典礼|论坛|峰会|活动|开幕式|闭幕式|"
                   # a course held for officials (…专题研讨班开班, …培训班)
                   r"(?:研讨|培训|读书)班")
# A sentence about the gathering just reported (会议表彰了…, 会上，…): it adds to that gathering.
# Also one set at a gathering named by its kind alone (仪式上，…; 签约活动期间，…): no name of
# its own, so the one before.
REFERS_BACK = re.compile(r"^(?:会议|会上|大会|会议上|大会上|座谈会上|全会)(?!召开|举行)"
                         r"|^[\u4e00-\u9fff]{0,6}?(?:" + GATHERING_KINDS + r")(?:上|期间)[，,]")
# A clause that only says who took part in a gathering already reported (区领导…参加活动,
# 副市长王红陪同, 出席会议并发表讲话, 出席开幕式): the gathering is unnamed (a bare head, at most two
# characters before it), so it is the one before.
TOOK_PART_ONLY = re.compile(r"(?:出席|参加|陪同|主持)了?(?:[\u4e00-\u9fff]{0,2}(?:" + GATHERING_KINDS + r")|调研|视察|考察)?"
                            r"(?:并[^，,。；;]{1,8})?$")
# Verbs that hold a gathering (召开, 开展…活动, 组织…会) or take part in one.
HOLD_VERBS = CONVENE_VERBS + r"|开展|组织"
# A visit told by its movement (…带队到本市考察…, 来我区考察, 赴…调研): someone goes to a place to
# do official business.
VISIT_TRIP = r"(?:带队|率队|一行)[^，。；]{0,6}?(?:到|来|赴|前往)|(?:到|来|赴|前往)[^，。；]{1,15}?(?:调研|考察|视察|检查|督导|对接|洽谈|走访)"
# A signing told by what is signed (签订了…协议, 签署…合作备忘录).
SIGNING = r"签(?:订|署)了?[^，。；]{0,50}?(?:协议|合同|备忘录|协议书)|进行了?(?:集中|现场|项目)?签约"
# A visit or a signing told by its verbs rather than named as a gathering.
TRIP_OR_SIGNING = re.compile(VISIT_TRIP + "|" + SIGNING)
# A paragraph with one of these may report a meeting or visit: it is sent to the model.
# (Every verb that names a visit is one: 前往…进行项目洽谈, 现勘…工程; so is a gathering held,
# named first and then held, a trip and a signing.)
MEETING_WORDS = re.compile(HELD_VERBS + "|" + VISIT_VERBS.pattern + r"|会议|大会|生活会|动员会|论坛|推介会|仪式|检查|"
                           r"(?:" + HOLD_VERBS + r")[^，。；]{0,40}?(?:" + GATHERING_KINDS + r")|"
                           r"(?:" + GATHERING_KINDS + r")(?:在[^，。；]{1,20}?)?(?:召开|举行|开幕|闭幕|开班)|" + VISIT_TRIP + "|" + SIGNING)
# A name ending so names a gathering; a body that ends in 会 (协会, 学会, 商会, 工会, 基金会,
# 委员会, 理事会, 联合会) does not.
GATHERING_END = re.compile("(?:" + GATHERING_KINDS + ")$")

# --- documents (policies) ----------------------------------------------------------------------

# Kinds of document, as the last word of a title (spec: doc_type), longest first.
DOC_TYPES = ("实施方案", "行动方案", "工作方案", "方案", "实施意见", "指导意见", "若干意见", "意见", "若干政策",
             "政策", "规划", "计划", "通知", "通报", "办法", "条例", "决定", "纲要", "建议", "细则", "措施", "规定",
             "目标", "目录", "清单")
DOC_WORDS = "(?:" + "|".join(DOC_TYPES) + ")"
# Verbs that report a document as issued or adopted (县委、县政府印发了《…》).
ISSUE_VERBS = r"印发|出台|发布|制定|审议通过|通过|颁布|下发|公布"
ISSUE_VERB = re.compile(ISSUE_VERBS)
# Verbs that present a document or put it in force without issuing it now (通报了《…规划》).
PRESENT_VERBS = r"通报|宣读|实施"

# --- measures and topics -----------------------------------------------------------------------

# The marker of an enumerated item where a list item begins (after ：。； or a line break):
# 一是…, 二要…, （三）…, 第四，…, 五、…, 1. …
ENUMERATION = re.compile(
    r"(?:^|(?<=[：:。；;\n]))[ \t　]*(?:([一二三四五六七八九十]{1,3})[是要]|[（(]([一二三四五六七八九十]{1,3})[）)]|"
    r"第([一二三四五六七八九十]{1,3})[，、,]|([一二三四五六七八九十]{1,3})、|(\d{1,2})[.、．](?!\d))",
    re.M)
# What a document sets out, after a reference to it (《方案》提出…, 该意见明确…, 《通知》要求…).
DOC_CONTENT_VERBS = r"提出|明确|要求|规定|指出|强调|制定|包括|部署|推出|围绕|聚焦|涵盖|从"
# What a meeting or visit was about, as the text says it, each a verb whose object is a topic:
# 围绕…建言献策, 听取…汇报, 审议…, 部署…, 就…交换意见, 以“…”为主题, 调研…工作.
_TOPIC = r"[^，。；：:,;\n、》的会是了为在由]" + r"[^，。；：:,;!?！？\n]{1,39}?"
TOPIC_LEADS = re.compile(
    r"围绕(?P<around>" + _TOPIC + r")(?:建言献策|展开|进行|开展|作|交流|讨论|发言|座谈|畅所欲言|[，。；,;\n])|"
    r"听取(?:了)?(?P<heard>" + _TOPIC + r")(?:的)?(?:工作)?(?:汇报|情况介绍|介绍|报告)|"
    r"就(?P<on>" + _TOPIC + r")(?:进行|交换意见|展开|开展|作出)|"
    r"以“(?P<theme>[^”]{2,30})”为主题|"
    # 研究 before 会/院/所/生 is a body or a person (研究会, 研究院), 推介会 a gathering.
    r"(?:审议|研究部署|研究|部署|讨论|通报|宣读|总结|表彰|发布|签署|推介|考察|调研|视察|检查|聚焦)(?!会|院|所|生|员|中心)"
    r"(?:了|并通过了|通过了)?(?P<object>" + _TOPIC + r")(?=[，。；：:,;!?！？\n]|$)",
)
# A topic that says nothing by itself (研究部署 "有关工作", 通报 "情况").
TOPIC_EMPTY = re.compile(r"^(有关|相关|当前|下一步|近期|了解|指导|一下)?(工作|情况|事项|问题|讲话|意见|建议)?$|"
                         r"^(开展|进行|以来|活动)")

# --- places and bodies -------------------------------------------------------------------------

# A self-reference to the region the article is about: 我区, 全市, 本省, 该县 (a group: the level).
SELF_REFERENCE_WORDS = r"(?:我|全|本|该)(省|市|区|县|镇)"
SELF_REFERENCE = re.compile(SELF_REFERENCE_WORDS)
# The whole string is a self-reference (an issuer or a place given as 我区): the region itself.
SELF_REFERENCE_ALONE = re.compile("^" + SELF_REFERENCE_WORDS + "$")
# Where a body published something, not a body: 浙江省住房和城乡建设厅网站 is the 厅.
CHANNEL_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff])(?:官方网站|门户网站|网站|官网|微信公众号|公众号|官方微博|微博|客户端)$")
# Endings of an organisation's name (区委, 市政府, 发改局, 管委会): 和/及/与 after one joins two
# bodies (市委和市政府), so 人力资源和社会保障局 and 工业和信息化局 stay whole.
BODY_END = re.compile(
    r"(?:委|政府|局|厅|部|办|院|会|所|校|处|科|室|中心|公司|集团|镇|街道|区|市|县|省|村|社区|园|"
    r"组|队|站|党委|党工委|协会|学院|大学|银行|联|团|馆|台|社|署|委员会|管委会|班子|政协|人大)$"
)
# Last characters of a body or place, never of a personal name: a 2–4 character "name" ending
# in one (市委, 常工院, 华为公司) is something the model listed among people by mistake. Wider than
# BODY_END in single characters (业, 企, 报, 盟, 旗 end bodies, never names), narrower in words.
NOT_NAME_END = re.compile(r"[委府院局市区县镇乡厅办会部处校所司省州队站村组团社行业企馆台报学园盟旗]$")
# Office words a person's title ends with, longest first so 副区长 is matched whole.
OFFICES = sorted({
    "书记", "副书记", "常委", "委员", "主席", "副主席", "主任", "副主任", "部长", "副部长", "局长",
    "总理", "副总理", "国务委员",
    "副局长", "区长", "副区长", "市长", "副市长", "县长", "副县长", "镇长", "副镇长", "乡长",
    "省长", "副省长", "厅长", "副厅长", "秘书长", "副秘书长", "总经理", "副总经理", "经理",
    "董事长", "副董事长", "董事", "会长", "副会长", "院长", "副院长", "校长", "副校长", "所长",
    "处长", "科长", "组长", "副组长", "代表", "理事长", "总裁", "总监", "行长", "主委", "关长",
    "司令员", "政委", "检察长", "庭长", "队长", "站长", "馆长", "社长", "总编辑", "主编",
    "记者", "教授", "研究员", "院士", "专家", "负责人", "主管", "首席", "巡视员", "调研员",
    "总工程师", "工程师", "合伙人", "创始人", "代理市长", "代理区长", "代市长", "统战部长",
    "宣传部长", "组织部长", "政法委书记", "指挥长", "副指挥长", "长",
}, key=len, reverse=True)
OFFICE_WORDS = "(?:" + "|".join(map(re.escape, OFFICES)) + ")"
# Offices that may follow a name as a form of address (林智坚市长, 何汉翔院长一行): heads of a
# government, a body or a firm; not 代表, 记者, 专家 (a name before those is a role, not an office).
HEAD_OFFICES = ("院长", "市长", "区长", "县长", "镇长", "省长", "局长", "厅长", "部长", "书记", "主任", "主席",
                "董事长", "总经理", "秘书长", "处长", "所长", "校长", "行长", "会长", "社长", "理事长", "总裁")
# Verbs that follow a person's name in a report (区委书记李建国指出, 副区长王红参加): they end a
# name, and a two-character one of them is never a name itself (a model's "表示", "要求").
AFTER_NAME_VERBS = (r"指出|表示|强调|出席|参加|主持|讲话|陪同|介绍|说|作|带队|一行|等|在|和|与|及|分别|率|要求|宣读|"
                    r"通报|代表|调研|视察|来|到|对|就|为|同志|先后|也|还|深入|一同|致辞|致|发言|宣布|会见|接见|看望|"
                    r"慰问|检查|考察|部署|提出|首先|随后|传达|汇报|\d{1,2}日")
# Credits of who wrote or photographed the article (记者 张明, 通讯员 李华, 摄): never attendees.
# A dateline that opens an article's first sentence (本报讯（记者 张明 通讯员 李华）…): no part of
# what the sentence reports.
DATELINE = re.compile(r"^\s*(?:本报讯|[\u4e00-\u9fff]{2,8}讯|新华社[\u4e00-\u9fff]{2,6}\d{1,2}月\d{1,2}日电)?\s*"
                      r"(?:[（(]\s*(?:记者|通讯员|见习记者|实习生|本报)[^）)]{0,40}[）)])?\s*")
# Speaking to the press (…对本报记者表示, 接受记者采访时说): the speaker is interviewed, which says
# nothing of who attended a gathering the article reports.
TO_THE_PRESS = re.compile(r"(?:对|向|告诉|接受)[^，。；：]{0,20}?记者|记者[^，。；：]{0,6}?(?:采访|专访)")
BYLINE = re.compile(r"(记者|通讯员|作者|编辑|摄影|摄)[\s：:]*([\u4e00-\u9fff]{2,3})")
