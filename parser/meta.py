"""Title, agency, year and date of a report, and its six parts, read from the report's own words.

Reports state these in a few set forms: a title naming the agency and the year (often broken over
two or three lines), a sentence giving the statistics period (统计期限为2021年1月1日至12月31日), the
agency again in the opening sentences (由XX编制, XX认真贯彻…) and a signature with a date at the end.
Nothing is taken from a URL: URLs carry publication years and site names, not the report's.
"""

import re
import unicodedata
from datetime import date

from .document import Document
from .labels import ANNUAL_REPORT, simplified

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN = "〇○零OＯ一二三四五六七八九十"
_DATE = re.compile(
    rf"(\d{{4}}|[{_CN}]{{4}})\s*[-/.年]\s*(\d{{1,2}}|[{_CN}]{{1,3}})\s*[-/.月]\s*(\d{{1,2}}|[{_CN}]{{1,3}})\s*日?"
)
PUBLISHED_LABEL = re.compile(
    r"(?:发布日期|发布时间|发布于|公开日期|發佈日期|發布日期|發佈時間|發布時間)\s*[：:]?\s*"
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
_YEAR = re.compile(rf"(\d{{4}}|[{_CN}]{{4}})\s*年")
_PERIOD_YEAR = re.compile(
    rf"(\d{{4}}|[{_CN}]{{4}})\s*年\s*(?:1|一|01)\s*月\s*(?:1|一|01)\s*日\s*(?:起\s*)?(?:至|到|—|－|-|~|～)"
)
_YEAR_CONTEXT = re.compile(r"(\d{4})\s*年度?\s*[，,]")
_REPORT_PHRASE = re.compile(
    r"(?:政府信息公开|政务公开|信息公开|政府信息|工作年度报告|年度报告|年报|工作报告|报告)"
)
AGENCY_SUFFIX = re.compile(
    r"(?:人民政府|政府|委员会|管委会|办公厅|办公室|办事处|局|厅|委|办|院|中心|署|部|所|站|队|馆|镇|乡|街道)$"
)
_HAN = "\u4e00-\u9fff"
# The metadata block article pages print above the body (TRS, Hanweb, UCAP): label：value pairs,
# several to a line. Its labels, and the record keys they give.
METADATA_LABELS = {
    "索引号": "index_number",
    "发布机构": "agency",
    "发文机关": "agency",
    "发布单位": "agency",
    "发文单位": "agency",
    "信息来源": "source_agency",
    "来源": "source_agency",
    "发布日期": "published_date",
    "成文日期": "written_date",
    "公开日期": "published_date",
    "主题分类": "topic",
    "标题": "title",
    "文章标题": "title",
    "题目": "title",
    "名称": "title",
}
_LABELS = "|".join(sorted(METADATA_LABELS, key=len, reverse=True))
_METADATA = re.compile(
    rf"(?<![{_HAN}])({_LABELS})\s*[:：]\s*(.*?)\s*(?=(?<![{_HAN}])(?:{_LABELS})\s*[:：]|$)"
)
# A label printed before a name or a title (标题：平潭综合实验区…): never part of it.
LABEL_PREFIX = re.compile(rf"^\s*(?:{_LABELS})\s*[:：]\s*")
_NOT_TITLE = re.compile(r"[，。；：、《》>＞|]|根据|按照|^本|^正文$")
_SENTENCE_NAME = re.compile(
    rf"(?:^|[，。；、：\s]|年度?)([{_HAN}（）()]{{3,30}}?)(?:认真贯彻|深入贯彻|全面贯彻|坚持|高度重视|严格按照|严格落实)"
)
_COMPILED_BY = re.compile(rf"由([{_HAN}（）()]{{3,30}}?)(?=根据|依据|按照|负责|结合|编制)")

SECTION_KEYWORDS = {
    "overview": ("总体情况", "概述"),
    "active": ("主动公开政府信息", "主动公开情况", "主动公开工作情况"),
    "applications": ("收到和处理政府信息公开申请", "依申请公开", "政府信息公开申请情况"),
    "review": ("复议",),
    "problems": ("存在的主要问题", "主要问题", "存在问题", "改进情况"),
    "other": ("其他需要报告", "其他需报告", "其他事项"),
}
_NUMBERING = re.compile(
    r"^[#*\s]*(?:([一二三四五六七八九十]+[、.,，])|([(][一二三四五六七八九十\d]+[)]|\d+[、.]))?\s*"
)


def _number(s: str) -> int:
    """An Arabic or Chinese number: 2021, 二〇二一 (digit by digit), 十七, 二十三."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    n = 0
    for ch in s:
        n = n * 10 + _CN_DIGITS.get(ch, 0)
    return n


def iso_date(text: str | None) -> str | None:
    """The first date in ``text`` as yyyy-mm-dd (2022-01-17, 2022/1/17, 2022年1月17日, 二〇二二年一月十七日)."""
    m = _DATE.search(unicodedata.normalize("NFKC", text or "").replace("O", "〇"))
    if not m:
        return None
    try:
        return date(*(_number(g) for g in m.groups())).isoformat()
    except ValueError:
        return None


_SPACE_BY_HAN = re.compile(rf"\s+(?=[{_HAN}\d（）()])|(?<=[{_HAN}（）()])\s+")


def _clean(line: str) -> str:
    line = LABEL_PREFIX.sub("", unicodedata.normalize("NFKC", line).strip().strip("#*").strip())
    return _SPACE_BY_HAN.sub("", line)


def _lines(text: str) -> list[str]:
    return [c for c in (_clean(x) for x in text.splitlines()) if c]


def _titleish(line: str) -> bool:
    """Could this line be part of a title: short, no sentence punctuation, naming an agency or year."""
    if len(line) > 40 or _NOT_TITLE.search(line) or iso_date(line):
        return False
    return bool(_YEAR.search(line) or AGENCY_SUFFIX.search(line) or "信息公开" in line or "政务公开" in line)


_QUOTED_REPORT = re.compile(r"《([^《》]*\d{4}\s*年[^《》]*(?:年度报告|年报)[^《》]*)》")


def _unwrapped(title: str) -> str:
    """The report's own title in a cover title (关于印发《XX2020年政府信息公开工作年度报告》的通知)."""
    m = _QUOTED_REPORT.search(title)
    return m.group(1) if m else title


def title_from_lines(lines: list[str]) -> str | None:
    """The report's title from its first lines (cleaned: ``_lines``), joined when it is broken
    over lines."""
    lines = lines[:30]
    for i, line in enumerate(lines):
        if line.startswith(("关于", "《")) and _QUOTED_REPORT.search(line) and len(line) <= 80:
            return _unwrapped(line)
        if not ANNUAL_REPORT.search(line) or len(line) > 60 or _NOT_TITLE.search(line):
            continue
        start = i
        while start > 0 and i - start < 2 and _titleish(lines[start - 1]):
            start -= 1
        return "".join(lines[start : i + 1])
    return None


def _year_value(s: str) -> int | None:
    y = _number(s)
    return y if 1990 <= y <= 2100 else None


def year_of(title: str | None, text: str, spaced: str) -> int | None:
    """The report's year from its title, else its statistics period (in ``spaced``, the text
    through ``_clean_spaces``), else the year the text names most."""
    for m in _YEAR.finditer(title or ""):
        if (y := _year_value(m.group(1))) is not None:
            return y
    for m in _PERIOD_YEAR.finditer(spaced):
        if (y := _year_value(m.group(1))) is not None:
            return y
    counts: dict[int, int] = {}
    for m in _YEAR_CONTEXT.finditer(text):
        if (y := _year_value(m.group(1))) is not None:
            counts[y] = counts.get(y, 0) + 1
    return max(counts, key=lambda y: (counts[y], y)) if counts else None


def _clean_spaces(text: str) -> str:
    return re.sub(r"[ \t\u3000\u00a0]+", " ", unicodedata.normalize("NFKC", text))


def agency_from_title(title: str | None) -> str | None:
    """The agency named in a title: what is left without the year and the report wording."""
    if not title:
        return None
    t = re.sub(r"^(?:正文)?关于", "", _unwrapped(title))
    t = re.sub(_YEAR.pattern + "度?", "", t)
    m = _REPORT_PHRASE.search(t)
    name = t[: m.start()] if m else t
    if m and name.endswith("人民") and t.startswith("政府", m.start()):
        name += "政府"  # 北京市人民政府信息公开…: the 政府 belongs to the name
    name = re.sub(r"(?:关于|的)+$", "", name).strip(" 《》「」“”\"'（）()")
    if len(name) < 2 or re.search(r"\d", name) or name in ("本机关", "本单位", "我局", "我委"):
        return None
    return name


def _runs(text: str) -> list[str]:
    return re.findall(rf"[{_HAN}]+", text)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _continues(name: str, rest: str) -> bool:
    """Does the name go on past this point (卫生健康委|员会, 人民政府办|公室)?"""
    return (name[-1], rest[:1]) in {("委", "员"), ("办", "公"), ("办", "事"), ("部", "门"), ("局", "长")}


def full_names_for(abbreviation: str, text: str) -> list[str]:
    """Names in the text that ``abbreviation`` shortens (卫健委 -> 卫东区卫生健康委员会), most used first.

    A full name starts with the abbreviation's first character, holds its characters in order
    without holding it whole (乐清市卫生健康局办公室 is a part of 乐清市卫生健康局, not its full name)
    and ends like an agency name."""
    counts: dict[str, int] = {}
    for run in _runs(text):
        for start, ch in enumerate(run):
            if ch != abbreviation[0]:
                continue
            for end in range(start + len(abbreviation) + 1, min(len(run), start + 30) + 1):
                name = run[start:end]
                if abbreviation in name or not AGENCY_SUFFIX.search(name) or _continues(name, run[end:]):
                    continue
                if _is_subsequence(abbreviation, name):
                    counts[name] = counts.get(name, 0) + 1
    # The tail of another candidate (卫生健康委员会 of 卫东区卫生健康委员会) is not a full name; of a
    # name and its extensions (…委员会办公室, a part of it) the most used, then the shortest, wins.
    names = [n for n in counts if not any(n != o and o.endswith(n) for o in counts)]
    return sorted(names, key=lambda n: (-counts[n], len(n)))


def _date_line(line: str) -> str | None:
    """The date of a line that holds nothing else: 2022年1月17日, (二〇二二年一月十七日)."""
    bare = unicodedata.normalize("NFKC", line).strip(" ()[]【】")
    return iso_date(bare) if _DATE.fullmatch(bare) else None


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(agency, date) of the signature: a name line next to a date line at the end of the report,
    or under the title at its start."""
    for block in (range(len(lines) - 1, max(len(lines) - 12, 0), -1), range(1, min(len(lines), 8))):
        for i in block:
            day = _date_line(lines[i])
            if not day:
                continue
            name = lines[i - 1] if i > 0 else ""
            is_name = len(name) <= 30 and AGENCY_SUFFIX.search(name) and not _NOT_TITLE.search(name)
            return (name if is_name else None), day
    return None, None


def agency_from_body(text: str, lines: list[str]) -> list[str]:
    """Agency names the report states in set phrases, most telling first (``lines``: the text
    through ``_lines``)."""
    names = []
    signer, _ = _signature(lines)
    if signer:
        names.append(signer)
    head = text[:3000]
    for pattern in (_COMPILED_BY, _SENTENCE_NAME):
        for m in pattern.finditer(head):
            name = re.sub(r"^(?:在|由|经|本年度|年度)", "", m.group(1))
            if AGENCY_SUFFIX.search(name) and not name.startswith(("我", "本")):
                names.append(name)
    return names


def metadata_block(text: str) -> dict:
    """The page's own metadata (索引号, 发布机构, 发布日期 …) from the lines above the body, as
    {record key: value}: the first value of each key, dates as ISO dates."""
    found = {}
    for line in text.splitlines()[:20]:
        for label, value in _METADATA.findall(unicodedata.normalize("NFKC", line).strip()):
            key = METADATA_LABELS[label]
            value = iso_date(value) if key.endswith("_date") else re.sub(r"\s+", "", value)
            if value and key not in found:
                found[key] = value
    return found


def read_meta(doc: Document, text: str) -> dict:
    """title, agency, year (int), published_date (ISO) and index_number (索引号) of a report; None
    where not stated. The page's metadata block (发布机构, 发布日期) comes before the body's guesses."""
    text = simplified(text)
    lines, spaced = _lines(text), _clean_spaces(text)  # each pass over the whole text made once
    block = metadata_block(text)
    doc_title = _clean(simplified(doc.title)) if doc.title else None
    # The document's own title (page metadata, PDF properties) first, if it names a report; but a
    # generic one (政府信息公开工作年度报告, no agency in it) gives way to the title in the text.
    titles = [
        t
        for t in (
            doc_title if doc_title and ANNUAL_REPORT.search(doc_title) else None,
            title_from_lines(lines),
        )
        if t
    ]
    title = next((t for t in titles if agency_from_title(t)), titles[0] if titles else doc_title)
    agency = agency_from_title(title)
    body_names = agency_from_body(text, lines)
    publisher = block.get("agency")
    if publisher and AGENCY_SUFFIX.search(publisher) and not _NOT_TITLE.search(publisher):
        agency = publisher
    elif agency is None and body_names:
        agency = body_names[0]
    elif agency is not None:
        fuller = full_names_for(agency, text)
        if fuller:
            agency = fuller[0]
    _, signed = _signature(lines)
    labelled = PUBLISHED_LABEL.search(spaced)
    published = doc.published_date or block.get("published_date") or signed
    published = published or (iso_date(labelled.group(1)) if labelled else None)
    return {
        "title": title,
        "agency": agency,
        "year": year_of(title, text, spaced),
        "published_date": published,
        "index_number": block.get("index_number"),
    }


def _heading(line: str) -> tuple[str, int] | None:
    """(part, tier) when a line can be a part heading: tier 1 for a top-level numbered heading
    (一、…), tier 2 for a sub-numbered, markdown or very short line. Never a table row or a
    sentence (a wrapped line of the opening sentence names every part)."""
    if "\t" in line or line.lstrip().startswith("|"):
        return None
    line = unicodedata.normalize("NFKC", line).strip()
    m = _NUMBERING.match(line)
    key = line[m.end() :]
    numbered = bool(m.group(1) or m.group(2) or line.startswith("#"))
    key = re.sub(r"[\s#*]+", "", key).rstrip("。:.")
    if re.search(r"[,;，；。]", key) or not (2 <= len(key) <= 32) or not (numbered or len(key) <= 12):
        return None
    for part, words in SECTION_KEYWORDS.items():
        if any(w in key for w in words):
            if part == "review" and not ("诉讼" in key or "复议情况" in key):
                continue
            return part, 1 if m.group(1) else 2
    return None


def split_sections(text: str) -> dict:
    """The six parts of a report, split at their headings (found by keywords, in order); a part
    with no heading is "".

    Parts come in order, so a later heading of an earlier part (a table's own caption) is text.
    Top-level headings (一、总体情况) are placed first; a part still missing may then start at a
    lesser heading between its neighbours."""
    lines = text.splitlines()
    keys = simplified(text).splitlines()  # traditional text is matched simplified, returned as printed
    if len(keys) != len(lines):
        lines = keys
    order = list(SECTION_KEYWORDS)
    found = [(i, h) for i, line in enumerate(keys) if (h := _heading(line))]
    starts: dict[str, int] = {}
    for tier in (1, 2):
        for i, (part, t) in found:
            if t != tier or part in starts:
                continue
            before = [starts[p] for p in order[: order.index(part)] if p in starts]
            after = [starts[p] for p in order[order.index(part) + 1 :] if p in starts]
            if all(b < i for b in before) and all(i < a for a in after):
                starts[part] = i
    bounds = sorted((i, p) for p, i in starts.items()) + [(len(lines), "")]
    sections = dict.fromkeys(order, "")
    for (i, part), (end, _) in zip(bounds, bounds[1:], strict=False):
        sections[part] = "\n".join(lines[i + 1 : end]).strip()
    return sections
