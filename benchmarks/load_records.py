"""Test records for `extract load`, built from the seed pages (shared with the benchmark).

Until a real run of the seeds exists (tests/data/runs/seeds.jsonl), records are made by
hand: real seed text, a few items per type whose evidence quotes are found in that text.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from schemas import Article, ErrorInfo, Evidence, Meeting, Person, Policy, Record, RunInfo, Target, Usage

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
REAL_RUN = ROOT / "tests" / "data" / "runs" / "seeds.jsonl"

RUN_V1 = RunInfo(engine="fixture", model="handmade", prompt_version="v1", attempts=1, requests=1,
                 usage=Usage(prompt_tokens=1000, completion_tokens=200), duration_s=1.5)
RUN_V2 = RunInfo(engine="fixture", model="handmade", prompt_version="v2", attempts=2, requests=2,
                 usage=Usage(prompt_tokens=1100, completion_tokens=250), duration_s=2.0)

HOSTILE = "'); DROP TABLE articles; --"


def ev(text: str, quote: str) -> Evidence:
    start = text.find(quote)
    if start < 0:
        raise ValueError(f"quote not in text: {quote!r}")
    return Evidence(quote=quote, start=start, end=start + len(quote))


def P(name: str, title: str | None = None) -> Person:
    return Person(name=name, title=title)


def _article(stem: str, text: str, **kw) -> Article:
    path = SEEDS / f"{stem}.txt"
    return Article(id=f"{stem}#1", source=f"seeds/{path.name}",
                   source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(), index=1, text=text, **kw)


def _seed_text(stem: str) -> str:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")


def _r000(run: RunInfo) -> Record:
    stem = "000_022c8c979c5708e9"
    text = _seed_text(stem)
    title = "工业经济高质量发展“十百千计划”实施方案"
    return Record(
        article=_article(stem, text, title=f"我区出台《{title}》", outlet="金坛时报"),
        policies=[Policy(title=title, doc_type="方案", issuers=["区委", "区政府"], region="金坛区",
                         time_text="日前", measures=["把准产业发展方向", "实行“链长制”"],
                         evidence=ev(text, f"区委、区政府于日前印发了《{title}》"))],
        targets=[
            Target(metric="年应税销售收入十亿元企业", value=100, unit="家", deadline_year=2025,
                   time_text="到2025年", region="金坛区", policy=title,
                   evidence=ev(text, "在我区实现年应税销售收入十亿元企业100家")),
            Target(metric="上市公司", value=20, unit="家", deadline_year=2025, time_text="到2025年",
                   region="金坛区", policy=title, evidence=ev(text, "上市公司20家")),
            Target(metric="企业年应税销售收入总额", value=3500, unit="亿元", comparator="exceed",
                   deadline_year=2025, region="金坛区", policy=title,
                   evidence=ev(text, "确保全区企业年应税销售收入总额突破3500亿元")),
        ],
        meetings=[
            Meeting(name="茅山旅游度假区党工委领导班子专题民主生活会", attendees=[P("刘国新", "区委副书记")],
                    evidence=ev(text, "区委副书记刘国新参加了茅山旅游度假区党工委领导班子专题民主生活会")),
            Meeting(name="东城街道党工委领导班子民主生活会", attendees=[P("俞金红", "区委副书记、副区长")],
                    evidence=ev(text, "区委副书记、副区长俞金红参加了东城街道党工委领导班子民主生活会")),
        ],
        run=run,
    )


def _r001(run: RunInfo) -> Record:
    stem = "001_ad50afaed758b5d7"
    text = _seed_text(stem)
    opinion = "关于促进产业高质量发展的实施意见"
    shenglei = P("盛蕾", "市委副书记、代理市长")
    return Record(
        article=_article(stem, text, title="加快打造长三角产业中轴 奋力建设国际化智造名城",
                         outlet="常州日报", published="2022-02-08"),
        policies=[
            Policy(title="关于促进产业高质量发展的若干政策", doc_type="政策", region="常州市",
                   evidence=ev(text, "大会出台了《关于促进产业高质量发展的若干政策》")),
            Policy(title=opinion, doc_type="意见", region="常州市",
                   evidence=ev(text, f"《{opinion}》")),
        ],
        targets=[
            Target(metric="工业规模总量", value=2.5, unit="万亿元", comparator="exceed", deadline_year=2025,
                   time_text="到2025年", region="常州市", policy=opinion,
                   evidence=ev(text, "全市工业规模总量超过2.5万亿元")),
            Target(metric="制造业增加值占GDP比重", value=43, unit="%", comparator="about",
                   deadline_year=2025, region="常州市", policy=opinion,
                   evidence=ev(text, "制造业增加值占GDP比重稳定在43%左右")),
            Target(metric="上市企业", value=150, unit="家", comparator="exceed", deadline_year=2025,
                   time_text="到2025年", region="常州市", evidence=ev(text, "到2025年上市企业超过150家")),
            Target(metric="高企数量", value=3400, unit="家", comparator="about", deadline_year=2022,
                   time_text="今年", region="常州市", evidence=ev(text, "全市高企数量要达3400家左右")),
        ],
        meetings=[Meeting(
            name="全市产业发展大会", date="2022-02-07", time_text="虎年第一个工作日",
            organizers=["市委", "市政府"], chairs=[shenglei],
            attendees=[P("陈金虎", "市委书记"), shenglei, P("白云萍", "市政协主席"), P("戴源", "市政协党组书记")],
            topics=["加快打造长三角产业中轴", "奋力建设国际化智造名城"],
            evidence=ev(text, "市委、市政府召开全市产业发展大会"),
        )],
        run=run,
    )


def _r002(run: RunInfo) -> Record:
    # A traditional-script page where nothing was extracted but an error was recorded.
    stem = "002_cdf20a56a5e704e9"
    return Record(
        article=_article(stem, _seed_text(stem), title="咬定目標不放鬆 確保實現“全年紅”",
                         outlet="金坛时报", script="hant"),
        errors=[ErrorInfo(stage="validate", message="fixture: still invalid after 2 retries")],
        run=run,
    )


def _r003(run: RunInfo) -> Record:
    stem = "003_3082b797bd202168"
    text = _seed_text(stem)
    return Record(
        article=_article(stem, text, title="区委常委会集体调研金科园、金城镇工作", outlet="金坛时报"),
        meetings=[
            Meeting(name="区委常委会集体调研金科园、金城镇工作", date="--12-01", time_text="12月1日",
                    attendees=[P("狄志强", "区委书记"), P("陆秋明"), P("王跃中"), P("刘国新"), P("俞金红")],
                    evidence=ev(text, "12月1日,区委常委会集体调研金科园、金城镇工作")),
            Meeting(name="学习贯彻党的十九届五中全会精神宣讲工作动员会", time_text="昨天下午",
                    attendees=[P("刘明江", "区委常委、宣传部长、统战部长")],
                    evidence=ev(text, "我区召开学习贯彻党的十九届五中全会精神宣讲工作动员会")),
            Meeting(name="常州市人大常委会领导来坛调研经济工作", time_text="昨天上午",
                    attendees=[P("戴士福", "常州市人大常委会副主任"), P("石江水"), P("王新辉")],
                    evidence=ev(text, "常州市人大常委会副主任戴士福来我区调研经济工作")),
        ],
        run=run,
    )


def _r004(run: RunInfo) -> Record:
    stem = "004_dcb35c77580a043b"
    text = _seed_text(stem)
    named = "发布关于科技创新能级跃升、推进智造名城主引擎建设、机器人产业链卓越发展、集成电路产业链跃升发展等四方面实施意见"
    subjects = ["科技创新能级跃升", "推进智造名城主引擎建设", "机器人产业链卓越发展", "集成电路产业链跃升发展"]
    titles = [f"关于{s}的实施意见" for s in subjects]
    return Record(
        article=_article(stem, text, title="武进区发布四项实施意见"),
        policies=[Policy(title=t, doc_type="意见", issuers=["武进区委", "武进区政府"], region="武进区",
                         issued="--02-19", time_text="2月19日", evidence=ev(text, named)) for t in titles],
        targets=[
            Target(metric="优质科技型项目", value=600, unit="个", comparator="at_least", deadline_year=2023,
                   time_text="到2023年", region="武进区", policy=titles[0],
                   evidence=ev(text, "力争到2023年累计新增优质科技型项目600个以上")),
            Target(metric="上市企业", value=15, unit="家", deadline_year=2023, region="武进区",
                   policy=titles[0], evidence=ev(text, "新增上市企业15家")),
            Target(metric="全社会研发投入占地区生产总值比重", value=3.3, unit="%", deadline_year=2023,
                   region="武进区", policy=titles[0], evidence=ev(text, "全社会研发投入占地区生产总值比重达3.3%")),
            Target(metric="集成电路产业链重点企业", value=25, unit="家", comparator="exceed",
                   deadline_year=2023, region="武进区", policy=titles[3],
                   evidence=ev(text, "集成电路产业链重点企业突破25家")),
            Target(metric="销售收入", value=150, unit="亿元", comparator="exceed", deadline_year=2023,
                   region="武进区", policy=titles[3], evidence=ev(text, "销售收入突破150亿元")),
        ],
        meetings=[Meeting(name="“新春第一会”", date="--02-19", time_text="2月19日",
                          attendees=[P("李林", "副市长、武进区委书记")],
                          evidence=ev(text, "2月19日,武进区召开“新春第一会”"))],
        run=run,
    )


def seed_records(run: RunInfo = RUN_V1) -> list[Record]:
    """One hand-made record per seed page, in seed order."""
    return [build(run) for build in (_r000, _r001, _r002, _r003, _r004)]


def hostile_record(run: RunInfo = RUN_V1) -> Record:
    """Quotes, semicolons and an SQL comment in text, titles and names: stored verbatim?"""
    text = (f"标题“O'Brien”; 市长 Robert{HOSTILE} 主持会议。"
            f"会议发布《{HOSTILE}》政策; 到2025年 \"x\"; DELETE FROM targets 达到100家。")
    return Record(
        article=Article(id=f"evil{HOSTILE}#1", source=f"seeds/evil{HOSTILE}.txt",
                        source_sha256=hashlib.sha256(text.encode()).hexdigest(), index=1,
                        title=f"O'Brien; {HOSTILE}", outlet='"; DROP TABLE runs; --', text=text),
        policies=[Policy(title=HOSTILE, issuers=[f"区委'; {HOSTILE}"], region="金坛区'--",
                         evidence=ev(text, f"《{HOSTILE}》"))],
        targets=[Target(metric=f"DELETE FROM targets; {HOSTILE}", value=100, unit="家", deadline_year=2025,
                        region="金坛区'--", policy=HOSTILE, evidence=ev(text, "DELETE FROM targets 达到100家"))],
        meetings=[Meeting(name=f"会议{HOSTILE}", chairs=[P(f"Robert{HOSTILE}", "市长'; --")],
                          attendees=[P(f"Robert{HOSTILE}", "市长'; --")],
                          evidence=ev(text, f"Robert{HOSTILE} 主持会议"))],
        run=run.model_copy(update={"model": f"m'; {HOSTILE}"}),
    )


def synthetic_records(n: int, base: list[Record] | None = None) -> list[Record]:
    """n distinct records derived from `base`: new article ids and sha256, varied values.

    Built with model_copy (no re-validation) because the benchmark wants 10,000 quickly;
    evidence stays valid since texts and quotes are kept.
    """
    base = base or seed_records()
    out = []
    for i in range(n):
        src = base[i % len(base)]
        article = src.article.model_copy(update={
            "id": f"syn{i:06d}#1", "source": f"synthetic/syn{i:06d}.txt",
            "source_sha256": hashlib.sha256(f"syn{i}".encode()).hexdigest(),
        })
        targets = [t.model_copy(update={"value": t.value + i % 97, "deadline_year": 2021 + i % 10})
                   for t in src.targets]
        meetings = [m.model_copy(update={
            "attendees": [p.model_copy(update={"name": f"{p.name}{i % 50}"}) for p in m.attendees],
        }) for m in src.meetings]
        out.append(src.model_copy(update={"article": article, "targets": targets, "meetings": meetings}))
    return out


def real_run() -> Path | None:
    """The real seeds run, once someone has added it."""
    return REAL_RUN if REAL_RUN.exists() else None


def write_jsonl(path: Path, records: list[Record]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json() + "\n")
    return path
