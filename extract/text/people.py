"""Find named officials in text by rule: an office word, a 2–3 character name, then a verb or
punctuation (区委书记李建国指出 / 副区长王红参加 / 市人大常委会副主任陈立、…).

Used to complete a meeting's attendees and titles where a small model lists too few people;
the model's own list is kept and these are added only from the meeting's own text.
"""
from __future__ import annotations

import re

from extract.text.lexicon import AFTER_NAME_VERBS, HEAD_OFFICES, NOT_NAME_END, OFFICE_WORDS, REFERS_BACK, SPEECH
from extract.text.normalize import split_person
from extract.text.script import to_simplified
from schemas import Person

_OFFICE = OFFICE_WORDS
_AFTER_NAME = "(?=" + AFTER_NAME_VERBS + r"|[、，,。；;：:）)\s])"
_VERB_NOT_NAME = re.compile("^(?:" + AFTER_NAME_VERBS + ")$")
_MENTION = re.compile(r"(?P<title>[\u4e00-\u9fff、]{0,30}?" + _OFFICE + r")(?P<name>[\u4e00-\u9fff]{2,3}?)" + _AFTER_NAME)
# Words that can precede a title inside the same clause but are not part of it.
_LEAD = re.compile(r"^.*(参加|出席|陪同|主持|指出|表示|会上|会议|由|邀请|听取|在|和|及|与|、)(?=[^、]*$)")
_NOT_NAME = re.compile(r"^(同志|领导|负责|班子|成员|代表|干部|一行|部门|单位|等|及|和|的|在|主持|出席|[会集部局委办处科室组团队])")


# A title ending in a bare 长/员 must name the unit before it (区长, 局长, 委员), not any word.
_BARE_HEAD = re.compile(r"[^区市县省镇乡村局处科所院校部厅行社会组队站委办室司团总副州旗]长$")


_NOT_PERSON = re.compile(r"^(分别|有关|相关|负责|其他|全体|各位|大家|共同|一起|一同|先后|主要|同时|进一步|"
                         r"学者|专家|企业家|嘉宾|群众|市民|村民|居民|员工|职工|师生|学生|代表|来宾)$")
_NOT_PERSON_START = re.compile(r"^[各和及与全本该我市区县省等]")


def is_person_name(name: str) -> bool:
    """A personal name, not a body the model listed among people (市委, 常工院, 和个人)."""
    return (re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", name) is not None
            and not NOT_NAME_END.search(name) and not _NOT_PERSON_START.match(name)
            and not _NOT_PERSON.match(name) and not _VERB_NOT_NAME.match(name))


# "区领导吴平安、郑和、钱进参加调研": names listed after a generic lead-in, no titles.
_LEADER_LIST = re.compile(
    r"(?:[省市区县镇]|市四套班子|区四套班子)?领导(?:同志)?"
    r"(?P<names>[\u4e00-\u9fff]{2,3}(?:、[\u4e00-\u9fff]{2,3})+|[\u4e00-\u9fff]{2,3})"
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


def officials(text: str) -> list[Person]:
    """Officials named in `text`, in order of first mention, one per name."""
    found: list[tuple[int, Person]] = []
    seen: set[str] = set()
    simple = to_simplified(text)
    for m in _LEADER_LIST.finditer(simple):
        pos = m.start("names")
        for name in m.group("names").split("、"):
            if is_person_name(name) and name not in seen:
                seen.add(name)
                found.append((pos, Person(name=name, title=None)))
            pos += len(name) + 1
    for m in _MENTION.finditer(simple):
        name = m.group("name")
        if _NOT_NAME.match(name) or not is_person_name(name) or name in seen:
            continue
        title = m.group("title")
        lead = _LEAD.match(title)
        if lead and not title.endswith(lead.group(1)):
            title = title[lead.end():] if lead.group(1) != "、" else title
        title = title.lstrip("、")
        if len(title) > 24 or _BARE_HEAD.search(title):
            continue  # 储备长远棋: a lone 长 after a non-unit word is no office
        p = split_person(title + name)
        if p.name != name:
            continue
        seen.add(name)
        found.append((m.start("name"), Person(name=name, title=p.title)))
        # "副主任刘东升、王新辉、冯锁强参加": names listed after a titled one share its title.
        more = _LIST_TAIL.match(simple, m.end("name"))
        for extra in more.group("names").split("、")[1:] if more else []:
            if is_person_name(extra) and extra not in seen:
                seen.add(extra)
                found.append((more.start(), Person(name=extra, title=p.title)))
    for m in _NAME_THEN_OFFICE.finditer(simple):
        name = m.group("name")
        if name in seen or not is_person_name(name) or _NOT_NAME.match(name) or _NOT_A_NAME_BEFORE_OFFICE.search(name):
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
