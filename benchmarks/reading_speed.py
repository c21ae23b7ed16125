"""Reading speed: seconds to read, clean and segment one HTML page of 0.25 / 1 / 5 / 20 MB.

The pages are made up (numbered headings, paragraphs of generic government-news sentences, a
navigation bar and a footer), as big as asked. Reading and segmentation should be linear in
the page's size: the MB/s column stays about the same from one size to the next.

    python -m benchmarks.reading_speed            # 0.25 1 5 20
    python -m benchmarks.reading_speed 0.25 1     # just these sizes (MB)
"""
from __future__ import annotations

import sys
import time

SENTENCES = [
    "本报讯 到2025年，全区规模以上工业企业力争达到{n}家。",
    "会议强调，要坚持稳中求进工作总基调，推动第{n}批重点项目落地见效。",
    "今年以来，该区新增城镇就业{n}人，完成年度目标任务。",
    "区委常委会召开会议，研究部署第{n}项民生实事推进工作。",
    "《关于加快推进数字经济发展的实施意见（第{n}号）》印发实施。",
]


def make_page(megabytes: float) -> bytes:
    """An HTML page of about `megabytes` MB (UTF-8) with one <h2> article every few paragraphs."""
    target = int(megabytes * 1024 * 1024)
    head = ("<html><head><meta charset='utf-8'><title>某某日报 第1版</title></head><body>"
            "<nav><a href='/'>首页</a> <a href='/news'>新闻</a> <a href='/about'>关于我们</a></nav>")
    foot = "<footer>版权所有 某某日报社 备案号 000000</footer></body></html>"
    parts, size, n = [head], len(head.encode()), 0
    while size < target:
        n += 1
        block = [f"<h2>第{n}号片区推进产业升级</h2>"]
        for k in range(4):
            block.append("<p>" + "".join(s.format(n=n * 10 + k + j) for j, s in enumerate(SENTENCES)) + "</p>")
        text = "".join(block)
        parts.append(text)
        size += len(text.encode())
    parts.append(foot)
    return "".join(parts).encode("utf-8")


def read_seconds(data: bytes) -> tuple[float, int]:
    """(seconds to read and segment `data` as page.html, articles found)."""
    from extract.ingest.read import document_from_bytes
    from extract.ingest.segment import segment

    t0 = time.perf_counter()
    articles = segment(document_from_bytes(data, "page.html"))
    return time.perf_counter() - t0, len(articles)


def main(argv: list[str]) -> None:
    sizes = [float(a) for a in argv] or [0.25, 1, 5, 20]
    import extract.ingest.segment  # noqa: F401 - imports are not the page's time

    print(f"{'MB':>6} {'seconds':>8} {'MB/s':>6} {'articles':>8}")
    for mb in sizes:
        data = make_page(mb)
        seconds, articles = read_seconds(data)
        real = len(data) / 1024 / 1024
        print(f"{real:6.2f} {seconds:8.2f} {real / seconds:6.2f} {articles:8d}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
