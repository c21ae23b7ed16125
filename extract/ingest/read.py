"""Reading input files into documents: encoding detection, HTML/Markdown to visible text.

Every input becomes one `Document` whose `text` is the visible text of the page, paragraphs
separated by blank lines. Headings the markup marks (`#` lines, `<h1>`–`<h6>`, whole-bold
Markdown paragraphs) are stripped of their markup and listed in `Document.headings`, so the
segmenter can use them without the text carrying markup.
"""
from __future__ import annotations

import html as htmllib
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from hashlib import sha256
from pathlib import Path

import charset_normalizer
import frontmatter
import lxml.html
from lxml import etree

from extract.ingest.clean import find_outlet, is_furniture, page_date, parse_date_text

SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
STDIN = "-"
STDIN_SOURCE = "<stdin>"


class ReadError(Exception):
    """A file that could not be read; `str(e)` is one line naming the file."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path = str(path)
        self.message = " ".join(str(message).split())
        super().__init__(f"{self.path}: {self.message}")


@dataclass(frozen=True)
class Document:
    source: str
    sha256: str
    text: str
    fmt: str
    encoding: str
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    # (level, text) of the lines the markup marked as headings, in page order.
    headings: tuple[tuple[int, str], ...] = field(default=())
    # What reading let pass but the user should know (a few bad bytes replaced, at their offsets).
    warnings: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- paths


def iter_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | ReadError]:
    """Expand files and directories (recursively, sorted); "-" stands for stdin."""
    for raw in paths:
        if str(raw) == STDIN:
            yield Path(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield ReadError(path, "no such file or directory")


def _walk(root: Path) -> Iterator[Path | ReadError]:
    # os.walk follows symlinks; remembering (device, inode) of visited directories stops loops.
    seen: set[tuple[int, int]] = set()
    errors: list[ReadError] = []

    def onerror(exc: OSError) -> None:
        errors.append(ReadError(exc.filename or root, exc.strerror or str(exc)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=True):
        yield from errors
        errors.clear()
        try:
            st = os.stat(dirpath)
        except OSError as exc:
            yield ReadError(dirpath, exc.strerror or str(exc))
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames.sort()
        for name in sorted(filenames):
            if Path(name).suffix.lower() in SUFFIXES:
                yield Path(dirpath) / name
    yield from errors


def read_all(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document | ReadError]:
    """Read every input; a bad file yields its ReadError and never stops the others."""
    for item in iter_paths(paths):
        if isinstance(item, ReadError):
            yield item
            continue
        try:
            yield read_document(item)
        except ReadError as exc:
            yield exc


# --------------------------------------------------------------------------- documents


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read one file (or "-" for stdin) into a Document; raise ReadError when it cannot be."""
    source = STDIN_SOURCE if str(path) == STDIN else str(path)
    return document_from_bytes(_read_bytes(path, source), source)


TEXT_SOURCE = "<text>"


def document_from_text(text: str, source: str = TEXT_SOURCE, *, title: str | None = None,
                       published: str | date | None = None, outlet: str | None = None) -> Document:
    """A string as if it were a file named `source` holding it in UTF-8 (the format is guessed
    from the suffix of `source`, else from the text: plain text, Markdown or HTML).

    `title`, `published` (an ISO date, 2021-02-19 / 2021-02 / 2021, or a `date`) and `outlet`
    replace what the text itself says; raise ReadError for an empty text or an unreadable date.
    """
    doc = document_from_bytes(text.encode("utf-8"), source)
    changes: dict = {}
    if title is not None:
        changes["title"] = _meta_str(title)
    if published is not None:
        changes["published"] = _meta_date(published)
        if changes["published"] is None:
            raise ReadError(source, f"unreadable publication date {published!r}")
    if outlet is not None:
        changes["outlet"] = _meta_str(outlet)
    return replace(doc, **changes) if changes else doc


def document_from_bytes(data: bytes, source: str) -> Document:
    """The bytes of one file as a Document; raise ReadError when they cannot be read."""
    if not data.strip():
        raise ReadError(source, "empty file")
    warnings: list[str] = []
    text, encoding = decode(data, source, warnings)
    fmt = _format(Path(source).suffix.lower(), text)
    doc = _parse(text, fmt)
    warnings += doc.pop("warnings", ())
    if not doc["text"].strip():
        raise ReadError(source, "no visible text" + (f" ({warnings[-1]})" if warnings else ""))
    return Document(
        source=source,
        sha256=sha256(data).hexdigest(),
        fmt=fmt,
        encoding=encoding,
        warnings=tuple(warnings),
        **doc,
    )


def _read_bytes(path: str | os.PathLike[str], source: str) -> bytes:
    try:
        if str(path) == STDIN:
            return sys.stdin.buffer.read()
        p = Path(path)
        if p.is_dir():
            raise ReadError(source, "is a directory")
        return p.read_bytes()
    except FileNotFoundError:
        raise ReadError(source, "no such file or directory") from None
    except OSError as exc:
        raise ReadError(source, exc.strerror or str(exc)) from None


def _format(suffix: str, text: str) -> str:
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    head = text.lstrip()[:500].lower()
    if head.startswith("---"):
        return "md"
    if head.startswith("<") or "<html" in head or "<body" in head:
        return "html"
    return "txt"


def _parse(text: str, fmt: str) -> dict:
    if fmt == "html":
        return parse_html(text)
    if fmt == "txt" and "<" in text:
        # In plain text a '<' is markup only where it makes a whole tag (a dropped container such
        # as <script> or <svg> only when it is closed): the rest is text and is kept.
        doc = _parse_md(_txt_literal(text))
        back = lambda t: t.replace(_LITERAL_LT, "<") if t else t  # noqa: E731
        return {**doc, "text": back(doc["text"]), "title": back(doc["title"]),
                "headings": tuple((level, back(h)) for level, h in doc["headings"])}
    return _parse_md(text)


_AUTOLINK_AT = re.compile(r"<(?:https?|ftp|mailto):[^<>\s]*>", re.I)
_LITERAL_LT = "\ue0ff"  # a '<' that is text in a .txt page, kept through parsing, restored after
_VOID = {"br", "hr", "img", "meta", "link", "input", "embed", "frame", "wbr", "area", "base", "col", "source"}
_INLINE_TAGS = {"br", "span", "a", "b", "i", "u", "em", "strong", "font", "img", "th", "td", "sup", "sub",
                "small", "big", "s", "strike", "label", "abbr", "code", "tt", "wbr", "nobr", "title", "q",
                "cite", "mark", "del", "ins", "time"}
_WHOLE_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_:][-\w:.]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|"""
                        r"""[^\s"'<>`=]+))?)*)\s*(/?)>""")


def _txt_literal(text: str) -> str:
    """`text` with every '<' that does not open markup replaced by _LITERAL_LT."""
    import bisect

    known = _DROP_TAGS | _BLOCK_TAGS | _INLINE_TAGS
    closers: dict[str, list[int]] = {}
    out, last = [], 0
    for m in re.finditer("<", text):
        i = m.start()
        tag = _WHOLE_TAG.match(text, i)
        markup = False
        if tag and tag.group(2).lower() in known:
            name = tag.group(2).lower()
            markup = True
            if name in _DROP_TAGS and not tag.group(1) and not tag.group(4) and name not in _VOID:
                if name not in closers:
                    closers[name] = [c.start() for c in re.finditer(rf"</{name}\s*>", text, re.I)]
                at = closers[name]
                markup = bisect.bisect_left(at, tag.end()) < len(at)  # closed later in the page
        elif text.startswith("<!--", i):
            markup = text.find("-->", i + 4) >= 0
        elif _AUTOLINK_AT.match(text, i):
            markup = True  # <https://…>: Markdown's autolink, dropped as before
        if not markup:
            out.append(text[last:i])
            out.append(_LITERAL_LT)
            last = i + 1
    out.append(text[last:])
    return "".join(out)


def _parse_md(text: str) -> dict:
    meta, body = _front_matter(text)
    parsed = parse_html(markdown_to_html(body))
    marked = [t for level, t in parsed["headings"] if level <= 2]
    title = _meta_str(meta.get("title")) or (marked[0] if marked else None)
    published = _meta_date(meta.get("date")) or parsed["published"]
    outlet = _meta_outlet(meta) or parsed["outlet"]
    return {**parsed, "title": title, "published": published, "outlet": outlet}


# --------------------------------------------------------------------------- encoding

_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_-]+)""", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "gb_2312", "cp936", "x-gbk", "euc-cn"}


def decode(data: bytes, source: str = "<bytes>", warnings: list[str] | None = None) -> tuple[str, str]:
    """Decode bytes as UTF-8, GB18030 (⊃ GB2312/GBK) or Big5; never guess into mojibake.

    A few stray bytes in an otherwise clean GB18030 or Big5 page (at most 1 in 2,000, and 8 in
    all) are replaced with U+FFFD and reported in `warnings` with the offset of the first; more reject
    the page (ReadError, with the real offset of the first bad byte)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(enc, errors="strict"), enc, source), enc
    if b"\x00" in data:
        raise ReadError(source, "binary file (contains NUL bytes)")
    try:
        return _checked(data.decode("utf-8"), "utf-8", source), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if _mostly_utf8(data):
        # Plenty of valid UTF-8 Chinese plus a bad byte: a corrupt UTF-8 file, which any
        # legacy codec would turn into mojibake.
        raise ReadError(source, f"invalid UTF-8 byte at offset {utf8_error.start}")
    candidates = {}
    for enc in ("gb18030", "big5"):
        try:
            candidates[enc] = data.decode(enc)
        except UnicodeDecodeError:
            pass
    if not candidates:
        lenient = _lenient(data, ("gb18030", "big5"), source, warnings)
        if lenient is not None:
            return lenient
        first = max(_first_bad(data, enc) for enc in ("utf-8", "gb18030", "big5"))
        raise ReadError(source, f"undecodable bytes (not UTF-8, GB18030 or Big5) at offset {first}")
    enc = _choose(data, candidates)
    return _checked(candidates[enc], enc, source), enc


_MAX_BAD = 8  # stray bytes replaced at most per page (and at most 1 per 2,000 bytes)


def _first_bad(data: bytes, enc: str) -> int:
    try:
        data.decode(enc)
    except UnicodeDecodeError as exc:
        return exc.start
    return len(data)


def _lenient(data: bytes, encodings: tuple[str, ...], source: str,
             warnings: list[str] | None) -> tuple[str, str] | None:
    """The decoding (of `encodings`) that needs the fewest replaced bytes, if they are few."""
    found = []
    for enc in encodings:
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if 0 < bad <= min(_MAX_BAD, max(1, len(data) // 2000)):
            found.append((bad, -_plausibility(text), enc, text))
    if not found:
        return None
    bad, _, enc, text = min(found)
    if warnings is not None:
        warnings.append(f"{bad} undecodable byte{'s' if bad > 1 else ''} replaced with U+FFFD ({enc}), "
                        f"the first at offset {_first_bad(data, enc)}")
    _checked(text.replace("\ufffd", ""), enc, source)  # the rest must still be text
    return text, enc


def _mostly_utf8(data: bytes) -> bool:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return good >= 20 and bad <= good * 0.02


def _choose(data: bytes, candidates: dict[str, str]) -> str:
    if len(candidates) == 1:
        return next(iter(candidates))
    declared = _declared(data)
    if declared in candidates:
        return declared
    best = charset_normalizer.from_bytes(data, cp_isolation=list(candidates)).best()
    if best is not None:
        name = best.encoding.replace("_", "").lower()
        if name in ("big5", "big5hkscs", "cp950"):
            return "big5"
        if name in {e.replace("_", "") for e in _GB_FAMILY}:
            return "gb18030"
    # Fall back to the decoding with the larger share of common (BMP, non-private) Han text.
    return max(candidates, key=lambda e: _plausibility(candidates[e]))


def _declared(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    if name.startswith("big5"):
        return "big5"
    return None


def _plausibility(text: str) -> float:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    odd = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or ord(ch) > 0xFFFF or "\u3400" <= ch <= "\u4dbf")
    return (han - 5 * odd) / max(len(text), 1)


def _checked(text: str, enc: str, source: str) -> str:
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        raise ReadError(source, f"binary file (control characters when read as {enc})")
    if "\ufffd" in text and text.count("\ufffd") > len(text) // 200:
        raise ReadError(source, f"replacement characters in the {enc} text")
    return text


# --------------------------------------------------------------------------- front matter


def _front_matter(text: str) -> tuple[dict, str]:
    if not text.lstrip().startswith("---"):
        return {}, text
    try:
        post = frontmatter.loads(text.lstrip())
    except Exception:  # malformed YAML: read the file as plain text rather than fail
        return {}, text
    return dict(post.metadata), post.content


def _meta_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _meta_date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    found = parse_date_text(value)
    if found:
        return found
    try:
        return parsedate_to_datetime(value.strip()).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _meta_outlet(meta: dict) -> str | None:
    for key in ("outlet", "publisher", "source"):
        if _meta_str(meta.get(key)) and not re.match(r"https?:", str(meta[key])):
            return _meta_str(meta[key])
    values: list[str] = []
    for key in ("categories", "tags", "category"):
        value = meta.get(key)
        values.extend(map(str, value) if isinstance(value, list) else [str(value or "")])
    # Only a newspaper-like name counts: site sections (金融, 新浪财经－国內) do not name an outlet.
    return find_outlet("\n".join(values), anywhere=True)


# --------------------------------------------------------------------------- markdown

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_MD_AUTOLINK = re.compile(r"<((?:https?:)?//[^>\s]+)>")
_MD_STRONG = re.compile(r"(\*\*|__)(.+?)\1", re.S)
_MD_BOLD_PARA = re.compile(r"^\s*(\*\*|__)(?P<body>[^*_].*?)\1\s*$", re.S)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|<!--")


def markdown_to_html(text: str) -> str:
    """Markdown (with inline HTML) to HTML; paragraphs with tags pass through untouched."""
    out = []
    for para in re.split(r"\n[ \t\u3000\xa0]*\n", text):
        if not para.strip():
            continue
        out.append(para if _TAG.search(para) else _md_paragraph(para))
    return "\n".join(out)


def _md_paragraph(para: str) -> str:
    bold = _MD_BOLD_PARA.match(para)
    if bold and not _MD_STRONG.search(bold.group("body")):
        # A whole-bold paragraph is a banner or subheading, not body text.
        return f"<h3>{_md_inline(bold.group('body'))}</h3>"
    html_parts, lines = [], []
    for line in para.split("\n"):
        m = _MD_HEADING.match(line)
        if m:
            if lines:
                html_parts.append(f"<p>{'<br>'.join(lines)}</p>")
                lines = []
            level = len(m.group(1))
            html_parts.append(f"<h{level}>{_md_inline(m.group(2))}</h{level}>")
        elif line.strip():
            lines.append(_md_inline(line))
    if lines:
        html_parts.append(f"<p>{'<br>'.join(lines)}</p>")
    return "\n".join(html_parts)


def _md_inline(text: str) -> str:
    text = htmllib.escape(text, quote=False)
    text = _MD_IMAGE.sub("", text)
    text = _MD_AUTOLINK.sub("", text.replace("&lt;", "<").replace("&gt;", ">"))
    text = htmllib.escape(text.replace("&amp;", "&"), quote=False)
    text = _MD_LINK.sub(lambda m: f'<a href="{htmllib.escape(m.group(2))}">{m.group(1)}</a>', text)
    text = _MD_STRONG.sub(r"\2", text)
    return text.replace("\\*", "*").replace("\\#", "#").replace("\\_", "_")


# --------------------------------------------------------------------------- html

_DROP_TAGS = {
    "script", "style", "noscript", "nav", "header", "footer", "form", "iframe", "aside",
    "button", "select", "input", "textarea", "object", "embed", "svg", "template", "head",
    "audio", "video", "canvas", "map", "frameset", "frame", "link", "meta",
}
_CHROME_TOKENS = {
    "nav", "navbar", "navigation", "menu", "menus", "footer", "foot", "header", "breadcrumb",
    "breadcrumbs", "crumb", "crumbs", "share", "sharing", "comment", "comments", "sidebar",
    "copyright", "login", "search", "toolbar", "social", "ad", "ads", "advert", "advertisement",
    "qr", "qrcode", "related", "recommend", "pager", "pagination", "sitemap",
}
_BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr", "section",
    "article", "blockquote", "dl", "dt", "dd", "pre", "center", "main", "body", "html", "tbody",
    "thead", "tfoot", "caption", "figure", "figcaption", "address", "hr", "fieldset", "legend",
}
_LINK_LIST_TAGS = {"ul", "ol", "div", "p", "table", "tr", "td", "dl", "section", "li"}
_HEADING_TAGS = {f"h{i}": i for i in range(1, 7)}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_SOFT = "\x01"  # a source line break inside running text (HTML renders it as a space)
_DATE_META = ("article:published_time", "pubdate", "publishdate", "publish_date", "date",
              "dc.date", "og:published_time", "datepublished")


def parse_html(markup: str) -> dict:
    """HTML to visible text, title, published date, outlet, headings, and warnings (what reading
    let pass)."""
    root, warnings = _html_root(markup)
    if root is None:
        return {"text": "", "title": None, "published": None, "outlet": None, "headings": (), "warnings": ()}
    published = _html_meta_date(root)
    doc_title = _text_of(root.find(".//title")) if root.find(".//title") is not None else ""
    _strip_chrome(root)
    _prune_link_lists(root)
    text, headings = _render_text(root)
    published = published or page_date(text)
    outlet = find_outlet(text)
    h1 = next((t for level, t in headings if level == 1), None)
    headline = None
    main = _main_block(root, text)
    if main is not None:
        main_text, headings = _render_text(main)
        headline = _headline_before(text, main_text)
        text = f"{headline}\n\n{main_text}" if headline and headline not in main_text.split("\n") else main_text
    title = h1 or headline or _title_tag(doc_title) or _first_heading(headings) or _first_short_block(text)
    return {"text": text, "title": title, "published": published, "outlet": outlet, "headings": headings,
            "warnings": warnings}


def _render_text(el) -> tuple[str, tuple[tuple[int, str], ...]]:
    headings: list[tuple[int, str]] = []
    chunks: list[str] = []
    _render(el, chunks, headings)
    return _finish("".join(chunks)), tuple(headings)


_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def _han(text: str) -> int:
    # Counted on what is left once the rest is removed: a list of one string per character
    # (findall) took over 500 MB on a 20 MB page.
    return len(_NOT_HAN.sub("", text))


def _main_block(root, text: str):
    """The element holding most of the page's Chinese text, when text chrome surrounds it."""
    total = _han(text)
    if total < 100:
        return None
    best = None
    for el in root.iter("div", "td", "article", "section", "main"):
        # Document order: the last element of a nested chain that qualifies is the deepest.
        if _han("".join(el.itertext())) >= 0.6 * total:
            best = el
    if best is None:
        return None
    inner = set(_render_text(best)[0].split("\n"))
    outside = [
        ln for ln in text.split("\n")
        if ln and ln not in inner and _han(ln) >= 2 and not parse_date_text(ln, metadata_only=True)
    ]
    # A headline and a date line outside the article are not chrome; several other blocks are.
    return best if len(outside) >= 4 and _han("".join(outside)) >= 0.1 * total else None


def _headline_before(text: str, main_text: str) -> str | None:
    lines = text.split("\n")
    first = next((ln for ln in main_text.split("\n") if ln), "")
    if first not in lines:
        return None
    for line in reversed(lines[: lines.index(first)][-8:]):
        if not line or parse_date_text(line, metadata_only=True) or is_furniture(line):
            continue
        if len(line) > 80:
            return None
        if _han(line) >= 6:
            return line
    return None


def _html_root(markup: str) -> tuple[object, tuple[str, ...]]:
    """The parsed page and what reading it let pass. libxml2 builds no element deeper than 256
    and silently drops what lies below (old sites nest hundreds of unclosed <font>…<br>): a
    page that reaches that depth is flattened (`flatten_html`) and parsed again, and one that
    still reaches it says so."""
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    if not markup.strip():
        return None, ()
    root = _feed(markup)
    if root is None or not _AT_DEPTH_LIMIT(root):
        return root, ()
    root = _feed(flatten_html(markup))
    if root is None or not _AT_DEPTH_LIMIT(root):
        return root, ()
    return root, (f"HTML nested deeper than the parser reads ({_PARSER_DEPTH} elements): text below that "
                  "depth may be missing",)


def _feed(markup: str):
    # Fed in slices rather than parsed in one call: one libxml2 call over a 20 MB page holds the
    # interpreter for seconds, and Ctrl-C only takes effect between calls.
    parser = lxml.html.HTMLParser()
    try:
        for i in range(0, len(markup), _PARSE_SLICE):
            parser.feed(markup[i : i + _PARSE_SLICE])
        return parser.close()
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


_PARSE_SLICE = 1 << 18  # characters fed to the HTML parser at a time
_PARSER_DEPTH = 256  # libxml2's HTML parser: no element deeper (without XML_PARSE_HUGE)
# An element this deep: the parser stopped at its limit, or nearly (one XPath step per level,
# evaluated in C: about 0.04 s for a million elements).
_AT_DEPTH_LIMIT = etree.XPath("boolean(/*" + "/*" * (_PARSER_DEPTH - 8) + ")")
_FLAT_DEPTH = 200  # elements kept open by flatten_html: the parser's implied ones fit under 256
_HTML_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][A-Za-z0-9:-]*)([^>]*)>", re.S)
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp"}  # their content is no markup
_CLOSES_ITSELF = {"p", "li", "dt", "dd", "tr", "td", "th", "option"}  # <li> after <li> closes it


def flatten_html(markup: str, depth: int = _FLAT_DEPTH) -> str:
    """The same text with no element nested deeper than `depth`: past it a start tag and its end
    tag are dropped (a block's become <br>, so lines stay apart). Tags only are dropped, never
    text. The nesting is followed as the parser does, closely enough: void elements, text-only
    elements, and the usual implied ends (<p> before a block, <li> after <li>)."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (name, kept); kept ones are all below dropped ones
    where: dict[str, list[int]] = {}  # name → its positions on the stack, so an end tag finds it at once
    kept = 0

    def pop_to(n: int) -> bool:
        nonlocal kept
        top = stack[n]
        for name, was_kept in stack[n:]:
            where[name].pop()
            kept -= was_kept
        del stack[n:]
        return top[1]

    pos = 0
    for m in _HTML_TOKEN.finditer(markup):
        if m.start() < pos:
            continue  # inside a text-only element already copied
        out.append(markup[pos:m.start()])
        pos = m.end()
        token, end, name = m.group(0), m.group(1), (m.group(2) or "").lower()
        if not name or name in _VOID or (not end and m.group(3).rstrip().endswith("/")):
            out.append(token)  # a comment, or an element that holds nothing
            continue
        if end:
            if not where.get(name):
                out.append(token)  # an end tag with no start: the parser ignores it too
            elif pop_to(where[name][-1]):
                out.append(token)
            else:
                out.append("<br>" if name in _BLOCK_TAGS else "")
            continue
        if name in _RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.I).search(markup, pos)
            stop = close.end() if close else len(markup)
            out.append(token + markup[pos:stop])
            pos = stop
            continue
        top = stack[-1][0] if stack else None
        if (top == name and name in _CLOSES_ITSELF) or (top == "p" and name in _BLOCK_TAGS):
            pop_to(len(stack) - 1)
        keep = kept < depth
        where.setdefault(name, []).append(len(stack))
        stack.append((name, keep))
        kept += keep
        out.append(token if keep else ("<br>" if name in _BLOCK_TAGS else ""))
    out.append(markup[pos:])
    return "".join(out)


def _html_meta_date(root) -> str | None:
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in _DATE_META and meta.get("content"):
            found = parse_date_text(meta.get("content"))
            if found:
                return found
    return None


def _class_tokens(el) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)  # camelCase: appendQr -> append Qr
    return {t for t in re.split(r"[\s_\-]+", raw.lower()) if t}


def _strip_chrome(root) -> None:
    for el in list(root.iter()):
        if el.getparent() is None and el is not root:
            continue  # already dropped with an ancestor
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.getparent() is not None:
                el.drop_tree()
            continue
        tag = el.tag.lower()
        if el is root or tag in ("body", "html"):
            continue
        if tag in _DROP_TAGS or _HIDDEN.search(el.get("style") or "") or _class_tokens(el) & _CHROME_TOKENS:
            el.drop_tree()


def _prune_link_lists(el) -> None:
    """Drop blocks whose text is mostly link text (menus, 'related' lists, ad link lists)."""
    for child in list(el):
        if not isinstance(child.tag, str):
            continue
        if child.tag.lower() in _LINK_LIST_TAGS and _is_link_list(child):
            child.drop_tree()
        else:
            _prune_link_lists(child)


def _is_link_list(el) -> bool:
    total = len(re.sub(r"\s+", "", "".join(el.itertext())))
    if total == 0:
        return False
    linked = sum(len(re.sub(r"\s+", "", "".join(a.itertext()))) for a in el.iter("a"))
    return linked > 0 and linked / total >= 0.6


def _render(el, out: list[str], headings: list[tuple[int, str]]) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag == "br":
        out.append("\n")
    elif tag in _HEADING_TAGS:
        text = _finish(_inline_text(el))
        if text:
            out.append(f"\n\n{text}\n\n")
            headings.extend((_HEADING_TAGS[tag], line) for line in text.split("\n") if line)
    else:
        block = tag in _BLOCK_TAGS
        if tag == "td" or tag == "th":
            out.append(" ")
        if block:
            out.append("\n\n")
        if el.text:
            out.append(_soft(el.text))
        for child in el:
            if isinstance(child.tag, str):
                _render(child, out, headings)
            if child.tail:
                out.append(_soft(child.tail))
        if block:
            out.append("\n\n")


def _inline_text(el) -> str:
    chunks: list[str] = []
    _render_inline(el, chunks)
    return "".join(chunks)


def _render_inline(el, out: list[str]) -> None:
    if isinstance(el.tag, str) and el.tag.lower() == "br":
        out.append("\n")
    if el.text:
        out.append(_soft(el.text))
    for child in el:
        if isinstance(child.tag, str):
            _render_inline(child, out)
        if child.tail:
            out.append(_soft(child.tail))


def _soft(text: str) -> str:
    # Source whitespace containing a newline is a soft break: nothing between Chinese
    # characters, a space elsewhere (decided in _finish once neighbours are known).
    return re.sub(r"[ \t\r\f\v]*\n[\s]*", _SOFT, text)


def _finish(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u3000", " ").replace("\u200b", "")
    text = re.sub(rf"(?<=[{_CJK}])[ \t{_SOFT}]*{_SOFT}[ \t{_SOFT}]*(?=[{_CJK}])", "", text)
    text = re.sub(rf"[ \t{_SOFT}]+", " ", text)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _text_of(el) -> str:
    return _finish(_soft("".join(el.itertext()))) if el is not None else ""


def _title_tag(title: str) -> str | None:
    # "<headline>_<site>" / "<headline> | <site>": keep the headline part.
    parts = [p.strip() for p in re.split(r"\s*[_|｜]\s*|\s+-\s+", title) if p.strip()]
    return parts[0] if parts else None


def _first_heading(headings: list[tuple[int, str]]) -> str | None:
    return min(headings, key=lambda h: h[0])[1] if headings else None


def _first_short_block(text: str) -> str | None:
    # Pages without any heading markup: the first short line with enough Chinese is the headline.
    lines = text.split("\n")[:8]
    for n, line in enumerate(lines):
        if not line:
            continue
        if n + 1 < len(lines) and lines[n + 1] and len(line + lines[n + 1]) <= 60:
            line += lines[n + 1]  # a headline broken by <br>
        han = len(re.findall(r"[\u4e00-\u9fff]", line))
        if 6 <= han and len(line) <= 60 and not parse_date_text(line, metadata_only=True):
            return line
    return None
