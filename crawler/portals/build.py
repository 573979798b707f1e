"""Write the sample portals under sites/ from the real markup of each CMS family and the real
report texts in a folder TEXTS (a build-time tool: run it again from a checkout after changing this
file)::

    python -m govreports.crawler.portals.build tests/fixtures/shared

Each portal copies the structure the family's real pages have (tests/fixtures/shared/portals/cms): a TRS WCM
column with its inline ``countPage`` pager script, a Hanweb column whose rows sit in a
``<datastore>`` with a ``dataproxy.jsp`` XML second page, a VSB column with its downward-numbered
pager, an Epoint page whose report is a PDF in ``div.infoattach``, and a list rendered by
JavaScript (only a browser sees its links). Report pages hold the texts of TEXTS/seeds and
TEXTS/realworld (the real reports of the tests: tests/fixtures/shared) as HTML paragraphs and tables.
"""

import argparse
import html
import pathlib
import shutil

SITES = pathlib.Path(__file__).parent / "sites"

NEWS = [
    "恩格贝生态示范区召开2020年度工作会暨党风廉政建设会议",
    "恩格贝生态示范区召开目标责任制考核表彰大会",
    "一图读懂示范区2017年重点工作",
    "关于开展2021年度政府信息公开工作年度报告编制工作的通知",
    "区卫生健康委召开疫情防控工作推进会",
    "2021年政府信息公开工作年度报告解读",
    "区政府常务会议研究部署安全生产工作",
    "关于公布2022年度行政规范性文件清理结果的公告",
]


def paragraphs_and_tables(text, pipe_tables=True) -> str:
    """Report text as HTML: tab-separated lines and one-cell-per-line blocks (rows split by blank
    lines, a cell's wrapped label continuing on an untabbed line) become <table>s, markdown pipe
    rows too (when pipe_tables), everything else one <p> per line."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t") or ("\t" in line.strip()):
            block = []
            while i < len(lines) and (
                lines[i].startswith("\t") or "\t" in lines[i] or not lines[i].strip() or _continues(lines, i)
            ):
                block.append(lines[i])
                i += 1
            out.append(_table(_tab_rows(block)))
            continue
        if pipe_tables and line.strip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(set(c) <= set("-: ") for c in cells):
                    rows.append(cells)
                i += 1
            out.append(_table(rows))
            continue
        if line.strip():
            out.append(f"<p>{html.escape(line.strip())}</p>")
        i += 1
    return "\n".join(out)


def _continues(lines, i):
    return bool(lines[i - 1].strip()) and i + 1 < len(lines) and lines[i + 1].startswith("\t")


def _tab_rows(block):
    if any(line.count("\t") > 1 for line in block):
        return [line.split("\t") for line in block if line.strip()]
    rows, row = [], None
    for line in block:
        if not line.strip():
            if row:
                rows.append(row)
            row = None
        elif line.startswith("\t"):
            row = (row or []) + [line.strip()]
        elif row:
            row[-1] += line.strip()
    return rows + ([row] if row else [])


def _table(rows):
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in row) + "</tr>\n" for row in rows
    )
    return f'<table border="1" cellspacing="0" cellpadding="0">\n{body}</table>'


def report_body(texts, name, pipe_tables=True):
    path = (
        next(p for p in (texts / "seeds").glob(f"{name}*.txt"))
        if name[0].isdigit()
        else texts / "realworld" / name
    )
    return paragraphs_and_tables(path.read_text(encoding="utf-8"), pipe_tables)


def write(site, path, text):
    target = SITES / site / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


# -- TRS WCM: 平顶山市卫东区 (home -> 政府信息公开 -> 信息公开年报, two pages) ------------------------

TRS_PAGER = """<script language="JavaScript" type="text/javascript">
var currentPage = {current};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = 2//共多少页
document.write("共计"+"&nbsp;<font style='color:#FF8008'>"+"2"+"&nbsp;</font>"+"页");
document.write("&nbsp;<a href=\\"index."+"html\\">首页</a>&nbsp;|");
if(countPage>1&&currentPage!=(countPage-1))
document.write("&nbsp;<a href=\\"index"+"_" + nextPage + "."+"html\\">&nbsp;<span class=greyfont>下一页</span>&nbsp;</a>&nbsp;");
else
document.write("&nbsp;下一页&nbsp;");
if(countPage!=1)
document.write("&nbsp;<a href=\\"index"+"_" + (countPage-1)  + "."+"html\\">尾页</a>&nbsp;");
</script>"""


def trs_page(title, crumbs, content):
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title}</title>
<meta name="SiteName" content="平顶山市卫东区人民政府" />
<meta name="SiteIDCode" content="4104030001" />
</head>
<body>
<table width="1006" border="0" cellspacing="0" cellpadding="0" id="memu" align="center"><tbody><tr>
  <td class="td1"><a href="/">首页</a></td>
  <td class="td3"><a href="/xxgk/">政府信息公开</a></td>
  <td class="td3"><a href="/zwdt/">政务动态</a></td>
  <td class="td3"><a href="http://www.gov.cn/">中国政府网</a></td>
</tr></tbody></table>
<table width="1006" border="0" cellspacing="0" cellpadding="0" class="bor" align="center"><tbody>
<tr><td class="pos" height="27">您现在的位置是：{crumbs}</td></tr>
<tr><td valign="top">
{content}
</td></tr></tbody></table>
<table id="down" align="center"><tbody><tr><td align="center">主办：平顶山市卫东区人民政府办公室</td></tr></tbody></table>
</body></html>
"""


def trs_rows(rows):
    out = []
    for href, title, date in rows:
        out.append(f"""  <tr valign="top" style="padding-bottom:10px;">
    <td width="25" style="padding-top:10px;"><img src="/images/ico2.jpg"></td>
    <td width="550">
      <a href="{href}">{title}</a>
    </td>
    <td>
      {date}
    </td>
  </tr>""")
    return (
        '<table width="682" border="0" cellspacing="0" cellpadding="0" class="gl_list"><tbody>\n'
        + "\n".join(out)
        + "\n</tbody></table>"
    )


def build_trs(texts):
    site = "weidong-trs"
    home_crumbs = '<a href="/" title="首页" class="CurrChnlCls">首页</a>'
    write(
        site,
        "index.html",
        trs_page(
            "平顶山市卫东区人民政府",
            home_crumbs,
            trs_rows(
                [
                    ("/zwdt/202401/t20240110_3901.html", "区政府召开全体会议", "2024-01-10"),
                    ("/xxgk/", "政府信息公开", ""),
                ]
            ),
        ),
    )
    xxgk_crumbs = (
        home_crumbs
        + '&nbsp;&gt;&gt;&nbsp;<a href="/xxgk/" title="政府信息公开" class="CurrChnlCls">政府信息公开</a>'
    )
    menu = """<table width="155" border="0" cellspacing="0" cellpadding="0" class="gl_left"><tbody>
  <tr><td width="136"><a href="/xxgk/xxgkzn/" target="_self">信息公开指南</a></td></tr>
  <tr><td width="136"><a href="/xxgk/xxgkzd/" target="_self">信息公开制度</a></td></tr>
  <tr><td width="136"><a href="/xxgk/xxgkml/" target="_self">信息公开目录</a></td></tr>
  <tr><td width="136"><a href="/xxgk/xxgknb/" target="_self">信息公开年报</a></td></tr>
</tbody></table>"""
    write(site, "xxgk/index.html", trs_page("政府信息公开_平顶山市卫东区人民政府", xxgk_crumbs, menu))
    write(site, "xxgk/xxgkml/index.html", trs_page("信息公开目录_平顶山市卫东区人民政府", xxgk_crumbs, menu))
    crumbs = (
        xxgk_crumbs
        + '&nbsp;&gt;&gt;&nbsp;<a href="/xxgk/xxgknb/" title="信息公开年报" class="CurrChnlCls">信息公开年报</a>'
    )
    first = [
        (f"./2023{m:02d}/t2023{m:02d}15_38{m:02d}.html", NEWS[m % len(NEWS)], f"2023-{m:02d}-15")
        for m in range(1, 8)
    ]
    first.insert(
        3, ("./202201/t20220125_3870.html", "卫东区2021年度政府信息公开工作年度报告汇总", "2022-01-25")
    )
    first.insert(
        5,
        (
            "http://www.gov.cn/zhengce/2022-05/13/content_5690149.htm",
            "国务院办公厅2021年政府信息公开工作年度报告",
            "2022-05-13",
        ),
    )
    write(
        site,
        "xxgk/xxgknb/index.html",
        trs_page(
            "信息公开年报_平顶山市卫东区人民政府", crumbs, trs_rows(first) + TRS_PAGER.format(current=0)
        ),
    )
    second = [
        (
            "./202201/t20220120_3868.html",
            "平顶山市卫东区卫生健康委员会2021年政府信息公开工作年度报告",
            "2022-01-20",
        ),
        ("./202101/t20210115_3701.html", NEWS[0], "2021-01-15"),
    ]
    write(
        site,
        "xxgk/xxgknb/index_1.html",
        trs_page(
            "信息公开年报_平顶山市卫东区人民政府", crumbs, trs_rows(second) + TRS_PAGER.format(current=1)
        ),
    )
    # the aggregated page: a list of every agency's report, not a report itself
    write(
        site,
        "xxgk/xxgknb/202201/t20220125_3870.html",
        trs_detail(
            "卫东区2021年度政府信息公开工作年度报告汇总",
            "2022-01-25",
            crumbs,
            '<p>各单位2021年度政府信息公开工作年度报告：</p>\n<p><a href="./t20220120_3868.html">平顶山市卫东区卫生健康委员会2021年政府信息公开工作年度报告</a></p>',
        ),
    )
    write(
        site,
        "xxgk/xxgknb/202201/t20220120_3868.html",
        trs_detail(
            "卫东区卫生健康委员会2021年政府信息公开工作年度报告",
            "2022-01-20",
            crumbs,
            report_body(texts, "000"),
        ),
    )
    write(site, "robots.txt", "User-agent: *\nDisallow: /search/\n")


def trs_detail(title, date, crumbs, body):
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>{title}_平顶山市卫东区人民政府</title>
<meta name="SiteName" content="平顶山市卫东区人民政府" />
<meta name="SiteIDCode" content="4104030001" />
<meta name="ColumnName" content="信息公开年报" />
<meta name="ArticleTitle" content="{title}" />
<meta name="PubDate" content="{date} 09:30:00" />
<meta name="ContentSource" content="平顶山市卫东区人民政府" />
<meta name="publishdate" content="{date}">
</head>
<body>
<div class="crumbsNav">当前位置：{crumbs}</div>
<div class="neiright_Box">
  <h2 class="neiright_Title">{title}</h2>
  <p class="ydLyZzBox"><span>{date}</span><span>来源：平顶山市卫东区人民政府</span></p>
  <div class="neiright_JPZ_GK_CP">
<div class=TRS_Editor><div class="Custom_UnionStyle">
{body}
</div></div>
  </div>
</div>
</body>
</html>
"""


# -- Hanweb JCMS: 乐清市 (datastore column + dataproxy.jsp second page) ------------------------------


def hanweb_record(href, title, date):
    return f"<record><![CDATA[<li><a href='{href}' title='{title}'>{title}</a><span>{date}</span></li>]]></record>"


def build_hanweb(texts):
    site = "yueqing-hanweb"
    first = [
        hanweb_record(f"/art/2023/{m}/9/art_1229_48{m:02d}.html", NEWS[m % len(NEWS)], f"2023-{m:02d}-09")
        for m in range(1, 4)
    ]
    proxy = "/module/web/jpage/dataproxy.jsp?page=1&amp;appid=1&amp;webid=2992&amp;path=/&amp;columnid=1229&amp;unitid=5012&amp;webname=乐清市人民政府&amp;permissiontype=0"
    write(
        site,
        "col/col1229/index.html",
        f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>乐清市人民政府 政府信息公开年报</title>
<meta name="SiteName" content="乐清市人民政府"></head>
<body>
<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1229/index.html">政府信息公开年报</a></div>
<div id="5012"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{proxy.replace("&amp;", "&")}"></a>]]></nextgroup>
<recordset>
{chr(10).join(first)}
</recordset></datastore></script></div>
<script>var param_5012={{columnid:1229,unitid:'5012',webid:2992,webname:'乐清市人民政府',permissiontype:0}}; $('#5012').jpage({{totalRecord:5,perPage:3}});</script>
</body></html>
""",
    )
    xml = "<datastore><totalrecord>5</totalrecord><totalpage>2</totalpage><recordset>\n{}\n</recordset></datastore>\n"
    write(site, "module/web/jpage/dataproxy.jsp.page1", xml.format("\n".join(first)))
    second = [
        hanweb_record(
            "/art/2022/1/17/art_1229_5001.html",
            "乐清市卫生健康局2021年度政府信息公开工作年度报告",
            "2022-01-17",
        ),
        hanweb_record("/art/2022/1/10/art_1229_4990.html", NEWS[4], "2022-01-10"),
        "<record><![CDATA[ <li><font> · </font><span>无链接脏数据</span></li> ]]></record>",
    ]
    write(site, "module/web/jpage/dataproxy.jsp.page2", xml.format("\n".join(second)))
    write(
        site,
        "art/2022/1/17/art_1229_5001.html",
        f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>乐清市人民政府 政府信息公开年报 乐清市卫生健康局2021年度政府信息公开工作年度报告</title>
<meta name="ArticleTitle" content="乐清市卫生健康局2021年度政府信息公开工作年度报告">
<meta name="PubDate" content="2022-01-17 16:20">
<meta name="Maketime" content="2022-01-17 16:20:11">
</head><body>
<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1229/index.html">政府信息公开年报</a></div>
<div class="article">
<h1>乐清市卫生健康局2021年度政府信息公开工作年度报告</h1>
<div class="info">发布日期：2022-01-17　信息来源：<!--<$[信息来源]>begin-->乐清市卫生健康局<!--<$[信息来源]>end--></div>
<DIV id=zoom><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><META name=ContentStart>
{report_body(texts, "002")}
<META name=ContentEnd><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></DIV>
</div>
</body></html>
""",
    )


# -- VSB 博达: 沙河市 (column zfxxgknb.htm, page 2 = zfxxgknb/1.htm) -----------------------------------


def vsb_list(rows, pager):
    items = "\n".join(
        f'    <li class="txt-elise">\n        <a href="{h}" target="_blank">{t}</a><span>{d}</span>\n    </li>'
        for h, t, d in rows
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报-沙河市人民政府</title>
<script language="javascript" src="/system/resource/js/ajax.js"></script></head>
<body>
<div class="nav-address"><a class="hidden-xs">您现在的位置： </a><a href="/index.htm">首页</a> -&gt; <a href="/xxgk/zfxxgknb.htm" style="color:#055286;">政府信息公开年报</a></div>
<ul class="list-ul">
{items}
</ul>
<div class="page_pc">{pager}</div>
<script>_showDynClickBatch(['dynclicks_u13_2001'],[2001],"wbnews", 1655460640)</script>
</body></html>
"""


def build_vsb(texts):
    site = "shahe-vsb"
    first_pager = (
        '<div class="pb_sys_common pb_sys_full pb_sys_style1"><span class="p_pages"><span class="p_first_d p_fun_d">首页</span>'
        '<span class="p_prev_d p_fun_d">上页</span><span class="p_no_d">1</span><span class="p_no"><a href="zfxxgknb/1.htm">2</a></span>'
        '<span class="p_next p_fun"><a href="zfxxgknb/1.htm">下页</a></span><span class="p_last p_fun"><a href="zfxxgknb/1.htm">尾页</a></span></span>'
        ' <span class="p_t">共2页</span> <span class="p_goto"><a href="javascript:;" onclick="_simple_list_gotopage_fun(2,&quot;u13_goto&quot;,2)">跳转</a></span></div>'
    )
    rows = [(f"../info/1026/{1990 + k}.htm", NEWS[k], f"2021-0{k + 1}-12") for k in range(5)]
    write(site, "xxgk/zfxxgknb.htm", vsb_list(rows, first_pager))
    second_pager = (
        '<div class="pb_sys_common pb_sys_full pb_sys_style1"><span class="p_pages"><span class="p_first p_fun"><a href="../zfxxgknb.htm">首页</a></span>'
        '<span class="p_prev p_fun"><a href="../zfxxgknb.htm">上页</a></span><span class="p_no"><a href="../zfxxgknb.htm">1</a></span><span class="p_no_d">2</span>'
        '<span class="p_next_d p_fun_d">下页</span><span class="p_last_d p_fun_d">尾页</span></span> <span class="p_t">共2页</span></div>'
    )
    write(
        site,
        "xxgk/zfxxgknb/1.htm",
        vsb_list(
            [
                ("../../info/1026/2001.htm", "沙河市卫生健康局2020年政府信息公开工作年度报告", "2021-01-28"),
                ("../../info/1026/1980.htm", NEWS[6], "2020-12-30"),
            ],
            second_pager,
        ),
    )
    write(
        site,
        "info/1026/2001.htm",
        f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>沙河市卫生健康局2020年政府信息公开工作年度报告-沙河市人民政府</title>
<meta name="pageType" content="3"></head>
<body>
<div class="nav-address"><a href="/index.htm">首页</a> -&gt; <a href="/xxgk/zfxxgknb.htm">政府信息公开年报</a> -&gt; 正文</div>
<form name="_newscontent_fromname">
<h1 class="arti-title">沙河市卫生健康局2020年政府信息公开工作年度报告</h1>
<div class="arti-info">发布时间：2021-01-28</div>
<div id="vsb_content"><div class="v_news_content">
{report_body(texts, "004")}
</div></div>
</form>
</body></html>
""",
    )


# -- Epoint 新点: 淮安市洪泽区 (the report is a PDF attachment) ---------------------------------------


def build_epoint(texts):
    site = "hongze-epoint"
    rows = [
        (
            "/xxgk/ndbg/2025/003001_31.html",
            "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
            "2025-01-21",
        ),
        ("/xxgk/ndbg/2025/003001_30.html", NEWS[3], "2025-01-06"),
    ]
    items = "\n".join(
        f'<li class="ewb-list-node clearfix"><a href="{h}" target="_blank" class="ewb-list-name" title="{t}">{t}</a><span class="ewb-list-date">{d}</span></li>'
        for h, t, d in rows
    )
    write(
        site,
        "xxgk/ndbg/index.html",
        f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年度报告_淮安市洪泽区人民政府</title></head>
<body>
<div class="ewb-location">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/ndbg/index.html">政府信息公开年度报告</a></div>
<ul class="ewb-list" id="showList">
{items}
</ul>
<div class="ewb-page"><ul class="ewb-page-items clearfix"><li class="ewb-page-li current">1</li></ul></div>
</body></html>
""",
    )
    write(
        site,
        "xxgk/ndbg/2025/003001_31.html",
        """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</title>
<meta name="ArticleTitle" content="淮安市洪泽区人民政府2024年政府信息公开工作年度报告"></head>
<body>
<div class="ewb-location">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/ndbg/index.html">政府信息公开年度报告</a></div>
<div class="col-md-20 top20 border-infodetail">
<h3 class="detail-tt">淮安市洪泽区人民政府2024年政府信息公开工作年度报告</h3>
<div id="ivs_content" class="infocontent">
<!--ZJEG_RSS.content.begin--><meta name="ContentStart"><p>《淮安市洪泽区人民政府2024年政府信息公开工作年度报告》全文见附件。</p><meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
</div>
<div class="infoattach">
<a href="/attach/2025/01/hongze-district-2024.pdf" target="_blank">淮安市洪泽区人民政府2024年政府信息公开工作年度报告.pdf</a>
</div>
</div>
</body></html>
""",
    )
    target = SITES / site / "attach/2025/01/hongze-district-2024.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(texts / "realworld" / "hongze-district-2024.pdf", target)


# -- A list built by JavaScript: 上海市 (only a browser sees its links) ---------------------------------


def build_js(texts):
    site = "shanghai-js"
    write(
        site,
        "nw12344/index.html",
        """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_上海市人民政府</title></head>
<body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/nw12344/index.html">政府信息公开年报</a></div>
<ul class="uli16 nowrapli list-date" id="list"></ul>
<script>
(function () {
  var rows = [["20250331", "4a03b5fa47ae4c73", "2025年上海市人民政府办公厅政府信息公开工作年度报告"],
              ["20250328", "9b1c7e2d5f3a8e60", "2024年上海市科委政府信息公开工作年度报告"]];
  var list = document.getElementById("list");
  rows.forEach(function (r) {
    var a = document.createElement("a");
    a.href = ["", "nw12344", r[0], r[1]].join("/") + ".ht" + "ml";
    a.textContent = r[2];
    var li = document.createElement("li");
    li.appendChild(a);
    list.appendChild(li);
  });
})();
</script>
</body></html>
""",
    )
    for date, key, title, source, pipes in (
        (
            "20250331",
            "4a03b5fa47ae4c73",
            "2025年上海市人民政府办公厅政府信息公开工作年度报告",
            "shanghai-office-2025.md",
            False,
        ),
        (
            "20250328",
            "9b1c7e2d5f3a8e60",
            "2024年上海市科委政府信息公开工作年度报告",
            "shanghai-kewei-2024.md",
            True,
        ),
    ):
        write(
            site,
            f"nw12344/{date}/{key}.html",
            f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="ArticleTitle" content="{title}"></head>
<body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/nw12344/index.html">政府信息公开年报</a></div>
<h2 id="ivs_title" class="Article-title">{title}</h2>
<div class="Article_content" id="ivs_content">
{report_body(texts, source, pipe_tables=pipes)}
</div>
</body></html>
""",
        )


def build(texts: pathlib.Path) -> None:
    """Write sites/ again from the report texts in ``texts`` (seeds/ and realworld/)."""
    for folder in ("seeds", "realworld"):
        if not (texts / folder).is_dir():
            raise FileNotFoundError(
                f"{texts / folder}: no such folder (TEXTS is tests/fixtures/shared of a checkout)"
            )
    if SITES.exists():
        shutil.rmtree(SITES)
    build_trs(texts)
    build_hanweb(texts)
    build_vsb(texts)
    build_epoint(texts)
    build_js(texts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m govreports.crawler.portals.build", description=__doc__)
    parser.add_argument(
        "texts", type=pathlib.Path, help="the folder of seeds/ and realworld/: tests/fixtures/shared"
    )
    build(parser.parse_args().texts)
