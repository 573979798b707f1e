"""The project's vocabulary: the two official table templates (codes, Chinese labels, how to
recognise a label), the words a report title is made of, and the file types and download
gateways of attachments. Crawler and parser both read it from here.

Labels are matched on a *key*: the label with traditional characters made simplified, full-width
forms folded (NFKC), and everything but CJK characters dropped. Keys survive the usual damage:
stray spaces inside a label, labels split over lines or cells, quotes and brackets of either width,
and a character misread by OCR as its look-alike (仃政许可 for 行政许可; data/lookalikes.csv, the one
list of look-alike characters, which the region index reads too).
"""

import csv
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from urllib.parse import parse_qsl, unquote, urlsplit

from opencc import OpenCC

_t2s = OpenCC("t2s")

APPLICANTS = [
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_service",
    "other",
    "total",
]
APPLICANT_LABELS = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_service": "法律服务机构",
    "other": "其他",
    "total": "总计",
}

# Application rows in template order: (code, Chinese label, keywords any of which names the row).
APPLICATION_ROWS = [
    ("new", "本年新收政府信息公开申请数量", ("新收",)),
    ("carried_over", "上年结转政府信息公开申请数量", ("上年结转", "上年转结", "上年度结转")),
    ("granted", "（一）予以公开", ("予以公开",)),
    ("partially_granted", "（二）部分公开", ("部分公开",)),
    ("denied.state_secret", "属于国家秘密", ("国家秘密",)),
    ("denied.prohibited_by_law", "其他法律行政法规禁止公开", ("其他法律", "法规禁止", "行政法规禁")),
    ("denied.security_stability", "危及“三安全一稳定”", ("三安全", "一稳定", "危及")),
    ("denied.third_party", "保护第三方合法权益", ("第三方",)),
    ("denied.internal_affairs", "属于三类内部事务信息", ("内部事务",)),
    ("denied.process_info", "属于四类过程性信息", ("过程性",)),
    ("denied.enforcement_file", "属于行政执法案卷", ("执法案卷",)),
    ("denied.query_matter", "属于行政查询事项", ("查询事项",)),
    ("unable.not_held", "本机关不掌握相关政府信息", ("不掌握",)),
    ("unable.needs_creation", "没有现成信息需要另行制作", ("另行制作", "没有现成", "现成信息")),
    ("unable.unclear", "补正后申请内容仍不明确", ("不明确", "补正后")),
    ("not_processed.petition", "信访举报投诉类申请", ("信访", "举报投诉")),
    ("not_processed.duplicate", "重复申请", ("重复申请",)),
    ("not_processed.publication", "要求提供公开出版物", ("出版物",)),
    ("not_processed.mass_repeated", "无正当理由大量反复申请", ("大量反复", "反复申请")),
    (
        "not_processed.confirm_reissue",
        "要求行政机关确认或重新出具已获取信息",
        ("确认或重", "重新出具", "已获取信息"),
    ),
    ("other", "（六）其他处理", ()),  # one row in the 2019 template (and in some 2021 reports)
    ("other.no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ("不补正",)),
    (
        "other.no_fee",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("缴纳费用", "收费通知"),
    ),
    ("other.other", "其他", ()),
    ("handled_total", "（七）总计", ()),
    ("carried_forward", "结转下年度继续办理", ("结转下年", "转结下年", "下年度继续", "结转下一年")),
]
APPLICATION_ROW_LABELS = {code: label for code, label, _ in APPLICATION_ROWS}
OUTCOME_ROWS = [
    code
    for code, _, _ in APPLICATION_ROWS
    if code.split(".")[0] in ("granted", "partially_granted", "denied", "unable", "not_processed", "other")
]
ROWS_2021 = [code for code, _, _ in APPLICATION_ROWS if code != "other"]
ROWS_2019 = [code for code, _, _ in APPLICATION_ROWS if not code.startswith("other.")]

# Active disclosure (第二十条): item -> (label, keywords), and the metrics of each template.
ACTIVE_ITEMS = {
    "rules": ("规章", ()),
    "regulatory_documents": ("行政规范性文件", ("规范性文件",)),
    "licensing": ("行政许可", ("行政许可",)),
    "other_services": ("其他对外管理服务事项", ("对外管理服务", "其他对外管理")),
    "penalty": ("行政处罚", ("行政处罚",)),
    "coercion": ("行政强制", ("行政强制",)),
    "fees": ("行政事业性收费", ("事业性收费",)),
    "procurement": ("政府集中采购", ("集中采购",)),
}
ACTIVE_METRICS = {
    "2021": {
        "rules": ["issued", "repealed", "in_force"],
        "regulatory_documents": ["issued", "repealed", "in_force"],
        "licensing": ["decisions"],
        "penalty": ["decisions"],
        "coercion": ["decisions"],
        "fees": ["amount_10k_yuan"],
    },
    "2019": {
        "rules": ["new_made", "new_published", "total_published"],
        "regulatory_documents": ["new_made", "new_published", "total_published"],
        "licensing": ["prev_year_items", "change", "decisions"],
        "other_services": ["prev_year_items", "change", "decisions"],
        "penalty": ["prev_year_items", "change", "decisions"],
        "coercion": ["prev_year_items", "change", "decisions"],
        "fees": ["prev_year_items", "change"],
        "procurement": ["items", "amount"],
    },
}
METRIC_LABELS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（万元）",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "prev_year_items": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
    "amount": "采购总金额",
}
# Words that only the 2019 active-disclosure table uses, and only the 2021 one.
TEMPLATE_2019_WORDS = ("新制作", "新公开", "对外公开总数", "上一年项目", "增减", "集中采购", "对外管理服务")
TEMPLATE_2021_WORDS = ("制发件数", "废止件数", "现行有效", "处理决定数量", "收费金额")

PROCEEDINGS = ["review", "litigation_direct", "litigation_after_review"]
PROCEEDING_LABELS = {
    "review": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
OUTCOME_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

RULE_LABELS = {
    "row_total": "各类申请人之和等于总计",
    "balance": "新收+上年结转 = 办理总计+结转下年度",
    "handled_sum": "各办理结果之和等于办理总计",
    "review_sum": "维持+纠正+其他+尚未审结 = 总计",
    "narrative": "正文与表格一致",
}

_NOT_CJK = re.compile(r"[^\u3400-\u9fff]+")
# The words the label matchers below look for besides the rows' and items' own.
_MATCHED = "其他处理总计申请人情况勾稽复议诉讼起诉未经直接规章"


@lru_cache(maxsize=1)
def lookalikes() -> dict[str, str]:
    """Each character's look-alikes (what OCR or a mistyped name gives instead of it)."""
    with (resources.files(__package__) / "data" / "lookalikes.csv").open(encoding="utf-8") as f:
        return {r["char"]: r["lookalikes"] for r in csv.DictReader(f)}


@lru_cache(maxsize=1)
def _misread() -> dict[int, str]:
    """A look-alike of a character of the label vocabulary, itself in no label, read as that
    character (仃 as 行); a look-alike of two vocabulary characters is left as it is."""
    words = [label for _, label, _ in APPLICATION_ROWS] + [w for _, _, ws in APPLICATION_ROWS for w in ws]
    words += [label for label, _ in ACTIVE_ITEMS.values()] + [
        w for _, ws in ACTIVE_ITEMS.values() for w in ws
    ]
    vocabulary = set(_NOT_CJK.sub("", "".join(words) + _MATCHED))
    seen: dict[str, set[str]] = {}
    for ch in vocabulary:
        for alike in lookalikes().get(ch, ""):
            if alike not in vocabulary:
                seen.setdefault(alike, set()).add(ch)
    return {ord(alike): chars.pop() for alike, chars in seen.items() if len(chars) == 1}


@lru_cache(maxsize=65536)
def key(label: str) -> str:
    """The matching key of a label: simplified CJK characters only, OCR's look-alikes of the
    vocabulary's characters read as those characters."""
    return _NOT_CJK.sub("", _t2s.convert(unicodedata.normalize("NFKC", label))).translate(_misread())


@lru_cache(maxsize=65536)  # the same few hundred labels in every report: matched once each
def application_row(label: str) -> str | None:
    """The application row a label names, the most specific one when it names several."""
    k = key(label)
    if not k:
        return None
    for code, _, words in APPLICATION_ROWS:
        if words and any(w in k for w in words):
            return code
    if k.endswith("其他"):  # "3.其他" under (六), possibly after its repeated group label
        return "other.other"
    if "其他处理" in k:
        return "other"
    if k.endswith("总计") and "申请人" not in k:
        return "handled_total"
    return None


@lru_cache(maxsize=65536)
def active_item(label: str) -> str | None:
    k = key(label)
    if not k:
        return None
    for item, (_, words) in ACTIVE_ITEMS.items():
        if any(w in k for w in words):
            return item
    if k == "规章" or k.endswith("规章"):
        return "rules"
    return None


@lru_cache(maxsize=65536)
def proceeding(label: str) -> str | None:
    """The one proceeding a row label names (a review table printed one labelled row per
    proceeding); None when it names none, or several, as a header does."""
    k = key(label)
    named = set()
    if "复议后" in k:
        named.add("litigation_after_review")
    if "未经复议" in k or "直接起诉" in k:
        named.add("litigation_direct")
    if "复议" in k and "诉讼" not in k and "起诉" not in k:
        named.add("review")
    return named.pop() if len(named) == 1 else None


# Common characters that only traditional text writes this way: a text with some is converted.
_TRADITIONAL = set("報資區縣衛會開門關為這們個來對時說與於義務應東書權處辦機醫療農業經濟臺灣")


def simplified(text: str) -> str:
    """Traditional characters made simplified, when the text is written in them: what the title
    words below are matched on (政府信息公開工作年度報告 names a report too)."""
    sample = text[:5000]
    if _TRADITIONAL.isdisjoint(sample):  # the common case, checked at C speed
        return text
    if sum(1 for ch in sample if ch in _TRADITIONAL) < min(3, 1 + len(sample) // 200):
        return text
    return _t2s.convert(text)


# -- report titles (match on simplified(text)) ---------------------------------------------
# The report names itself: 年度报告 or 年报.
ANNUAL_REPORT = re.compile(r"年度报告|年报")
# A title naming the annual report of the disclosure regulation (with the disclosure words).
REPORT_TITLE = re.compile(r"年度报告|年报|工作报告")
# Any report: what a page heading says when it is the report's own title.
ANY_REPORT = re.compile(r"报告|年报")
DISCLOSURE = re.compile(r"政府信息公开|信息公开|政务公开|资讯公开")  # 資訊公開: Taiwan and Hong Kong usage
# A page that says it does not exist, though it answers HTTP 200 (a soft 404): its title, its text.
MISSING_PAGE_TITLE = re.compile(
    r"404|页面不存在|页面未找到|找不到页面|页面已删除|信息不存在|文章不存在|not\s*found", re.I
)
MISSING_PAGE_TEXT = re.compile(
    r"(您|你)所?(访问|请求|要找)的(页面|网页|信息|内容)(不存在|已被?删除|未找到)|页面不存在"
)


def names_annual_report(title: str | None) -> bool:
    """The title says 年度报告/年报, in simplified or traditional characters."""
    return bool(title) and bool(ANNUAL_REPORT.search(simplified(title)))


# -- attachments -----------------------------------------------------------------------------
# The file types reports are published in: documents the parser reads, scans it reads by OCR,
# and archives (zip/rar: some agencies pack report and tables together; they are archived as
# published, and the parser says plainly that it cannot read inside them).
DOCUMENT_TYPES = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd")
IMAGE_TYPES = ("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff")
ARCHIVE_TYPES = ("zip", "rar")
ATTACHMENT_TYPES = DOCUMENT_TYPES + IMAGE_TYPES + ARCHIVE_TYPES
FILE_NAME = re.compile(r"\.(?:" + "|".join(ATTACHMENT_TYPES) + r")$", re.I)
FILE_TYPE_IN = re.compile(r"\.(?:" + "|".join(ATTACHMENT_TYPES) + r")\b", re.I)  # "报告.pdf（120KB）"
# A document's address written into a page's scripts (gkmlpt's window._CONFIG.DETAIL).
QUOTED_DOCUMENT = re.compile(
    r"""["']((?:https?:)?/[^"'\s<>]+?\.(?:""" + "|".join(DOCUMENT_TYPES) + r"""))["']""", re.I
)
# Download gateways (Hanweb downfile.jsp, TRS/JEECMS getfile, /upload/, /attach/, /u/cms/ …):
# the address names no file type; the link text (附件1, 报告.pdf（120KB）) or the query does.
DOWNLOAD_GATEWAY = re.compile(r"downfile|download|getfile|fileserver|/attach|/upload|/files?/|/u/cms/", re.I)


def is_attachment(url: str, text: str = "") -> bool:
    """A file by its address (path, or a query value such as filename=), by its link text ("….pdf"
    on a download.jsp?id= link), or a download gateway whose link text says 附件 or names a file
    type."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    text = (text or "").strip()
    values = [path, text, *(v.strip() for _, v in parse_qsl(parts.query))]
    if any(FILE_NAME.search(v) for v in values if v):
        return True
    if not DOWNLOAD_GATEWAY.search(path + "?" + parts.query):
        return False
    return "附件" in text or bool(FILE_TYPE_IN.search(text) or FILE_TYPE_IN.search(unquote(parts.query)))
