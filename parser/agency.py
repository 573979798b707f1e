"""What an agency's name says about it: its sector, its level, and its name in one spelling.

All of it is read from the printed name and the region the report is in (the region reader's
answer), so it is as pure as the rest of the parser:

- :func:`sector_of`: the department type (卫生健康, 教育, 公安 …) from one list, :data:`SECTORS`,
  that knows the usual short forms (卫健委, 人社局, 发改委, 科委 …); None for a government, or when
  the name says nothing the list knows.
- :func:`describe`: level (``province | city | county | township | department``), the level of the
  government a department belongs to, the sector, and the *core* name: the name without the
  region's place names in front of it (淮安市洪泽区人民政府 -> 人民政府, 沐阳县 read by OCR for 沭阳县
  included), short forms written out (卫健委 -> 卫生健康委员会), a government's 办公室 read as the
  government (its reports are the government's: the title says 洪泽区人民政府, the signature
  淮安市洪泽区人民政府办公室). Region code + core name is what archive.agencies matches on.
"""

import re
import unicodedata
from functools import lru_cache

from .meta import LABEL_PREFIX, simplified
from .region import _ZONES, Unit, gazetteer

# (sector, words that name it in an agency name), in the order they are tried: a more specific
# word before a more general one (中医药 before 医, 国防科技工业 before 国防, 新闻出版 before 新闻,
# 文化和旅游 before 体育 or 广播电视, since 文体广电和旅游局 is a culture-and-tourism bureau).
SECTORS = [
    ("卫生健康", ("卫生健康", "卫健", "卫生和计划生育", "卫生计生", "卫计", "卫生局")),
    ("中医药", ("中医药",)),
    ("医疗保障", ("医疗保障", "医保")),
    ("药品监管", ("药品监督", "药品监管", "药监")),
    (
        "文化旅游",
        (
            "文化和旅游",
            "文化旅游",
            "文化广电和旅游",
            "文体广电和旅游",
            "文广旅",
            "文旅",
            "文化广播电视体育和旅游",
            "旅游",
        ),
    ),
    ("教育", ("教育", "教体", "语言文字")),
    ("国防科技工业", ("国防科技工业", "航天", "原子能")),
    ("国防", ("国防",)),
    ("公安", ("公安", "移民管理")),
    ("财政", ("财政",)),
    ("人力资源社会保障", ("人力资源", "人社", "劳动和社会保障", "劳动保障")),
    ("自然资源", ("自然资源", "自规", "国土资源", "国土局", "规划和自然资源")),
    ("生态环境", ("生态环境", "环境保护", "环保", "核安全")),
    ("住房城乡建设", ("住房和城乡建设", "住房城乡建设", "住房和建设", "住建", "城乡建设")),
    ("交通运输", ("交通运输", "交通局", "交通委", "铁路", "民用航空", "民航")),
    ("水利", ("水利", "水务")),
    ("乡村振兴", ("乡村振兴", "扶贫")),
    ("农业农村", ("农业农村", "农业", "农委")),
    ("商务", ("商务",)),
    ("应急管理", ("应急管理", "应急局", "矿山安全", "安全生产监督")),
    ("消防", ("消防",)),
    ("国资", ("国有资产", "国资")),
    ("金融", ("金融", "人民银行", "证券", "外汇", "银行保险")),
    ("市场监管", ("市场监督管理", "市场监管", "市监", "认证认可", "标准化", "工商行政", "质量技术监督")),
    ("统计", ("统计",)),
    ("税务", ("税务",)),
    ("海关", ("海关",)),
    ("发展改革", ("发展和改革", "发展改革", "发改")),
    ("科技", ("科学技术", "科技", "科委")),
    ("工业和信息化", ("工业和信息化", "工信", "经济和信息化", "经信", "工业信息化")),
    ("民族宗教", ("民族", "宗教")),
    ("民政", ("民政",)),
    ("司法", ("司法",)),
    ("审计", ("审计",)),
    ("退役军人事务", ("退役军人",)),
    ("新闻出版", ("新闻出版", "版权")),
    ("广播电视", ("广播电视", "广电")),
    ("新闻", ("新闻办",)),
    ("体育", ("体育",)),
    ("信访", ("信访",)),
    ("机关事务", ("机关事务",)),
    ("知识产权", ("知识产权",)),
    ("国际发展合作", ("国际发展合作",)),
    ("参事", ("参事",)),
    ("侨务", ("侨务", "侨办")),
    ("港澳台", ("港澳", "台湾事务", "台办")),
    ("外事", ("外事", "外交", "外办")),
    ("网信", ("互联网信息", "网信")),
    ("气象", ("气象",)),
    ("粮食物资储备", ("粮食", "物资储备")),
    ("能源", ("能源",)),
    ("烟草", ("烟草",)),
    ("林业草原", ("林业", "草原")),
    ("邮政", ("邮政",)),
    ("文物", ("文物",)),
    ("政务服务", ("政务服务", "大数据", "数据资源", "行政审批")),
    ("残联", ("残疾人联合会", "残联")),
    ("城市管理", ("城市管理", "城管")),
    ("人民防空", ("人民防空", "人防")),
    ("地方志", ("地方志",)),
]
SECTOR_NAMES = [sector for sector, _ in SECTORS]

# Short forms of department names and the full name each stands for (the full name is the one
# the 2018 reform gave most such bodies); tried on the end of the name, longest first.
SHORT_NAMES = {
    "卫健委": "卫生健康委员会",
    "卫生健康委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "科委": "科学技术委员会",
    "科技委": "科学技术委员会",
    "科技局": "科学技术局",
    "科技厅": "科学技术厅",
    "发改委": "发展和改革委员会",
    "发展改革委": "发展和改革委员会",
    "发展改革委员会": "发展和改革委员会",
    "发改局": "发展和改革局",
    "发展改革局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "人社厅": "人力资源和社会保障厅",
    "人力资源社会保障局": "人力资源和社会保障局",
    "人力资源社会保障厅": "人力资源和社会保障厅",
    "住建局": "住房和城乡建设局",
    "住建厅": "住房和城乡建设厅",
    "住建委": "住房和城乡建设委员会",
    "住房城乡建设局": "住房和城乡建设局",
    "住房城乡建设厅": "住房和城乡建设厅",
    "住房城乡建设委": "住房和城乡建设委员会",
    "市监局": "市场监督管理局",
    "市场监管局": "市场监督管理局",
    "自规局": "自然资源和规划局",
    "文旅局": "文化和旅游局",
    "文旅厅": "文化和旅游厅",
    "文化旅游局": "文化和旅游局",
    "应急局": "应急管理局",
    "医保局": "医疗保障局",
    "交通局": "交通运输局",
    "教体局": "教育和体育局",
    "工信局": "工业和信息化局",
    "工信厅": "工业和信息化厅",
    "经信局": "经济和信息化局",
    "退役军人局": "退役军人事务局",
    "生态环境委": "生态环境委员会",
    "农业农村委": "农业农村委员会",
    "政府办公室": "人民政府办公室",
    "政府办": "人民政府办公室",
    "政府": "人民政府",
}
_SHORT_ORDER = sorted(SHORT_NAMES, key=len, reverse=True)

GOVERNMENT = "人民政府"
# A government's own office: its reports are the government's (see the module docstring). The
# provincial 办公厅 is left alone: it publishes reports of its own beside the government's.
GOVERNMENT_OFFICE = "人民政府办公室"
_TOWNSHIP = re.compile(
    r"^[\u4e00-\u9fff]{1,12}?(?:镇|乡|街道|苏木)(?=人民政府|政府|办事处|$|[\u4e00-\u9fff])"
)
_TOWNSHIP_GOVERNMENT = re.compile(
    r"^[\u4e00-\u9fff]{1,12}?(?:镇|乡|苏木)(?:人民政府)?$|^[\u4e00-\u9fff]{1,12}?街道(?:办事处)?$"
)
_ZONE_COMMITTEE = re.compile(r"^[\u4e00-\u9fff]*(?:区|园区)(?:管理委员会|管委会)$|^(?:管理委员会|管委会)$")
# a government whose place the region reader did not place (重庆市江北区人民政府 read as 重庆市)
_PLACE_GOVERNMENT = re.compile(r"^[\u4e00-\u9fff]{1,10}(?:区|县|旗)(?:人民政府|政府)$")
_GOVERNMENTS = (GOVERNMENT, "行政公署")  # 喀什地区行政公署 is the 地区's government
_CENTRAL = re.compile(
    r"^(?:国务院|国家|中华人民共和国|中央|中国|海关总署|审计署|外交部|国防部|[\u4e00-\u9fff]{2,8}部$)"
)


def clean_name(name: str | None) -> str | None:
    """The name as printed, without a label in front or spaces inside; None when nothing is left."""
    if not name:
        return None
    name = LABEL_PREFIX.sub("", unicodedata.normalize("NFKC", name))
    name = re.sub(r"\s+", "", simplified(name)).strip("《》「」“”\"'")
    return name or None


def sector_of(name: str | None) -> str | None:
    """The sector a department's name names (卫东区卫生健康委员会 -> 卫生健康); None for a
    government (人民政府, 镇, 街道办事处) or a name the list does not know."""
    core = _expanded(clean_name(name) or "")
    if not core or core.endswith((GOVERNMENT, GOVERNMENT_OFFICE)) and not _names_department(core):
        return None
    words_of = core.replace(GOVERNMENT, "+")  # 人民政府 holds 民政: no sector word spans it
    for sector, words in SECTORS:
        if any(word in words_of for word in words):
            return sector
    return None


def _names_department(name: str) -> bool:
    """人民政府外事办公室 names a department; 人民政府 and 人民政府办公室 do not."""
    rest = name.split(GOVERNMENT, 1)[1] if GOVERNMENT in name else name
    return rest not in ("", "办公室")


def _expanded(core: str) -> str:
    for short in _SHORT_ORDER:
        full = SHORT_NAMES[short]
        if core.endswith(short) and not core.endswith(full):
            return core[: -len(short)] + full
    return core


def _strip_places(name: str, unit: Unit | None) -> tuple[str, str]:
    """(place names in front of the name, the rest): only places the region ``unit`` is in, and
    the unit's own name read one character off (沐阳县 for 沭阳县, as the region reader allows)."""
    if unit is None:
        return "", name
    g = gazetteer()
    prefix, rest = "", name
    while rest:
        for n in g.starts.get(rest[:2], ()):  # the name lengths that can start here
            head = rest[:n]
            if len(head) == n and len(rest) > n and any(unit.within(u) for u in g.names.get(head, [])):
                prefix, rest = prefix + head, rest[n:]
                break
        else:
            n = len(unit.name)
            head = rest[:n]
            misread = sum(a != b for a, b in zip(head, unit.name, strict=False)) == 1
            if unit.level == "county" and len(rest) > n and misread and head[-1] == unit.name[-1]:
                prefix, rest = prefix + head, rest[n:]
                continue
            break
    return prefix, rest


def _unit(region: dict | None) -> Unit | None:
    code = (region or {}).get("code")
    return gazetteer().units.get(code) if code else None


def describe(name: str | None, region: dict | None) -> dict:
    """{name, core, level, government_level, sector} of an agency named ``name`` in ``region``
    (the record's region: province, city, county, code; only its code counts). ``name`` is the
    cleaned printed name; ``core`` is the name without its region (see the module docstring),
    None when there is no name. Level and government_level are None when neither the name nor
    the region tells."""
    return dict(_describe(name, (region or {}).get("code")))


@lru_cache(maxsize=200_000)  # an archive's agencies print few spellings over many reports
def _describe(name: str | None, code: str | None) -> dict:
    name = clean_name(name)
    out = {"name": name, "core": None, "level": None, "government_level": None, "sector": None}
    if not name:
        return out
    unit = gazetteer().units.get(code) if code else None
    _, rest = _strip_places(name, unit)
    core = _expanded(rest or name)
    if core == GOVERNMENT_OFFICE:
        core = GOVERNMENT
    out["core"] = core
    out["sector"] = sector_of(core)
    region_level = unit.level if unit else None  # a municipality's code is its province's
    zone = core.endswith(_ZONES) and core in gazetteer().names  # 平潭综合实验区 alone
    if _PLACE_GOVERNMENT.match(core):
        out["level"] = out["government_level"] = "county"
    elif core in _GOVERNMENTS or (unit is not None and (zone or _ZONE_COMMITTEE.match(core))):
        out["level"] = out["government_level"] = region_level
    elif _TOWNSHIP_GOVERNMENT.match(core) or (
        _TOWNSHIP.match(core) and core.endswith((GOVERNMENT, "办事处"))
    ):
        out["level"] = out["government_level"] = "township"
    else:
        out["level"] = "department"
        if _TOWNSHIP.match(core):
            out["government_level"] = "township"
        elif unit is not None:
            out["government_level"] = region_level
        elif _CENTRAL.match(core):
            out["government_level"] = "central"
    return out


def canonical_name(name: str | None, region: dict | None) -> str | None:
    """The agency's name in one spelling: its region's own name in front of the core
    (沐阳县人民政府 -> 沭阳县人民政府, 淮安市洪泽区人民政府 -> 洪泽区人民政府, 上海市科委 ->
    上海市科学技术委员会); a zone's name (平潭综合实验区) as printed; the name written out when the
    region is unknown."""
    described = describe(name, region)
    unit = _unit(region)
    if not described["core"]:
        return None
    if unit is None:
        return _expanded(described["name"])
    prefix, _ = _strip_places(described["name"], unit)
    if not prefix:  # 国家税务总局浙江省税务局 names its place inside; 卫健委 on a county's portal does not
        return described["core"] if gazetteer().units_in(described["core"]) else unit.name + described["core"]
    return (prefix if prefix.endswith(_ZONES) else unit.name) + described["core"]
