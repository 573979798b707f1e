"""Chinese full-text search: queries of 1, 2, 4 and more characters find exactly the reports that
contain them, across word boundaries too (SQLite's trigram tokenizer finds nothing under 3)."""

import unicodedata

import pytest
from archive_samples import copy_samples
from datasette.utils import escape_fts

from govreports.archive import Archive
from govreports.archive import search as search_module
from govreports.archive.ingest import ingest_paths
from govreports.archive.search import (
    INDEXED,
    fts_query,
    register_functions,
    search,
    segment,
    snippet,
    table_search,
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search")
    archive = Archive(folder / "search.db")
    summary = ingest_paths(archive, copy_samples(folder / "reports"), echo=lambda line: None)
    assert summary.counts["new"] == 4
    return archive


def containing(archive, query: str, columns=INDEXED) -> set[int]:
    """The oracle: reports whose title, agency or text (or the given columns) has the query as it is."""
    query = unicodedata.normalize("NFKC", query)
    return {
        row["id"]
        for row in archive.db["reports"].rows
        if any(query in unicodedata.normalize("NFKC", row[c] or "") for c in columns)
    }


def found(archive, query: str) -> set[int]:
    return {row["id"] for row in search(archive.db, query, limit=100)}


def ids_with(archive, agency_part: str) -> set[int]:
    return {row["id"] for row in archive.db["reports"].rows if agency_part in (row["agency"] or "")}


def test_one_character(archive):
    assert found(archive, "局") == containing(archive, "局")
    assert ids_with(archive, "卫生健康局") <= found(archive, "局")


def test_two_characters(archive):
    assert (
        found(archive, "复议") == containing(archive, "复议") == {r["id"] for r in archive.db["reports"].rows}
    )
    assert found(archive, "北仑") == ids_with(archive, "北仑") != set()
    assert (
        found(archive, "乐清") == containing(archive, "乐清") > ids_with(archive, "乐清")
    )  # 健康乐清 in both
    assert found(archive, "议复") == set()  # the order of characters matters


def test_four_characters_and_longer(archive):
    assert found(archive, "卫生健康") == containing(archive, "卫生健康")
    assert found(archive, "乐清市卫生健康局") == ids_with(archive, "乐清市卫生健康局") != set()
    assert found(archive, "北仑区卫生健康局") == ids_with(archive, "北仑") != set()


def test_queries_spanning_a_word_boundary(archive):
    # 北仑区|卫生健康局: the query starts inside one word and ends inside the next
    assert found(archive, "仑区卫") == ids_with(archive, "北仑") != set()
    assert found(archive, "区卫生") == containing(archive, "区卫生")
    # Chinese next to digits, as in 2021年度
    assert found(archive, "2021年") == containing(archive, "2021年") != set()


def test_every_query_finds_exactly_the_reports_containing_it(archive):
    """Every substring of 1 to 6 characters of a passage of a report, whatever its length and
    wherever it starts, finds exactly the reports that contain it."""
    text = archive.db["reports"].get(ids_with(archive, "北仑").pop())["text"]
    passage = next(
        line.strip() for line in text.splitlines() if len(line.strip()) > 30 and "复议" not in line
    )[:30]
    cjk_only = [c for c in passage if "\u4e00" <= c <= "\u9fff"]
    queries = {
        "".join(cjk_only[i : i + n]) for n in range(1, 7) for i in range(len(cjk_only) - n + 1)
    }  # substrings of the passage's Chinese, some of which span what was punctuation
    for query in sorted(queries):
        assert found(archive, query) == containing(archive, query), query


def test_several_words_must_all_occur(archive):
    assert found(archive, "北仑 复议") == ids_with(archive, "北仑")
    assert found(archive, "北仑 沙河") == containing(archive, "北仑") & containing(archive, "沙河") == set()


def test_results_carry_a_snippet_around_the_query(archive):
    [row] = search(archive.db, "北仑区卫生健康局", limit=5)
    assert "【北仑区卫生健康局】" in row["snippet"]
    assert row["title"] and row["url"].startswith("file://")


def test_the_snippet_finds_a_term_printed_in_full_width_forms():
    assert snippet("本机关２０２１年度报告", "2021") == "本机关【２０２１】年度报告"
    assert snippet("本机关2021年度报告", "２０２１") == "本机关【2021】年度报告"
    assert (
        snippet("x" * 100 + "行政复议" + "y" * 100, "复议")
        == "…" + "x" * 38 + "行政【复议】" + "y" * 40 + "…"
    )


def test_nothing_searchable_matches_nothing(archive):
    assert search(archive.db, "") == []
    assert search(archive.db, "，。") == []


def test_the_index_spells_chinese_as_overlapping_pairs():
    assert segment("卫生健康局").split() == ["卫生", "生健", "健康", "康局", "局"]
    assert fts_query("卫生健康局") == '"卫生 生健 健康 康局"'
    assert fts_query("局") == '"局"*'
    assert fts_query("2021年") == '"2021 年"*'


@pytest.mark.parametrize("query", ["report", "open data", '"exact phrase" more', 'unbalanced"', "a-b c.d"])
def test_queries_without_chinese_are_escaped_exactly_as_datasette_does(query):
    assert fts_query(query) == escape_fts(query)


def table_box(archive, searches: dict) -> tuple[bool, set[int]]:
    """How the reports table's search box filters for ``searches`` (whether it finds the search
    common), and the reports it keeps."""
    register_functions(archive.db.conn)
    answer = table_search(archive.db.conn, searches)
    sql = f"select id from reports where {answer.where}"
    return answer.common, {row[0] for row in archive.db.execute(sql, answer.params)}


@pytest.mark.parametrize(
    "query", ["局", "复议", "不掌握", "卫生健康", "北仑", "乐清市卫生健康局", "不存在的词"]
)
def test_the_table_search_box_keeps_the_same_reports_however_common_the_query(archive, monkeypatch, query):
    # in 4 reports every query is rare: its matches read from the index once
    assert table_box(archive, {None: query}) == (False, containing(archive, query))
    # a query in more than RANKED reports is tested row by row: same reports
    monkeypatch.setattr(search_module, "RANKED", 1)
    common, kept = table_box(archive, {None: query})
    assert kept == containing(archive, query)
    assert common == (len(kept) > 1)


@pytest.mark.parametrize("ranked", [2000, 1])
@pytest.mark.parametrize(
    "column, query", [("agency", "局"), ("agency", "卫生健康"), ("title", "2021"), ("text", "北仑")]
)
def test_the_table_search_box_searches_one_column_too(archive, monkeypatch, ranked, column, query):
    """``?_search_agency=局`` keeps the reports whose agency has it, alone or beside ``_search``."""
    monkeypatch.setattr(search_module, "RANKED", ranked)
    assert containing(archive, query, [column])  # the samples have such reports
    assert table_box(archive, {column: query})[1] == containing(archive, query, [column])
    both = table_box(archive, {None: "复议", column: query})[1]
    assert both == containing(archive, query, [column]) & containing(archive, "复议")
