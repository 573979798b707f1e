"""Discovery on real CMS markup (fixtures/shared/portals/cms), titles and traps, and the sources file.

These read pages as Scrapy responses and call the adapters directly: no network, no reactor.
"""

import json
import pathlib

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from truth import SHARED

from govreports.crawler.cms import BY_NAME, FAMILIES, GENERIC, adapter_for, hanweb
from govreports.crawler.cms.links import attachment_links
from govreports.crawler.cms.responses import as_text, redecode
from govreports.crawler.cms.titles import (
    is_column_title,
    is_entry_title,
    is_report_title,
    scripts_name_reports,
)
from govreports.crawler.sources import DEFAULT_SOURCES, SourceError, allowed_hosts, load_sources, on_source
from govreports.parser.labels import is_attachment

CMS = SHARED / "portals" / "cms"


def page(url, body, cls=HtmlResponse, **meta):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return cls(url=url, body=body, encoding="utf-8", request=Request(url, meta=meta))


def real(name, url, cls=HtmlResponse):
    return page(url, (CMS / name).read_bytes(), cls)


def urls(links):
    return [link.url for link in links]


def test_trs_column_reports_and_pages_from_the_pager_script():
    # The 鄂尔多斯 column: 10 rows (4 reports among news), page count only in `var countPage = 2`.
    col = real("trs-list-ordos-egb-xxgknb.html", "http://www.ordos.gov.cn/egb/xxgk/xxgknb/index.html")
    adapter = adapter_for(col)
    assert adapter.name == "trs"
    assert [link.title for link in adapter.report_links(col)] == [
        "鄂尔多斯市2019年政府信息公开工作年度报告",
        "鄂尔多斯市人民政府办公室2019年政府信息公开工作年度报告",
        "鄂尔多斯市2018年政府信息公开年度报告",
        "内蒙古自治区2018年政府信息公开工作年度报告",
    ]
    assert (
        urls(adapter.report_links(col))[0]
        == "http://www.ordos.gov.cn/egb/xxgk/xxgknb/202009/t20200903_2748784.html"
    )
    assert set(urls(adapter.next_pages(col))) == {"http://www.ordos.gov.cn/egb/xxgk/xxgknb/index_1.html"}


def test_trs_pager_script_without_rendered_links_still_gives_every_page():
    # What a crawler receives: the script only, no rendered <a href="index_1.html">.
    script = '<script>var currentPage = 0;var countPage = 4\ndocument.write("<a href=\\"index"+"_" + nextPage + "."+"shtml\\">下一页</a>");</script>'
    col = page("http://www.x.gov.cn/zwgk/nb/index.shtml", f"<html><body>{script}</body></html>")
    assert adapter_for(col).name == "trs"
    assert urls(adapter_for(col).next_pages(col)) == [
        f"http://www.x.gov.cn/zwgk/nb/index_{k}.shtml" for k in (1, 2, 3)
    ]
    short = page(
        "http://www.ndrc.gov.cn/xxgk/nb/index.html", '<script>createPageHTML(3, 0, "index", "html");</script>'
    )
    assert urls(adapter_for(short).next_pages(short)) == [
        "http://www.ndrc.gov.cn/xxgk/nb/index_1.html",
        "http://www.ndrc.gov.cn/xxgk/nb/index_2.html",
    ]
    csrc = page(
        "http://www.csrc.gov.cn/csrc/c106256/fg.shtml",
        "<script>createPageHTML('page_div', 3, 1, 'fg', 'shtml', 89);</script>",
    )
    assert urls(adapter_for(csrc).next_pages(csrc)) == [
        "http://www.csrc.gov.cn/csrc/c106256/fg_2.shtml",
        "http://www.csrc.gov.cn/csrc/c106256/fg_3.shtml",
    ]


def test_hanweb_datastore_column_and_dataproxy_pages():
    col = real(
        "hanweb-jpage-list-jiangsu-gov-condensed.html", "http://www.jiangsu.gov.cn/col/col33718/index.html"
    )
    adapter = adapter_for(col)
    assert adapter.name == "hanweb"
    # The rows sit in <script type="text/xml"> CDATA; they are news, not reports.
    assert [link.title for link in hanweb.records(col)][0] == "连云港跨里海班列运输提质提速"
    assert adapter.report_links(col) == []
    (proxy,) = adapter.next_pages(col)
    assert proxy.url.startswith(
        "http://www.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1"
    )
    assert "columnid=33718" in proxy.url and "unitid=212860" in proxy.url

    xml = real(
        "hanweb-dataproxy-gxt-jiangsu-condensed.xml",
        "http://gxt.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&columnid=6278",
        TextResponse,
    )
    assert adapter_for(xml).name == "hanweb"
    pages = adapter.next_pages(xml)  # <totalpage>63</totalpage>: pages 2 … 63
    assert len(pages) == 62 and pages[0].url.endswith("page=2&appid=1&webid=1&columnid=6278")
    # Two records with links, one "无链接脏数据" record without: skipped, not an error.
    assert [link.url for link in hanweb.records(xml)] == [
        "http://gxt.jiangsu.gov.cn/art/2026/6/10/art_6278_11783480.html",
        "http://gxt.jiangsu.gov.cn/art/2026/5/18/art_6278_11772533.html",
    ]


def test_hanweb_records_that_name_reports_are_reports():
    xml = (
        "<datastore><totalrecord>2</totalrecord><totalpage>1</totalpage><recordset>"
        "<record><![CDATA[<li><a href='/art/2024/1/22/art_1229_88123.html' title='杭州市卫生健康委员会2023年度政府信息公开工作年度报告'>杭州市卫生健康委员会2023年度…</a></li>]]></record>"
        "<record><![CDATA[<li><a href='/art/2024/1/2/art_1229_88000.html'>关于报送2023年政府信息公开工作年度报告的通知</a></li>]]></record>"
        "</recordset></datastore>"
    )
    response = page("http://wsjkw.hangzhou.gov.cn/module/web/jpage/dataproxy.jsp?page=1", xml, TextResponse)
    adapter = adapter_for(response)
    assert adapter.name == "hanweb"
    # The long title= wins over the shortened text; the notice about reports is a trap.
    assert [(link.url, link.title) for link in adapter.report_links(response)] == [
        (
            "http://wsjkw.hangzhou.gov.cn/art/2024/1/22/art_1229_88123.html",
            "杭州市卫生健康委员会2023年度政府信息公开工作年度报告",
        )
    ]
    assert adapter.next_pages(response) == []


def test_vsb_pages_are_numbered_downwards():
    col = real("vsb-list-whit-edu-zcyzc.html", "http://www.whit.edu.cn/xwzx/zcyzc.htm")
    adapter = adapter_for(col)
    assert adapter.name == "vsb"
    pages = set(urls(adapter.next_pages(col)))
    # _simple_list_gotopage_fun(31, …): page 2 is zcyzc/30.htm, the last zcyzc/1.htm.
    assert {f"http://www.whit.edu.cn/xwzx/zcyzc/{n}.htm" for n in range(1, 31)} == pages
    assert adapter.report_links(col) == []  # procurement notices, no report


def test_gkmlpt_index_calls_the_api_and_the_api_pages():
    index = page(
        "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/index",
        '<html><script>window._CONFIG = {SID: \'662021\',\nTREE: [{"id": 720, "name": "政策文件"}, {"id": 721, "name": "政府信息公开年报"}]\n};</script></html>',
    )
    adapter = adapter_for(index)
    assert adapter.name == "gkmlpt"
    (api,) = adapter.next_pages(index)
    assert api.url == "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/api/all/721?page=1&sid=662021"

    fixture = json.loads((CMS / "gkmlpt-api-all-yangjiang-testfixture.json").read_text(encoding="utf-8"))
    fixture.pop("_provenance")
    fixture["articles"].append(
        {
            "title": "阳江市住房和城乡建设局2023年政府信息公开工作年度报告",
            "url": "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/content/0/970/post_970001.html",
        }
    )
    response = page(api.url, json.dumps(fixture, ensure_ascii=False), TextResponse)
    assert adapter_for(response).name == "gkmlpt"
    assert urls(adapter.report_links(response)) == [
        "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/content/0/970/post_970001.html"
    ]
    # total 145 with 2 rows on page 1 -> pages 2 … 73; only page 1 plans the rest.
    pages = urls(adapter.next_pages(response))
    assert pages[0].endswith("/api/all/721?page=2&sid=662021") and len(pages) == 72


def test_report_pages_give_their_attachments_epoint_ucap_gkmlpt():
    detail = real(
        "epoint-detail-fragment-jiande-ggzy.html", "http://ggzy.jiande.gov.cn/art/2021/6/30/art_1.html"
    )
    assert adapter_for(detail).name == "epoint"
    assert urls(attachment_links(detail)) == [
        "http://tfile.zhaotx.cn/files/webfile/20210707/doc/C3DDE5C689574F8ABBFC723254D8109C.doc"
    ]
    ucap = real(
        "ucap-list-and-detail-jiuquan-condensed.html",
        "http://www.jiuquan.gov.cn/zjj/c106845/202604/7c0f7f036f8347a0bbfae8649cede720.shtml",
    )
    (pdf,) = attachment_links(ucap)
    assert pdf.url.startswith(
        "http://www.jiuquan.gov.cn/zjj/c106845/202604/7c0f7f036f8347a0bbfae8649cede720/files/"
    )
    assert pdf.url.endswith(".pdf")
    gkmlpt = page(
        "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/content/0/963/post_963149.html",
        '<script>window._CONFIG={DETAIL:{"attachment":[{"url":"http:\\/\\/www.yangjiang.gov.cn\\/yjzjj\\/attachment\\/0\\/88\\/88389\\/963149.pdf"}]}}</script>',
    )
    assert urls(attachment_links(gkmlpt)) == [
        "http://www.yangjiang.gov.cn/yjzjj/attachment/0/88/88389/963149.pdf"
    ]


def test_jpaas_json_lists_are_read_by_shape():
    body = {
        "data": {
            "totalPage": 3,
            "list": [
                {
                    "title": "临夏州民政局2023年政府信息公开工作年度报告",
                    "url": "/col/col5/art/2024/art_0123456789abcdef0123456789abcdef.html",
                },
                {
                    "title": "全州2023年政府信息公开工作年度报告汇总",
                    "url": "/col/col5/art/2024/art_00000000000000000000000000000000.html",
                },
            ],
        }
    }
    response = page(
        "http://www.linxia.gov.cn/api/col/5/list?pageNo=1", json.dumps(body, ensure_ascii=False), TextResponse
    )
    adapter = adapter_for(response)
    assert adapter.name == "hanweb_jpaas"
    assert urls(adapter.report_links(response)) == [
        "http://www.linxia.gov.cn/col/col5/art/2024/art_0123456789abcdef0123456789abcdef.html"
    ]
    assert urls(adapter.next_pages(response)) == [
        "http://www.linxia.gov.cn/api/col/5/list?pageNo=2",
        "http://www.linxia.gov.cn/api/col/5/list?pageNo=3",
    ]


@pytest.mark.parametrize(
    "title, report",
    [
        ("杭州市卫生健康委员会2023年度政府信息公开工作年度报告", True),
        ("北京市密云区2017年政府信息公开工作年报", True),
        ("二〇二三年政务公开工作年度报告", True),
        ("政府信息公开工作年度报告", False),  # a column name: no year
        ("2023年度政府信息公开工作年度报告汇总", False),  # aggregated page
        ("关于报送2023年政府信息公开工作年度报告的通知", False),
        ("一图读懂2023年政府信息公开工作年度报告", False),
        ("各区县2022年政府信息公开工作年度报告", False),  # city-wide collection
        ("2023年全市政府信息公开工作年度报告", False),  # city-wide summary
        ("全省2023年度政府信息公开工作年度报告统计数据", False),
        ("全椒县2023年政府信息公开工作年度报告", True),  # 全椒县 is a county, not "the whole county"
        ("2023年政府工作报告", False),  # not the disclosure report
    ],
)
def test_report_titles_and_traps(title, report):
    assert is_report_title(title) is report


def test_column_titles_lead_to_report_lists():
    assert is_column_title("政府信息公开年报")
    assert is_column_title("2023年度政府信息公开工作年度报告汇总")  # followed as a list
    assert not is_column_title("2023年政府信息公开工作年度报告")  # a report
    assert is_column_title("2023年", inside_column=True) and not is_column_title("2023年")
    assert is_column_title("政府信息公开年度工作报告")
    for entry in ("政府信息公开", "政务公开", "信息公开目录", "区政府信息公开专栏", "法定主动公开内容"):
        assert is_entry_title(entry), entry
    for other in (
        "政府信息公开指南",
        "依申请公开",
        "政务公开动态",
        "信息公开制度",
        "关于做好2023年政务公开工作的通知",
    ):
        assert not is_entry_title(other), other


def test_the_bundled_sources_load(tmp_path):
    sources = load_sources(DEFAULT_SOURCES)
    assert len(sources) > 400  # the real list, without the entries marked enabled: false
    assert all(s.get("enabled", True) for s in sources)
    handan = next(s for s in sources if s.get("domains"))
    assert len(allowed_hosts(handan)) >= 2


def test_sources_errors_name_the_file_and_the_entry(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - name: 某县人民政府\n    url: ftp://x.gov.cn/\n    province: 河北省\n", encoding="utf-8"
    )
    with pytest.raises(SourceError, match=r"bad\.yaml: source #1 \(某县人民政府\): 'url' must be an http"):
        load_sources(bad)
    bad.write_text("sources:\n  - name: A\n    url: http://a.gov.cn/\n    level: town\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"source #1 \(A\): 'level' must be one of"):
        load_sources(bad)
    bad.write_text("sources: [", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.yaml: not valid YAML"):
        load_sources(bad)
    good = tmp_path / "good.yaml"
    good.write_text(
        "sources:\n  - {name: A, url: 'http://a.gov.cn/'}\n  - {name: B, url: 'http://b.gov.cn/'}\n",
        encoding="utf-8",
    )
    assert [s["name"] for s in load_sources(good, only=["B"])] == ["B"]
    with pytest.raises(SourceError, match="no source named 'C'"):
        load_sources(good, only=["C"])


def test_hosts_of_a_source():
    hosts = allowed_hosts({"url": "https://www.hefei.gov.cn/", "domains": ["127.0.0.1:8123"]})
    assert on_source("http://www.hefei.gov.cn/xxgk/", hosts)
    assert on_source("http://zwgk.hefei.gov.cn/nb/", hosts)  # subdomain of the www host
    assert on_source("http://127.0.0.1:8123/x", hosts)
    assert not on_source("http://127.0.0.1:8124/x", hosts)  # another port is another host
    assert not on_source("http://www.hefei.gov.cn.zwinkt.com/", hosts)


def test_anti_bot_challenges_are_recognised_not_solved():
    from govreports.crawler.middlewares import challenge
    from govreports.crawler.portals.server import CHALLENGE_PAGE

    url = "http://www.nmpa.gov.cn/xxgk/ggtg/index.html"
    ruishu = HtmlResponse(url=url, status=412, body=CHALLENGE_PAGE)
    jiasule = HtmlResponse(url=url, status=521, body=b"<script>document.cookie='__jsl_clearance=1'</script>")
    aliyun = HtmlResponse(
        url=url, status=200, body=b"<script>var arg1='" + b"A" * 40 + b"';/* acw_sc__v2 */</script>"
    )
    assert challenge(ruishu) and challenge(jiasule) and challenge(aliyun)
    # A 412 without the $_ts loader, or a report that merely mentions cookies, is not a challenge.
    assert not challenge(HtmlResponse(url=url, status=412, body=b"<h1>Precondition Failed</h1>"))
    assert not challenge(
        real("trs-detail-mee-ywdt.html", "http://www.mee.gov.cn/ywdt/t20220417_974894.shtml")
    )


def test_hanweb_column_without_nextgroup_asks_dataproxy_like_jpage_js():
    from urllib.parse import parse_qsl

    body = (
        "<div id='5012'><script type='text/xml'><datastore><recordset>"
        "<record><![CDATA[<li><a href='/art/2024/1/9/art_1229_1.html'>区政府召开常务会议研究部署工作</a></li>]]></record>"
        "</recordset></datastore></script></div>"
        "<script>var param_5012={columnid:1229,unitid:'5012',webid:2992,webname:'乐清市人民政府'};"
        "$('#5012').jpage({totalRecord:40,perPage:15});</script>"
    )
    col = page("http://www.yueqing.gov.cn/col/col1229/index.html", body)
    adapter = adapter_for(col)
    (proxy,) = adapter.next_pages(col)
    assert adapter.name == "hanweb" and proxy.method == "POST"
    assert (
        proxy.url
        == "http://www.yueqing.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=40&perpage=15"
    )
    form = dict(parse_qsl(proxy.body))
    assert (form["columnid"], form["unitid"], form["webid"], form["webname"]) == (
        "1229",
        "5012",
        "2992",
        "乐清市人民政府",
    )


def test_truncated_titles_in_a_report_column_and_attachments_named_by_their_text():
    assert is_report_title("乐清市卫生健康局2021年度政府信息公开工作年…", lenient=True)
    assert not is_report_title("乐清市卫生健康局2021年度政府信息公开工作年…")
    assert is_attachment("http://www.x.gov.cn/module/download/downfile.jsp?classid=0&filename=2107.pdf")
    assert is_attachment("http://www.x.gov.cn/download.jsp?id=88", "2023年度报告.docx")
    assert is_attachment("http://www.x.gov.cn/module/download/downfile.jsp?id=7", "附件1")
    assert not is_attachment("http://www.x.gov.cn/art/2024/1/22/art_1.html", "2023年度报告")


def test_gbk_pages_served_as_utf8_are_read_by_their_meta_charset():
    html = '<html><head><meta charset="gbk"></head><body><a href="/a.html">某县2023年政府信息公开工作年度报告</a></body></html>'
    url = "http://www.bjchy.gov.cn/zfxxgknb/index.html"
    headers = {"Content-Type": "text/html; charset=utf-8"}
    wrong = HtmlResponse(url=url, body=html.encode("gbk"), headers=headers, request=Request(url))
    assert GENERIC.report_links(wrong) == []  # mojibake
    (link,) = GENERIC.report_links(redecode(wrong))
    assert link.title == "某县2023年政府信息公开工作年度报告"


def test_a_list_drawn_from_a_json_api_is_read_without_the_browser():
    # The column page only names its API in a script; the API answers JSONP.
    col = page(
        "http://www.lxs.gov.cn/col/col3/index.html",
        "<html><title>政府信息公开年报</title><ul id='list'></ul>"
        "<script>$.getJSON('/api/col/3/list?pageNo=1&pageSize=2', draw); /* static/app.js */</script></html>",
    )
    (api,) = [link for link in adapter_for(col).next_pages(col) if link.title == "api"]
    assert api.url == "http://www.lxs.gov.cn/api/col/3/list?pageNo=1&pageSize=2"
    body = 'draw({"total": 3, "data": [{"title": "临夏县民政局2023年政府信息公开工作年度报告", "url": "/art/2024/art_1.html"}]});'
    answer = page(api.url, body, TextResponse)
    adapter = adapter_for(answer)
    assert adapter.name == "hanweb_jpaas"
    assert urls(adapter.report_links(answer)) == ["http://www.lxs.gov.cn/art/2024/art_1.html"]
    assert urls(adapter.next_pages(answer)) == ["http://www.lxs.gov.cn/api/col/3/list?pageNo=2&pageSize=2"]


def test_report_titles_inside_scripts_mean_rows_a_browser_draws():
    drawn = page(
        "http://www.sh.gov.cn/nw12344/index.html",
        '<ul id="list"></ul><script>var rows = [["2025", "2025年上海市人民政府办公厅政府信息公开工作年度报告"]];</script>',
    )
    assert GENERIC.report_links(drawn) == [] and scripts_name_reports(drawn)
    pager = real("trs-list-ordos-egb-xxgknb.html", "http://www.ordos.gov.cn/egb/xxgk/xxgknb/index.html")
    assert not scripts_name_reports(pager)  # a pager script names no report


def test_pages_served_as_octet_stream_are_still_read_as_html():
    from scrapy.http import Response

    body = (
        '<!-- saved page -->\n<div><a href="./t1.shtml">某县2023年政府信息公开工作年度报告</a></div>'.encode()
    )
    url = "http://www.x.gov.cn/nb/index.shtml"
    raw = Response(url, body=body, headers={"Content-Type": "application/octet-stream"}, request=Request(url))
    assert [link.url for link in GENERIC.report_links(as_text(raw))] == ["http://www.x.gov.cn/nb/t1.shtml"]


def test_a_missing_list_page_is_the_end_except_where_the_cms_says_otherwise():
    # Hanweb serves dataproxy.jsp at /module/web/jpage/ or, on older sites, at /module/jpage/:
    # the same request (a POST keeps its form) goes to the older address once.
    url = "http://www.yueqing.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=40&perpage=15"
    request = Request(url, method="POST", body="columnid=1229&unitid=5012")
    (older,) = adapter_for(page("http://www.yueqing.gov.cn/col/col1229/index.html", "<datastore>")).not_found(
        request
    )
    assert older.url == url.replace("/module/web/jpage/", "/module/jpage/")
    assert (older.method, older.body) == ("POST", "columnid=1229&unitid=5012")
    assert hanweb.Hanweb().not_found(Request(older.url)) == []  # tried both: the end
    # gkmlpt answers everything on page 1 and 404 after it; a pager may overshoot: the end.
    assert GENERIC.not_found(Request("http://www.x.gov.cn/nb/index_9.html")) == []


def test_adapters_that_read_script_data_and_the_generic_fallback():
    assert {a.name for a in FAMILIES if a.reads_script_data} == {"hanweb", "hanweb_jpaas", "gkmlpt"}
    plain = page("http://www.x.gov.cn/nb/index.html", "<html><a href='/a.html'>新闻</a></html>")
    assert adapter_for(plain) is GENERIC and adapter_for(plain, hint="trs").name == "trs"
    assert set(BY_NAME) == {"gkmlpt", "epoint", "hanweb", "hanweb_jpaas", "vsb", "trs", "generic"}


def test_the_worked_example_of_adding_a_cms_is_the_code():
    root = pathlib.Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "adding-a-cms.md").read_text(encoding="utf-8")
    for path in ("crawler/cms/vsb.py",):
        assert (root / path).read_text(encoding="utf-8") in doc, f"docs/adding-a-cms.md quotes an old {path}"
    test = pathlib.Path(__file__).read_text(encoding="utf-8")
    start = test.index("def test_vsb_pages_are_numbered_downwards")
    assert test[start : test.index("\n\n\ndef ", start)] in doc, "docs/adding-a-cms.md quotes an old VSB test"
