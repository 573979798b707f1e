"""Bytes to text for pages and plain-text reports: BOM, declared charset, then sniffing.

Government sites serve UTF-8, GB2312/GBK/GB18030 and, rarely, Big5, and their declarations are
often wrong (a page labelled gb2312 saved as UTF-8, or GBK text with characters outside GB2312).
So a declaration is only trusted when the bytes decode under it, valid UTF-8 with non-ASCII text
beats a declared Chinese legacy charset, and a GB family label is read as gb18030 (the superset).
"""

import codecs
import re

_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# Labels seen on Chinese sites, mapped to the codec that reads every byte they may hold.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "hz": "gb18030",
    "euc_cn": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cp950": "big5hkscs",
}
# A Chinese report is never Latin-1 or ASCII: such a label is a server default left in place.
_IGNORED = {"ascii", "iso8859_1", "cp1252", "utf_8"}
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.I)

# The most frequent characters of Chinese government prose, simplified and traditional. Text decoded
# with the wrong one of GB18030/Big5 is made of rare characters, so it scores low.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权"
    "收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信"
    "马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
    "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
    "這個為們來時說會發動過種產後實點從還與關開問題區經機當應對數內條報處聯將據書復難際鄉縣幣門長陽網資訊"
    "處理結轉辦總計請審決議訴訟辦公廳衛護護權單位項屬機關規範擔級線費"
)


def _codec(label: str | bytes | None) -> str | None:
    """The codec to use for a declared label, or None for a label Python does not know."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = label.strip().lower().removeprefix("x-")
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    return None if name in _IGNORED else _SUPERSETS.get(name, name)


def _declared(data: bytes, content_type: str | None) -> list[str]:
    """Declared codecs in order of authority: HTTP header, then <meta>, then the XML declaration."""
    out = []
    m = _CT_CHARSET.search(content_type or "")
    if m:
        out.append(_codec(m.group(1)))
    head = data[:4096]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        m = pattern.search(head)
        if m:
            out.append(_codec(m.group(1)))
    return [c for c in out if c]


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _score(text: str) -> int:
    return sum(1 for ch in text if ch in _COMMON) - 20 * text.count("\ufffd")


def _sniff(data: bytes) -> str:
    """Pick among GB18030 and Big5 by how much common Chinese each decoding yields."""
    sample = data[:200_000]
    scores = {codec: _score(sample.decode(codec, "replace")) for codec in ("gb18030", "big5hkscs")}
    return max(scores, key=lambda c: scores[c])


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def decode(data: bytes, content_type: str | None = None) -> str:
    """Decode report bytes to text with ``\\n`` line ends and no NUL characters. Never raises."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _clean(data[len(bom) :].decode(codec, "replace"))
    if data.isascii():
        return _clean(data.decode("ascii"))
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return _clean(utf8)
    declared = _declared(data, content_type)
    for codec in declared:
        text = _strict(data, codec)
        if text is not None:
            return _clean(text)
    codec = _sniff(data)
    text = _strict(data, codec)
    if text is None:
        # Broken bytes: keep the declared charset when there is one, marking what cannot be read.
        text = data.decode(declared[0] if declared else codec, "replace")
    return _clean(text)
