"""Find named officials in text by rule: an office word, a 2–3 character name, then a verb or
punctuation (区委书记李建国指出 / 副区长王红参加 / 市人大常委会副主任陈立、…).

Used to complete a meeting's attendees and titles where a small model lists too few people;
the model's own list is kept and these are added only from the meeting's own text.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extract.text.lexicon import AFTER_NAME_VERBS, HEAD_OFFICES, NOT_NAME_END, OFFICE_WORDS, OFFICES, REFERS_BACK, SPEECH
from extract.text.normalize import split_person
from extract.text.script import to_simplified
from extract.text.words import tagger
from schemas import Person

_OFFICE = OFFICE_WORDS
_AFTER_NAME = "(?=" + AFTER_NAME_VERBS + r"|[、，,。；;：:）)\s])"
_VERB_NOT_NAME = re.compile("^(?:" + AFTER_NAME_VERBS + ")$")
_MENTION = re.compile(r"(?P<title>[\u4e00-\u9fff、]{0,30}?" + _OFFICE + r")(?P<name>[\u4e00-\u9fff]{2,3}?)" + _AFTER_NAME)
# Words that can precede a title inside the same clause but are not part of it.
_LEAD = re.compile(r"^.*(参加|出席|陪同|主持|指出|表示|会上|会议|由|邀请|听取|在|和|及|与|、)(?=[^、]*$)")
_NOT_NAME = re.compile(r"^(同志|领导|负责|班子|成员|代表|干部|一行|部门|单位|等|及|和|的|在|主持|出席|[会集部局委办处科室组团队])")


# A title ending in a bare 长/员 must name the unit before it (区长, 局长, 委员), not any word,
# unless it ends in an office of its own (董事长, 秘书长, 检察长).
_BARE_HEAD = re.compile(r"[^区市县省镇乡村局处科所院校部厅行社会组队站委办室司团总副州旗]长$")
_LONG_HEADS = tuple(o for o in OFFICES if len(o) >= 3 and o.endswith("长"))


_NOT_PERSON = re.compile(r"^(分别|有关|相关|负责|其他|全体|各位|大家|共同|一起|一同|先后|主要|同时|进一步|"
                         r"学者|专家|企业家|嘉宾|群众|市民|村民|居民|员工|职工|师生|学生|代表|来宾)$")
_NOT_PERSON_START = re.compile(r"^[各和及与全本该我市区县省等]")


# The dictionary's word classes no name takes (adjectives, adverbs, verbs, common nouns,
# conjunctions, pronouns, numerals …): 重要, 依次, 来临, 建议 after an office are words, not people. Words that are
# also names (高峰, 张扬) are tagged nr there and stay names.
_WORD_CLASSES = frozenset({"a", "ad", "d", "v", "vd", "vn", "n", "c", "p", "u", "r", "m", "q", "f", "y", "e"})


@lru_cache(maxsize=1)
def _name_openers() -> frozenset[str]:
    """The characters jieba's tagger lets open a personal name (its HMM's begin or single-character
    states of a name): every surname it knows, 王 and 茆 alike, and no word such as 作 or 的."""
    from jieba.posseg.char_state_tab import P as states
    return frozenset(c for c, st in states.items() if any(pos in "BS" and tag.startswith("nr") for pos, tag in st))


def is_person_name(name: str) -> bool:
    """A personal name, not a body the model listed among people (市委, 常工院, 和个人), nor a
    common word (重要, 依次), nor a phrase that no surname opens (作表态发言 after an office)."""
    return (re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", name) is not None and name[0] in _name_openers()
            and not NOT_NAME_END.search(name) and not _NOT_PERSON_START.match(name)
            and not _NOT_PERSON.match(name) and not _VERB_NOT_NAME.match(name)
            and tagger().word_tag_tab.get(name) not in _WORD_CLASSES)


# "区领导吴平安、郑和、钱进参加调研": names listed after a generic lead-in, no titles. The
# shortest name that the next word allows: 钱进等出席 ends the list at 钱进, not 钱进等.
_LEADER_LIST = re.compile(
    r"(?:[省市区县镇]|市四套班子|区四套班子)?领导(?:同志)?"
    r"(?P<names>[\u4e00-\u9fff]{2,3}?(?:、[\u4e00-\u9fff]{2,3}?)+|[\u4e00-\u9fff]{2,3}?)"
    r"(?=参加|出席|陪同|一同|等|分别|先后|到|在)"
)


# "林智坚市长现勘…", "何汉翔院长一行", "…管理处薛亚省处长首先…": a name followed by the head
# office it holds, at the start of a clause or right after the unit it heads (so 常务副区长, 区委副书记 and a list of offices 常委、宣传部长 are not read as a
# name plus an office).
_NAME_THEN_OFFICE = re.compile(r"(?:^|(?<=[，。；：:\s（(“处局厅办院所心司部组]))(?P<name>[\u4e00-\u9fff]{2,3}?)(?P<title>副?(?:"
                               + "|".join(HEAD_OFFICES) + r"))(?=一行|等|上午|下午|晚上|今天|昨天|日前|近日|\d{1,2}日|赴|到|来|率|"
                               + AFTER_NAME_VERBS + r"|[，、。；\s])")
_NOT_A_NAME_BEFORE_OFFICE = re.compile(r"(常务|执行|名誉|党委|党组|纪委|首席|主要|分管|区委|市委|县委|省委|办公室|政府|"
                                       r"原|前|现任|时任|新任|担任|任)$|^[原前副正总]")


_LIST_TAIL = re.compile(r"(?P<names>(?:、[\u4e00-\u9fff]{2,3}?)+)" + _AFTER_NAME.replace("[、", "["))


# --- is this a personal name? jieba's part-of-speech tagger knows surnames and given names ------

@lru_cache(maxsize=8192)
def _tagged(window: str) -> tuple[tuple[str, str], ...]:
    return tuple((w.word, w.flag) for w in tagger().cut(window))


def _tokens_at(text: str, start: int) -> list[tuple[str, str]]:
    """The tagger's (word, flag) tokens from `start` on, read in a few characters of context; []
    when `start` falls inside a word (its first character is joined to the word before it)."""
    a = max(0, start - 4)
    pos = a
    tokens = list(_tagged(text[a : start + 8]))
    for k, (word, _) in enumerate(tokens):
        if pos == start:
            return tokens[k:]
        pos += len(word)
        if pos > start:
            return []
    return []


def name_at(text: str, start: int) -> str | None:
    """The personal name the tagger reads at `start` of `text` (a name token, or a surname then its
    given name: 杜/志军, 刘/东升), judged in a few characters of context; else None."""
    tokens = _tokens_at(text, start)
    if not tokens:
        return None
    word, flag = tokens[0]
    if flag.startswith("nr") and 2 <= len(word) <= 3:
        return word if is_person_name(word) else None
    if len(word) == 1 and len(tokens) > 1:
        given, gflag = tokens[1]
        if (flag.startswith("nr") or gflag.startswith("nr")) and 1 <= len(given) <= 2 and is_person_name(word + given):
            return word + given
    return None


# "表彰的优秀党员有王一兵、李青、…": a list of bare names, none with an office.
_LIST_ITEM = re.compile(r"[\u4e00-\u9fff]{2,12}(?:、[\u4e00-\u9fff]{2,6})+")


_PEOPLE_AFTER = re.compile(r"等(?:[一二三四五六七八九十两\d]+(?:名|位|个))?(?:同志|党员|人|干部|代表|领导)")


def listed_names(text: str) -> list[Person]:
    """Personal names listed with 、 and no office (awardees, new members, leaders named after
    领导): a list counts when the tagger reads names in at least two thirds of its three or more
    items (or in both of two the text calls people: 王一、李二等四名同志); then every inner item
    shaped like a name is one (a rare name among common ones)."""
    simple = to_simplified(text)
    out: list[Person] = []
    for m in _LIST_ITEM.finditer(simple):
        items, pos = [], m.start()
        for item in m.group(0).split("、"):
            items.append((pos, item))
            pos += len(item) + 1
        if len(items) < 2:
            continue
        read: list[list[str]] = []  # the names the tagger reads in each item
        for k, (at, item) in enumerate(items):
            if k == 0:  # the first item ends the words before it: "…党员有王一兵"
                end = at + len(item)
                read.append(next(([simple[end - j : end]] for j in (3, 2)
                                  if name_at(simple, end - j) and is_person_name(simple[end - j : end])), []))
            elif k == len(items) - 1:  # the last runs on: "…李青参加", "…李青和王红参加"
                n = name_at(simple, at)
                joined = re.match(r"(?:以及|和|及|与)", simple[at + len(n):]) if n else None
                after = name_at(simple, at + len(n) + len(joined.group(0))) if joined else None
                read.append([n, after] if after else [n] if n else [])
            elif len(item) <= 3:  # the tagger may read a shorter name (刘海 of 刘海波)
                read.append([item] if name_at(simple, at) and is_person_name(item) else [])
            else:  # two names with the 、 lost between them: 邱国辉朱志超
                first = name_at(simple, at)
                second = name_at(simple, at + len(first)) if first else None
                read.append([first, second] if second and len(first) + len(second) == len(item) else [])
        # two items only where the text says they are people: "王一、李二等四名同志"
        if len(items) == 2 and not (all(read) and _PEOPLE_AFTER.match(simple, items[1][0] + len(read[1][0]))):
            continue
        if sum(bool(r) for r in read) * 3 < len(items) * 2:
            continue
        for k, ((_, item), names) in enumerate(zip(items, read)):
            if not names and 0 < k < len(items) - 1 and is_person_name(item):
                names = [item]
            for name in names:
                if name not in {p.name for p in out}:
                    out.append(Person(name=name, title=None))
    return out


_OFFICE_THEN = re.compile(r"(?P<title>[\u4e00-\u9fff、]{0,30}?" + _OFFICE + r")(?=[\u4e00-\u9fff])")


def _titled(title: str, name: str) -> Person | None:
    """The person a title and name read as (the title without the words before it), or None
    when the title is no office."""
    lead = _LEAD.match(title)
    if lead and not title.endswith(lead.group(1)):
        title = title[lead.end():] if lead.group(1) != "、" else title
    title = title.lstrip("、")
    if len(title) > 24 or (_BARE_HEAD.search(title) and not title.endswith(_LONG_HEADS)):
        return None  # 储备长远棋: a lone 长 after a non-unit word is no office
    p = split_person(title + name)
    return Person(name=name, title=p.title) if p.name == name else None


def _name_before_office(simple: str, start: int, name: str) -> bool:
    """A name right before the office it holds (…处薛亚省处长). Its last character may be one that
    ends bodies (省, 园 …: 薛亚省) where the tagger reads the first two as a name and not the three
    as a place or a body (江苏省 is read whole)."""
    if is_person_name(name):
        return True
    if len(name) != 3 or NOT_NAME_END.search(name) is None or not is_person_name(name[:2]):
        return False
    tokens = _tokens_at(simple, start)
    return bool(tokens) and tokens[0][1].startswith("nr") and tokens[0][0] in (name, name[:2])


def _name_after_office(simple: str, start: int, name: str) -> bool:
    """A name right after an office (主任梁显学，…): also one whose last character ends bodies
    elsewhere (学, 园) where the tagger reads its first as a surname and a clause break follows."""
    if is_person_name(name) or _name_before_office(simple, start, name):
        return True
    end = start + len(name)
    tokens = _tokens_at(simple, start)
    return (len(name) == 3 and is_person_name(name[:2]) and end < len(simple) and simple[end] in "，、。；,;"
            and bool(tokens) and tokens[0][0] == name[0] and tokens[0][1].startswith("nr"))


def officials(text: str) -> list[Person]:
    """Officials named in `text`, in order of first mention, one per name."""
    found: list[tuple[int, Person]] = []
    seen: set[str] = set()
    simple = to_simplified(text)
    for m in _LEADER_LIST.finditer(simple):
        pos = m.start("names")
        for name in m.group("names").split("、"):
            if is_person_name(name) and not _NOT_NAME.match(name) and name not in seen:
                seen.add(name)
                found.append((pos, Person(name=name, title=None)))
            pos += len(name) + 1
    for m in _MENTION.finditer(simple):
        name = m.group("name")
        if _NOT_NAME.match(name) or not _name_after_office(simple, m.start("name"), name) or name in seen:
            continue
        p = _titled(m.group("title"), name)
        if p is None:
            continue
        seen.add(name)
        found.append((m.start("name"), p))
        # "副主任刘东升、王新辉、冯锁强参加": names listed after a titled one share its title.
        more = _LIST_TAIL.match(simple, m.end("name"))
        for extra in more.group("names").split("、")[1:] if more else []:
            if is_person_name(extra) and extra not in seen:
                seen.add(extra)
                found.append((more.start(), Person(name=extra, title=p.title)))
    # An office then a name the tagger reads, whatever word follows it (副县长王红以及…).
    for m in _OFFICE_THEN.finditer(simple):
        name = name_at(simple, m.end())
        # a name found by rule wins over the tagger's shorter or longer reading (白云萍 / 白云)
        if name is None or _NOT_NAME.match(name) or any(o.startswith(name) or name.startswith(o) for o in seen):
            continue
        title = m.group("title")
        for other in seen:  # "书记刘殊、副县长武元庆": the title starts after the name before it
            title = title.split(other + "、")[-1]
        p = _titled(title, name)
        if p is not None:
            seen.add(name)
            found.append((m.end(), p))
    for m in _NAME_THEN_OFFICE.finditer(simple):
        name = m.group("name")
        if name in seen or not _name_before_office(simple, m.start("name"), name) or _NOT_NAME.match(name) \
                or _NOT_A_NAME_BEFORE_OFFICE.search(name):
            continue
        seen.add(name)
        found.append((m.start("name"), Person(name=name, title=m.group("title"))))
    return [p for _, p in sorted(found, key=lambda item: item[0])]


def is_speech(text: str) -> bool:
    """What a person or the gathering said (市委书记张三强调，…; 会议要求，…)."""
    m = SPEECH.match(text)
    if not m:
        return False
    who = m.group("who")
    return bool(REFERS_BACK.match(who) or officials(who + "，") or is_person_name(who[-3:]) or is_person_name(who[-2:]))
