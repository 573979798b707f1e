"""Title, agency, year and publication date of a report, and its six parts, from its own words.

Titles are often broken over lines, agencies abbreviated in the title (卫健委) and named in full in
the body, years written in Chinese numerals or only stated in the statistics-period sentence.
"""

import pytest
from opencc import OpenCC
from truth import SHARED

from govreports.parser.document import Document
from govreports.parser.meta import iso_date, read_meta, split_sections


def meta(text: str, **doc) -> dict:
    return read_meta(Document(text=text, **doc), text)


def shared_text(path: str) -> str:
    return (SHARED / path).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path, agency, year",
    [
        ("seeds/000_a2e4991bb9f5a779.txt", "卫东区卫生健康委员会", 2021),
        ("seeds/002_0a91ce1974c0f436.txt", "乐清市卫生健康局", 2021),
        ("seeds/004_d46f79f6146a3308.txt", "沙河市卫生健康局", 2020),
        ("realworld/shanghai-kewei-2024.md", "上海市科委", 2024),
        ("realworld/shanghai-office-2025.md", "上海市人民政府办公厅", 2025),
        ("realworld/shuyang-county-2025-ocr.txt", "沐阳县人民政府", 2025),
    ],
)
def test_agency_and_year_of_the_shared_reports(path, agency, year):
    m = meta(shared_text(path))
    assert (m["agency"], m["year"]) == (agency, year)


# Titles


def test_a_title_broken_after_the_agency_is_joined():
    m = meta("乐清市卫生健康局\n\n2021年度政府信息公开工作年度报告\n\n2021年度报告根据《条例》的要求编制。")
    assert m["title"] == "乐清市卫生健康局2021年度政府信息公开工作年度报告"
    assert m["agency"] == "乐清市卫生健康局"


def test_a_title_broken_before_its_last_words_is_joined_and_spaces_dropped():
    m = meta(shared_text("realworld/shanghai-kewei-2024.md"))
    assert m["title"] == "2024年上海市科委政府信息公开工作年度报告"


def test_markdown_heading_marks_are_not_part_of_the_title():
    m = meta("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n(2026年1月23日)\n")
    assert m["title"] == "沐阳县人民政府2025年政府信息公开工作年度报告"


def test_the_opening_sentence_is_not_a_title():
    m = meta("正文\n本年度报告根据《条例》编制\n统计期限为2021年1月1日至12月31日。")
    assert m["title"] is None
    assert m["year"] == 2021


def test_the_page_title_is_used_when_it_names_a_report():
    m = meta("一、总体情况\n……", title="2021年度北仑区政府信息公开工作年度报告")
    assert (m["agency"], m["year"]) == ("北仑区", 2021)


def test_a_generic_document_title_gives_way_to_the_title_in_the_text():
    # PDF properties often say only 政府信息公开工作年度报告.
    text = "淮安市洪泽区人民政府\n2024年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室根据《条例》要求编制。"
    m = meta(text, title="政府信息公开工作年度报告")
    assert m["title"] == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert m["agency"] == "淮安市洪泽区人民政府"


# Years


@pytest.mark.parametrize(
    "title, year",
    [
        ("二〇二一年度北仑区政府信息公开工作年度报告", 2021),
        ("二○二二年政府信息公开工作年报", 2022),
        ("2024 年上海市科委政府信息公开工作年度报告", 2024),
    ],
)
def test_the_year_of_the_title_in_digits_or_chinese_numerals(title, year):
    assert meta(title)["year"] == year


def test_without_a_year_in_the_title_the_statistics_period_gives_it():
    text = "北仑区政府信息公开工作年度报告\n本年度报告中所列数据统计期限为 2025 年 1 月 1 日至 12 月 31 日。\n2026年1月20日"
    assert meta(text)["year"] == 2025


def test_else_the_year_the_report_talks_about():
    text = (
        "政府信息公开工作年度报告\n2020年，我局认真贯彻《条例》。2020年，共公开信息12条。2021年，我局将继续。"
    )
    assert meta(text)["year"] == 2020


def test_no_year_is_made_up():
    assert meta("政府信息公开工作年度报告\n一、总体情况")["year"] is None


# Agencies


def test_an_abbreviated_agency_is_replaced_by_its_full_name_in_the_body():
    m = meta(shared_text("seeds/000_a2e4991bb9f5a779.txt"))
    assert m["title"] == "卫健委2021年政府信息公开工作年度报告"
    assert m["agency"] == "卫东区卫生健康委员会"


def test_a_part_of_the_agency_named_in_the_body_does_not_replace_it():
    text = "乐清市卫生健康局\n2021年度政府信息公开工作年度报告\n请与乐清市卫生健康局办公室联系。"
    assert meta(text)["agency"] == "乐清市卫生健康局"


def test_the_agency_is_what_the_title_says_before_its_report_wording():
    assert meta("北仑区卫生健康局关于2021年度政府信息公开工作年度报告")["agency"] == "北仑区卫生健康局"
    assert meta("北京市人民政府信息公开工作年度报告（2021年）")["agency"] == "北京市人民政府"


def test_a_title_without_an_agency_takes_the_name_from_the_signature():
    text = "2021年政府信息公开工作年度报告\n一、总体情况\n……\n六、其他需要报告的事项\n无。\n北仑区卫生健康局\n2022年1月17日"
    m = meta(text)
    assert (m["agency"], m["published_date"]) == ("北仑区卫生健康局", "2022-01-17")


def test_or_from_the_sentence_saying_who_compiled_the_report():
    text = "2021年政府信息公开工作年度报告\n本报告由宁波市北仑区人民政府办公室根据《条例》编制。"
    assert meta(text)["agency"] == "宁波市北仑区人民政府办公室"


def test_a_report_in_traditional_characters_is_read_in_simplified():
    text = OpenCC("s2tw").convert(shared_text("seeds/000_a2e4991bb9f5a779.txt"))
    m = meta(text)
    assert (m["agency"], m["year"]) == ("卫东区卫生健康委员会", 2021)
    assert m["title"] == "卫健委2021年政府信息公开工作年度报告"


# Publication dates


def test_the_signature_date_is_the_publication_date():
    assert meta(shared_text("realworld/shuyang-county-2025-ocr.txt"))["published_date"] == "2026-01-23"


def test_the_page_date_wins_over_the_signature():
    m = meta("北仑区卫生健康局\n2022年1月17日", published_date="2022-01-20")
    assert m["published_date"] == "2022-01-20"


def test_a_line_with_the_statistics_period_is_not_a_signature_date():
    assert meta("2021年度报告\n2021年1月1日至12月31日\n一、总体情况")["published_date"] is None


def test_a_publication_date_label_is_read_when_there_is_no_signature():
    assert meta("2021年度报告\n发布日期：2022-01-17\n一、总体情况")["published_date"] == "2022-01-17"
    assert meta("2021年度报告\n一、总体情况\n无。")["published_date"] is None


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2022-04-17 14:46:00", "2022-04-17"),
        ("2022/1/7", "2022-01-07"),
        ("（2026年1月23日）", "2026-01-23"),
        ("2026 年 1 月 23 日", "2026-01-23"),
        ("二〇二二年一月十七日", "2022-01-17"),
        ("二○二一年十二月三十一日", "2021-12-31"),
        ("2022年2月30日", None),
        ("no date", None),
    ],
)
def test_dates_in_the_forms_reports_use(text, iso):
    assert iso_date(text) == iso


# Sections


def test_the_six_parts_are_split_at_their_headings():
    parts = split_sections(shared_text("seeds/000_a2e4991bb9f5a779.txt"))
    assert list(parts) == ["overview", "active", "applications", "review", "problems", "other"]
    assert parts["overview"].startswith("本年度报告根据《中华人民共和国政府信息公开条例》")
    assert parts["active"].startswith("第二十条第（一）项")
    assert parts["applications"].startswith("(本列数据的勾稽关系为")
    assert "行政复议" in parts["review"]
    assert parts["problems"].startswith("2021年, 卫东区卫健委政府信息公开工作虽然取得一些成绩")
    assert parts["other"] == "无。"


def test_headings_are_found_by_keywords_whatever_their_numbering_and_marks():
    text = (
        "## 1．总体情况\n概况。\n### 二. 主动公开政府信息情况\n主动。\n**（三）收到和处理政府信息公开申请情况**\n申请。\n"
        "四、因政府信息公开申请行政复议和提起行政诉讼的情况\n复议。\n五、存在的主要问题及改进情况：\n问题。\n"
        "六、其他需要报告的事项\n无。"
    )
    assert split_sections(text) == {
        "overview": "概况。",
        "active": "主动。",
        "applications": "申请。",
        "review": "复议。",
        "problems": "问题。",
        "other": "无。",
    }


def test_a_part_without_a_heading_is_empty():
    parts = split_sections("一、总体情况\n概况。\n六、其他需要报告的事项\n无。")
    assert (parts["overview"], parts["active"], parts["review"], parts["other"]) == ("概况。", "", "", "无。")


def test_the_opening_sentence_wrapped_over_lines_is_not_a_heading():
    # PDF text wraps the sentence that lists every part: 存在的主要问题 on a short line is not part five.
    # This converted PDF also lost its 五、 heading: part five starts at its first sub-heading.
    parts = split_sections(shared_text("realworld/shanghai-office-2025.md"))
    assert parts["overview"].startswith("2025 年，上海市人民政府办公厅坚持")
    assert parts["problems"].startswith("针对 2024 年工作中存在的主要问题")


def test_captions_repeating_earlier_headings_stay_in_the_text_of_the_part_they_are_in():
    # The kewei report numbers its narrative 一…六, then its tables restart at 一、主动公开…
    parts = split_sections(shared_text("realworld/shanghai-kewei-2024.md"))
    assert parts["active"].startswith("市科委积极做好政府信息主动公开工作")
    assert "一、主动公开政府信息情况" in parts["applications"]
    assert parts["other"].startswith("本年度信息公开处理费收费情况")
