"""Agencies as entities: one identity across years and spellings, level and sector for every
report, coverage of who published and who did not (govreports.parser.agency, archive.agencies)."""

import json
import pathlib
import shutil

import pytest
import yaml
from agency_samples import COPIES, SHARED_FILES, build_agency_archive

from govreports.archive import agencies
from govreports.archive.db import Archive
from govreports.archive.reparse import reparse
from govreports.crawler.sources import DEFAULT_SOURCES
from govreports.parser.agency import SECTOR_NAMES, canonical_name, describe, sector_of
from govreports.parser.region import find_region

# level, government level and sector of each shared report, by hand from the reports
SHARED_TRUTH = {
    "卫东区卫生健康委员会": ("department", "county", "卫生健康"),
    "乐清市卫生健康局": ("department", "county", "卫生健康"),
    "沙河市卫生健康局": ("department", "county", "卫生健康"),
    "洪泽区人民政府": ("county", "county", None),
    "淮安市洪泽区人民政府": ("county", "county", None),
    "上海市科委": ("department", "province", "科技"),
    "上海市人民政府办公厅": ("department", "province", None),
    "沐阳县人民政府": ("county", "county", None),
}
LEVELS = {"province", "city", "county", "township", "department"}


def truth(path):
    return json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_level_and_sector_of_every_shared_report_from_its_name_and_region(path):
    t = truth(path)
    region = find_region(t["agency"], "", t["region"])
    d = describe(t["agency"], region)
    assert (d["level"], d["government_level"], d["sector"]) == SHARED_TRUTH[t["agency"]]


def source_description(source):
    name = agencies.source_agency(source)
    region = find_region(name, "", {k: source.get(k) for k in ("province", "city", "county")})
    return name, describe(name, region)


def test_every_source_name_gets_a_level_and_the_sources_sector():
    """Over the whole sources list: the level is one of the five, and the sector the source file
    gives is the one the name gives, but where the file is wrong in a way we can name: its
    keyword matching read 民政 inside 人民政府 (人民政府办公室 is no civil-affairs bureau), calls a
    township or a 行政公署 by its county or city level, or lists a government's 办公室 as a
    department (we read it as the government, whose reports it publishes)."""
    sources = yaml.safe_load(DEFAULT_SOURCES.read_text(encoding="utf-8"))["sources"]
    disagree = []
    for source in sources:
        name, d = source_description(source)
        assert d["level"] in LEVELS, name
        assert d["sector"] is None or d["sector"] in SECTOR_NAMES
        if d["level"] == "department" and source.get("level") == "department":
            wrong_civil_affairs = source.get("sector") == "民政" and "民政" not in name.replace(
                "人民政府", ""
            )
            expected = d["sector"] if wrong_civil_affairs and d["sector"] != "民政" else source.get("sector")
            if d["sector"] != expected:
                disagree.append((name, source.get("sector"), d["sector"]))
        elif d["level"] != source.get("level"):
            if source.get("unit_type") == "township":
                assert d["level"] == "township", name
            elif name.endswith("行政公署"):
                assert d["level"] == "city", name
            else:
                assert name.endswith("人民政府办公室") and d["level"] in ("city", "county"), name
    # the one left: the entry's sector is in its bracketed note (武汉市青山区(生态环境/环保部门)), which
    # is no part of the agency's name
    assert disagree == [("武汉市青山区", "生态环境", None)]


@pytest.mark.parametrize(
    "name, region_name, expected",
    [
        ("洪泽区卫健委", "洪泽区", ("洪泽区卫生健康委员会", "卫生健康")),
        ("温州市人社局", "温州市", ("温州市人力资源和社会保障局", "人力资源社会保障")),
        ("沙河市卫健局", "沙河市", ("沙河市卫生健康局", "卫生健康")),
        ("上海市科委", "上海市", ("上海市科学技术委员会", "科技")),
        ("上海市发改委", "上海市", ("上海市发展和改革委员会", "发展改革")),
        ("淮安市洪泽区人民政府办公室", "洪泽区", ("洪泽区人民政府", None)),
        ("沐阳县人民政府", "沭阳县", ("沭阳县人民政府", None)),
        ("标题:平潭综合实验区", "平潭县", ("平潭综合实验区", None)),
        ("发布机构：乐清市市场监管局", "乐清市", ("乐清市市场监督管理局", "市场监管")),
    ],
)
def test_short_forms_region_prefixes_offices_and_labels_come_to_one_spelling(name, region_name, expected):
    region = find_region(region_name, "", None)
    assert (canonical_name(name, region), sector_of(name)) == expected


def test_sector_is_none_for_a_government_and_for_a_name_the_list_does_not_know():
    assert sector_of("北京市人民政府") is None  # 人民政府 holds 民政, and is no civil-affairs bureau
    assert sector_of("某某县某某中心") is None
    assert sector_of("北京市民政局") == "民政"


# -- the archive ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    archive = Archive(build_agency_archive(tmp_path_factory.mktemp("agencies") / "reports.db"))
    yield archive
    archive.close()


def agency_of(archive, file_name) -> int:
    row = archive.db.execute("select agency_id from reports where url like ?", [f"%/{file_name}"]).fetchone()
    return row[0]


@pytest.mark.parametrize("copy, original", [(c, o) for c, o, _ in COPIES])
def test_every_renamed_copy_lands_on_its_agency(archive, copy, original):
    assert agency_of(archive, copy) == agency_of(archive, pathlib.Path(original).name)


def test_no_two_different_agencies_merge(archive):
    names = [r[0] for r in archive.db.execute("select name from agencies where reports > 0 order by name")]
    assert names == sorted(
        [
            "上海市人民政府办公厅",
            "上海市科学技术委员会",
            "乐清市卫生健康局",
            "卫东区卫生健康委员会",
            "沙河市卫生健康局",
            "沭阳县人民政府",
            "洪泽区人民政府",
        ]
    )
    # the printed names stay as printed; every spelling is an alias of its agency
    hongze = agency_of(archive, "hongze-district-2023.pdf")
    aliases = dict(archive.db.execute("select alias, kind from agency_aliases where agency_id = ?", [hongze]))
    assert aliases == {"洪泽区人民政府": "canonical", "淮安市洪泽区人民政府": "region_prefix"}
    shuyang = dict(
        archive.db.execute(
            "select alias, kind from agency_aliases where agency_id = ?",
            [agency_of(archive, "shuyang-county-2025-ocr.txt")],
        )
    )
    assert shuyang == {
        "沭阳县人民政府": "canonical",
        "沐阳县人民政府": "ocr",
        "沭阳县人民政府办公室": "office",
    }


def test_cross_year_compares_the_years_of_an_agency_printed_two_ways(archive):
    pairs = archive.db.execute(
        """select r.agency, count(*) from checks c join reports r on r.id = c.report_id
        where c.rule = 'cross_year' group by r.agency order by r.agency"""
    ).fetchall()
    # 淮安市洪泽区人民政府 2024 against 洪泽区人民政府 2023; 乐清市卫健局 2022 against 乐清市卫生健康局 2021 …
    assert {agency for agency, n in pairs} >= {
        "淮安市洪泽区人民政府",
        "乐清市卫健局",
        "邢台市沙河市卫生健康局",
    }


def test_level_and_sector_on_every_report(archive):
    for agency, level, government_level, sector in archive.db.execute(
        "select agency, level, government_level, sector from reports where agency in ({})".format(
            ",".join("?" * len(SHARED_TRUTH))
        ),
        list(SHARED_TRUTH),
    ):
        assert (level, government_level, sector) == SHARED_TRUTH[agency], agency


def test_coverage_shows_the_year_an_agency_stopped_publishing(archive):
    hongze = agency_of(archive, "hongze-district-2023.pdf")
    years = dict(archive.db.execute("select year, status from coverage where agency_id = ?", [hongze]))
    assert years[2023] == years[2024] == "published"
    assert years[2025] == "missing"  # the archive's latest year: 洪泽区 has no 2025 report
    from govreports.datasette.plugins.agencies import CANNED_QUERIES

    sql = CANNED_QUERIES["published_last_year_not_this_year"]["sql"]
    rows = archive.db.execute(sql, {"year": "", "province": ""}).fetchall()
    assert [r[1] for r in rows] == ["洪泽区人民政府", "上海市科学技术委员会"] or {r[1] for r in rows} == {
        "洪泽区人民政府",
        "上海市科学技术委员会",
    }


def test_the_sources_list_names_expected_publishers_that_never_published(archive):
    row = archive.db.execute(
        "select id, name, in_sources, reports from agencies where name = '泗洪县人民政府'"
    ).fetchone()
    assert row[2:] == (1, 0)
    statuses = {s for (s,) in archive.db.execute("select status from coverage where agency_id = ?", [row[0]])}
    assert statuses == {"missing"}
    province = dict(
        archive.db.execute(
            "select province, not_published from coverage_provinces where year = 2025 and province = '江苏省'"
        )
    )
    assert province == {"江苏省": 2}  # 洪泽区 and 泗洪县; 沭阳县 published


def test_each_source_is_linked_to_its_agency_once_and_a_new_source_at_the_next_refresh(archive, tmp_path):
    sihong = archive.db.execute("select id from agencies where name = '泗洪县人民政府'").fetchone()[0]
    linked = dict(archive.db.execute("select name, agency_id from sources"))
    assert None not in linked.values(), "every source names an agency"
    assert [name for name, agency in linked.items() if agency == sihong] == [
        "江苏省泗洪县人民政府 政府信息公开年报"
    ]

    copy = Archive(shutil.copy(archive.path, tmp_path / "copy.db"))
    siyang = {"name": "江苏省泗阳县人民政府 政府信息公开年报", "url": "http://127.0.0.1/siyang/",
              "province": "江苏省", "city": "宿迁市", "county": "泗阳县", "level": "county"}  # fmt: skip
    copy.finish_run(copy.start_run([siyang]))  # a crawl run that lists a new source and finds nothing

    siyang = copy.db.execute("select agency_id from sources where name like '江苏省泗阳县%'").fetchone()[0]
    row = copy.db.execute("select name, in_sources, reports from agencies where id = ?", [siyang]).fetchone()
    assert row == ("泗阳县人民政府", 1, 0)
    statuses = {s for (s,) in copy.db.execute("select status from coverage where agency_id = ?", [siyang])}
    assert statuses == {"missing"}
    assert (
        dict(copy.db.execute("select name, agency_id from sources where name not like '江苏省泗阳县%'"))
        == linked
    )
    copy.db.close()


def test_a_maintainers_alias_is_applied_and_reparse_applies_it_again(archive, tmp_path, monkeypatch):
    office = agency_of(archive, "shanghai-office-2025.md")
    kewei = agency_of(archive, "shanghai-kewei-2024.md")
    aliases = tmp_path / "agency_aliases.yaml"
    aliases.write_text(
        "aliases:\n  - name: 上海市人民政府办公厅\n    region_code: '310000'\n    agency: 上海市科学技术委员会\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(agencies, "ALIASES_FILE", aliases)
    reparse(archive, echo=lambda line: None)
    assert agency_of(archive, "shanghai-office-2025.md") == kewei
    assert archive.db.execute("select count(*) from agencies where id = ?", [office]).fetchone()[0] == 0
    aliases.write_text("aliases: []\n", encoding="utf-8")
    reparse(archive, echo=lambda line: None)
    assert agency_of(archive, "shanghai-office-2025.md") not in (kewei, None)


def test_a_broken_alias_file_names_the_file_and_the_entry(tmp_path):
    broken = tmp_path / "agency_aliases.yaml"
    broken.write_text("aliases:\n  - name: 上海市科委\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"agency_aliases.yaml: alias 1 needs both name and agency"):
        agencies.alias_rules(broken)


def test_a_report_taken_down_shows_as_removed_and_back_when_it_returns(archive):
    from govreports.archive import lifecycle

    url, report_id, agency_id = archive.db.execute(
        "select url, id, agency_id from reports where url like '%/hongze-district-2024.pdf'"
    ).fetchone()

    def status():
        row = archive.db.execute(
            "select status from coverage where agency_id = ? and year = 2024", [agency_id]
        )
        return row.fetchone()[0]

    lifecycle.mark_removed(archive.db, [url])
    agencies.refresh(archive.db, report_ids=[report_id])  # only this agency's rows are redone
    assert status() == "removed"
    lifecycle.mark_present(archive.db, [url])
    agencies.refresh(archive.db, report_ids=[report_id])
    assert status() == "published"
