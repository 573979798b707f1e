"""`govreports crawl` against portals served on 127.0.0.1: real Scrapy, real Chromium, real SQLite.

The portals are crawler/portals/sites (TRS, Hanweb, VSB, Epoint, a JavaScript list) and small
misbehaving sites built here. The servers count every request, so "no report body was fetched
again" is counted at the server, not assumed.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import sqlite_utils
import yaml

from govreports.archive import Archive
from govreports.crawler.demo import FAST, write_sources
from govreports.crawler.portals.server import SITES, PortalServer, serve_portals
from govreports.crawler.warc import unfiled, warc_folder

pytestmark = [pytest.mark.crawl, pytest.mark.browser]

GOVREPORTS = os.path.join(os.path.dirname(sys.executable), "govreports")
REPORT_PATHS = {
    "weidong-trs": "/xxgk/xxgknb/202201/t20220120_3868.html",
    "yueqing-hanweb": "/art/2022/1/17/art_1229_5001.html",
    "shahe-vsb": "/info/1026/2001.htm",
    "hongze-epoint": "/xxgk/ndbg/2025/003001_31.html",
    "shanghai-js": "/nw12344/20250331/4a03b5fa47ae4c73.html",
}


def crawl(db, sources, *args, settings=FAST, timeout=120):
    env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(settings)}
    cmd = [GOVREPORTS, "crawl", str(db), "--sources", str(sources), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def sources_file(path, entries):
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


def row(stdout, name):
    """The numbers of one source's line in the summary table."""
    line = next(line for line in stdout.splitlines() if line.startswith(name + " "))
    keys = ["pages", "found", "new", "changed", "same", "failed", "browser"]
    return dict(zip(keys, map(int, line.split()[-7:]), strict=True))


@pytest.fixture(scope="module")
def portals(tmp_path_factory):
    root = tmp_path_factory.mktemp("sites")
    shutil.copytree(SITES, root, dirs_exist_ok=True)
    with serve_portals(root) as servers:
        yield servers


@pytest.fixture(scope="module")
def bundled(portals, tmp_path_factory):
    """The bundled portals crawled once: (db path, sources file, stdout)."""
    folder = tmp_path_factory.mktemp("bundled")
    sources = write_sources(portals, folder / "sources.yaml")
    db = folder / "reports.db"
    return db, sources, crawl(db, sources)


def test_first_crawl_finds_every_report_through_each_cms(bundled, portals):
    db, _, stdout = bundled
    reports = sqlite_utils.Database(db)["reports"]
    found = {r["url"].split("/", 3)[3]: r["year"] for r in reports.rows_where("template is not null")}
    assert found == {
        "xxgk/xxgknb/202201/t20220120_3868.html": 2021,  # TRS, second list page
        "art/2022/1/17/art_1229_5001.html": 2021,  # Hanweb, dataproxy.jsp page 2
        "info/1026/2001.htm": 2020,  # VSB, second page
        "attach/2025/01/hongze-district-2024.pdf": 2024,  # Epoint, the PDF attachment
        "nw12344/20250331/4a03b5fa47ae4c73.html": 2025,  # JavaScript list
        "nw12344/20250328/9b1c7e2d5f3a8e60.html": 2024,
    }
    # The region comes from the source: 卫东区 is in 河南省 平顶山市.
    weidong = next(reports.rows_where("agency = ?", ["卫东区卫生健康委员会"]))
    assert (weidong["province"], weidong["city"], weidong["county"]) == ("河南省", "平顶山市", "卫东区")
    # Pagination was followed: TRS index_1.html (from the pager script), Hanweb dataproxy page 2,
    # VSB's downward-numbered second page.
    assert portals["weidong-trs"].hits["/xxgk/xxgknb/index_1.html"] == 1
    assert any(k.startswith("/module/web/jpage/dataproxy.jsp?page=2") for k in portals["yueqing-hanweb"].hits)
    assert portals["shahe-vsb"].hits["/xxgk/zfxxgknb/1.htm"] == 1
    assert "had failures" not in stdout


def test_the_javascript_list_went_through_the_browser(bundled):
    db, _, stdout = bundled
    documents = sqlite_utils.Database(db)["documents"]
    via = {d["url"].split("/", 3)[3]: d["via"] for d in documents.rows}
    assert via["nw12344/index.html"] == "browser"
    assert via["nw12344/20250331/4a03b5fa47ae4c73.html"] == "http"  # only the list needed it
    assert row(stdout, "上海市人民政府")["browser"] == 1
    assert row(stdout, "平顶山市卫东区人民政府")["browser"] == 0  # plain HTTP found its reports


def test_traps_and_other_hosts(bundled, portals):
    db, _, _ = bundled
    documents = sqlite_utils.Database(db)["documents"]
    # The aggregated 年报汇总 page was read as a list, never filed as a report.
    (summary,) = documents.rows_where("url like ?", ["%t20220125_3870.html"])
    assert summary["kind"] == "list" and summary["parse_status"] is None
    # The link to www.gov.cn (a report title, another host) was not followed.
    assert not list(documents.rows_where("url like ?", ["%gov.cn%"]))
    # robots.txt was asked for once per host.
    assert portals["weidong-trs"].hits["/robots.txt"] == 1


def test_second_crawl_downloads_no_report_body_again_but_picks_up_changes(bundled, portals):
    db, sources, _ = bundled
    bodies_before = {name: dict(server.bodies) for name, server in portals.items()}
    page = portals["shahe-vsb"].root / "info/1026/2001.htm"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("</form>", "<p>（2021年2月更正：补充说明。）</p>\n</form>"), encoding="utf-8"
    )
    # ... and a new report appears on the second page of the VSB list.
    (page.parent / "2101.htm").write_text(text.replace("2020年", "2021年"), encoding="utf-8")
    second_page = portals["shahe-vsb"].root / "xxgk/zfxxgknb/1.htm"
    row_html = (
        '<li><a href="../../info/1026/2101.htm">沙河市卫生健康局2021年政府信息公开工作年度报告</a></li>'
    )
    listing = second_page.read_text(encoding="utf-8").replace(
        '<ul class="list-ul">', '<ul class="list-ul">' + row_html
    )
    second_page.write_text(listing, encoding="utf-8")
    stdout = crawl(db, sources)
    for name, path in REPORT_PATHS.items():
        assert bodies_before[name][path] == 1, name
        assert portals[name].bodies[path] == (2 if name == "shahe-vsb" else 1), name
    assert portals["hongze-epoint"].bodies["/attach/2025/01/hongze-district-2024.pdf"] == 1
    # Five report pages answered 304; the PDF hangs off an unchanged page, so it is not asked for.
    total = row(stdout, "total")
    assert (total["new"], total["changed"], total["same"]) == (1, 1, 5)
    assert portals["shahe-vsb"].bodies["/info/1026/2101.htm"] == 1
    # Unchanged list pages answer 304 and are read from the raw store; the changed one is fetched.
    assert portals["weidong-trs"].bodies["/xxgk/xxgknb/index_1.html"] == 1
    assert portals["shahe-vsb"].bodies["/xxgk/zfxxgknb/1.htm"] == 2
    # The list the browser drew is drawn again: its scripts may bring new rows to an unchanged page.
    assert row(stdout, "上海市人民政府 政府信息公开年报")["browser"] == 1
    assert row(stdout, "沙河市人民政府 政府信息公开年报")["changed"] == 1
    versions = list(sqlite_utils.Database(db)["reports"].rows_where("url like ?", ["%/info/1026/2001.htm"]))
    assert sorted(v["version"] for v in versions) == [1, 2]
    runs = list(sqlite_utils.Database(db)["crawl_runs"].rows)
    assert (
        len(runs) == 2 and json.loads(runs[1]["sources"])["乐清市人民政府 政府信息公开年报"]["unchanged"] == 1
    )


REPORT_PAGE = (SITES / "weidong-trs/xxgk/xxgknb/202201/t20220120_3868.html").read_text(encoding="utf-8")


def small_site(folder, links, title="政府信息公开年报"):
    """A portal with one list page (/nb/index.html) linking to the given (href, title) pairs."""
    rows = "\n".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    (folder / "nb").mkdir(parents=True, exist_ok=True)
    (folder / "nb/index.html").write_text(
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><ul>{rows}</ul></body></html>',
        encoding="utf-8",
    )
    return folder


def year_tree(folder):
    """A TRS-style 年报 column split into year sub-columns, in GBK, two pages per year."""
    report = REPORT_PAGE.replace('charset="UTF-8"', 'charset="gbk"').encode("gbk", "replace")
    (folder / "zfxxgknb").mkdir(parents=True)
    years = "".join(f'<li><a href="./{y}/">{y}年</a></li>' for y in (2023, 2022))
    (folder / "zfxxgknb/index.shtml").write_bytes(
        f'<html><head><meta charset="gbk"><title>政府信息公开年报</title></head><body><ul>{years}</ul></body></html>'.encode(
            "gbk"
        )
    )
    for y in (2023, 2022):
        for n, name in enumerate(("index.shtml", "index_1.shtml")):
            href = f"./{y + 1}01/t{y + 1}0115_{n}.shtml"
            title = f"某区第{n}局{y}年政府信息公开工作年度报告"
            (folder / f"zfxxgknb/{y}/{y + 1}01").mkdir(parents=True, exist_ok=True)
            (folder / f"zfxxgknb/{y}/{href[2:]}").write_bytes(report)
            page = (
                f'<html><head><meta charset="gbk"><title>{y}年_政府信息公开年报</title></head><body>'
                f'<ul><li><a href="{href}" title="{title}">{title[:14]}...</a></li></ul>'
                f'<script>createPageHTML(2, {n}, "index", "shtml");</script></body></html>'
            )
            (folder / f"zfxxgknb/{y}/{name}").write_bytes(page.encode("gbk"))
    return folder


def gkmlpt_site(folder):
    """A Guangdong gkmlpt portal: a JavaScript app page with SID and TREE, the JSON list API
    (5 rows, 2 a page, page 3 answering 404 as 肇庆's does), report pages with the PDF in DETAIL."""
    app = folder / "yjzjj/gkmlpt"
    (app / "api/all").mkdir(parents=True)
    (app / "index").write_text(
        "<html><head><title>政府信息公开目录</title><script>window._CONFIG = {SID: '662021',\n"
        'TREE: [{"id": 720, "name": "政策文件"}, {"id": 721, "name": "政府信息公开年报"}]};</script>'
        '</head><body><div id="app"></div></body></html>',
        encoding="utf-8",
    )
    rows = [
        ("阳江市住房和城乡建设局2023年政府信息公开工作年度报告", "content/0/970/post_970001.html"),
        ("2024年5月份阳江市工程造价信息", "content/0/963/post_963149.html"),
        ("阳江市住房和城乡建设局2022年政府信息公开工作年度报告", "content/0/960/post_960001.html"),
    ]
    for n, chunk in ((1, rows[:2]), (2, rows[2:])):
        articles = [{"title": t, "url": "{{BASE}}/yjzjj/gkmlpt/" + u} for t, u in chunk]
        (app / f"api/all/721.page{n}").write_text(
            json.dumps({"total": 5, "articles": articles}), encoding="utf-8"
        )
    pdf = "{{BASE}}\\/yjzjj\\/attachment\\/0\\/88\\/960001.pdf"
    for _, u in rows[::2]:
        (app / u).parent.mkdir(parents=True, exist_ok=True)
        (app / u).write_text(
            REPORT_PAGE.replace(
                "</body>",
                f'<script>window._CONFIG={{DETAIL:{{"attachment":[{{"url":"{pdf}"}}]}}}}</script></body>',
            ),
            encoding="utf-8",
        )
    (folder / "yjzjj/attachment/0/88").mkdir(parents=True)
    shutil.copyfile(
        SITES / "hongze-epoint/attach/2025/01/hongze-district-2024.pdf",
        folder / "yjzjj/attachment/0/88/960001.pdf",
    )
    return folder


def test_retries_redirects_robots_challenges_and_a_dead_source(tmp_path):
    other = PortalServer(small_site(tmp_path / "other", [])).start()
    site = small_site(
        tmp_path / "site",
        [
            ("/nb/a.html", "某县卫生健康局2023年政府信息公开工作年度报告"),
            ("/nb/moved.html", "某县教育局2023年政府信息公开工作年度报告"),
            (other.url + "nb/c.html", "某县民政局2023年政府信息公开工作年度报告"),
            ("/search/d.html", "某县公安局2023年政府信息公开工作年度报告"),
            ("/nb/2022.html", "某县2022年政府信息公开工作年度报告"),  # in fact the year's list
        ],
    )
    (site / "nb/a.html").write_text(REPORT_PAGE, encoding="utf-8")
    small_site(tmp_path / "year", [("/nb/e.html", "某县财政局2022年政府信息公开工作年度报告")])
    shutil.copyfile(tmp_path / "year/nb/index.html", site / "nb/2022.html")
    (site / "nb/e.html").write_text(REPORT_PAGE, encoding="utf-8")
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /search/\n", encoding="utf-8")
    server = PortalServer(
        site, fail_first={"/nb/a.html": 2}, redirects={"/nb/moved.html": other.url + "nb/b.html"}
    ).start()
    guarded = PortalServer(shutil.copytree(SITES / "shahe-vsb", tmp_path / "guarded"), challenge=True).start()
    tree = PortalServer(year_tree(tmp_path / "tree")).start()
    gkmlpt = PortalServer(gkmlpt_site(tmp_path / "gkmlpt")).start()
    try:
        sources = sources_file(
            tmp_path / "s.yaml",
            [
                {
                    "name": "某县",
                    "url": server.url + "nb/index.html",
                    "province": "河南省",
                    "level": "county",
                },
                {"name": "沙河", "url": guarded.url + "xxgk/zfxxgknb.htm", "province": "河北省"},
                {"name": "无法连接", "url": "http://127.0.0.1:9/nb/", "province": "河南省"},
                {"name": "年度子栏目", "url": tree.url + "zfxxgknb/index.shtml", "province": "北京市"},
                {
                    "name": "阳江住建",
                    "url": gkmlpt.url + "yjzjj/gkmlpt/index",
                    "province": "广东省",
                    "city": "阳江市",
                },
            ],
        )
        stdout = crawl(tmp_path / "r.db", sources)
    finally:
        for s in (server, other, guarded, tree, gkmlpt):
            s.stop()
    # 503 twice, then the page: retried and archived.
    assert server.hits["/nb/a.html"] == 3 and server.bodies["/nb/a.html"] == 1
    # Neither the off-host link nor the redirect to another host reached the other server.
    assert sum(other.hits.values()) == 0
    # A link titled like a report that leads to the year's list: its reports are followed.
    assert server.bodies["/nb/e.html"] == 1
    # robots.txt disallows /search/: never requested, reported as a failure of that source.
    assert server.hits["/search/d.html"] == 0
    assert row(stdout, "某县")["new"] >= 2 and row(stdout, "某县")["failed"] == 1
    # The 瑞数-style 412 challenge sent that source to the browser, which got through.
    assert row(stdout, "沙河")["new"] == 1 and row(stdout, "沙河")["browser"] >= 3
    documents = sqlite_utils.Database(tmp_path / "r.db")["documents"]
    assert {d["via"] for d in documents.rows_where("source = ?", ["沙河"])} == {"browser"}
    assert guarded.bodies["/info/1026/2001.htm"] == 1
    # Year sub-columns (2023年, 2022年), each a GBK list with a createPageHTML pager and titles cut
    # short in the text (the full title in title=): every report, none through the browser.
    assert tree.bodies["/zfxxgknb/2023/index_1.shtml"] == 1
    assert {k: v for k, v in row(stdout, "年度子栏目").items() if k in ("found", "new", "browser")} == {
        "found": 4,
        "new": 4,
        "browser": 0,
    }
    # gkmlpt: the 年报 category of the tree through the JSON API, page 3's 404 taken as the end,
    # the PDF named only inside window._CONFIG.DETAIL followed (once: both reports link it).
    assert gkmlpt.hits["/yjzjj/gkmlpt/api/all/721?page=3&sid=662021"] == 1
    assert {k: v for k, v in row(stdout, "阳江住建").items() if k in ("found", "new", "failed")} == {
        "found": 2,
        "new": 3,
        "failed": 0,
    }
    assert gkmlpt.bodies["/yjzjj/attachment/0/88/960001.pdf"] == 1
    # A source that cannot be reached fails alone; the crawl still exits 0 and says which.
    assert row(stdout, "无法连接")["failed"] == 1
    assert "had failures: 某县, 无法连接" in stdout
    errors = json.loads(next(sqlite_utils.Database(tmp_path / "r.db")["crawl_runs"].rows)["errors"])
    assert {e["source"] for e in errors} == {"某县", "无法连接"}


def interrupted_crawl(tmp_path, sig):
    """Start a slow crawl of eight reports, send it ``sig`` after the third report page, then run
    the same command again. Returns (server, report paths, output of both runs, report pages
    downloaded and report pages archived by the interrupted run)."""
    links = [(f"/nb/r{k}.html", f"某县第{k}局2023年政府信息公开工作年度报告") for k in range(8)]
    site = small_site(tmp_path / "site", links)
    for href, _ in links:
        (site / href.lstrip("/")).write_text(REPORT_PAGE, encoding="utf-8")
    db = tmp_path / "r.db"
    with PortalServer(site) as server:
        sources = sources_file(tmp_path / "s.yaml", [{"name": "某县", "url": server.url + "nb/index.html"}])
        # One request at a time, slowly, so that the signal lands in the middle.
        slow = {**FAST, "DOWNLOAD_DELAY": 0.3, "CONCURRENT_REQUESTS": 1}
        env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(slow)}
        cmd = [GOVREPORTS, "crawl", str(db), "--sources", str(sources)]
        first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        paths = [href for href, _ in links]
        deadline = time.monotonic() + 60
        while sum(server.bodies[p] for p in paths) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(sig)
        out, _ = first.communicate(timeout=60)
        downloaded = sum(server.bodies[p] for p in paths)
        assert downloaded < 8, "the crawl ended before the signal"
        assert (tmp_path / "r.jobs").is_dir()
        archived = sqlite_utils.Database(db)["documents"].count_where("kind = 'report'")
        # whole responses the killed run wrote to its WARC files: replayed, not fetched again
        held = {url.split("/", 3)[3] for url in unfiled(Archive(db), warc_folder(db))}
        second = crawl(db, sources)
    documents = sqlite_utils.Database(db)["documents"]
    # Every report is in the archive exactly once.
    assert sorted(d["url"].split("/", 3)[3] for d in documents.rows_where("kind = 'report'")) == [
        p.lstrip("/") for p in paths
    ]
    assert sqlite_utils.Database(db)["reports"].count == 8
    assert not (tmp_path / "r.jobs").exists()  # a finished crawl leaves no job state behind
    return server, paths, out, second, downloaded, archived, held


def test_resume_after_ctrl_c_loses_and_duplicates_nothing(tmp_path):
    server, paths, first, second, downloaded, archived, _ = interrupted_crawl(tmp_path, signal.SIGINT)
    assert "run the same command again to continue" in first
    assert "Resuming" in second
    assert downloaded == archived  # Ctrl-C lets what was downloaded reach the archive
    assert [server.bodies[p] for p in paths] == [1] * 8  # every report page downloaded once


def test_after_a_kill_the_same_command_finds_everything_again(tmp_path):
    server, paths, _, second, downloaded, archived, held = interrupted_crawl(tmp_path, signal.SIGKILL)
    assert "did not stop cleanly" in second
    # Reports archived before the kill are not downloaded again; those downloaded but not yet
    # archived when the process died are read back from the WARC files the killed run wrote
    # (replayed), or, when it died before writing their record, downloaded once more.
    replayed = len([p for p in held if "/" + p in paths])
    assert sum(server.bodies[p] for p in paths) == downloaded + 8 - archived - replayed
    assert all(server.bodies["/" + p] == 1 for p in held if "/" + p in paths)
