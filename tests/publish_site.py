"""A small real archive and `govreports serve` over it, for the publishing tests.

The archive is built the way the crawler builds one: sources, fetches recorded with their URLs,
each fetch parsed by archive.Archive. The reports are the shared seeds and real-world files, plus
two made from a seed: the same agency a year later (so there are years to compare and a year to
miss) and a report whose title and text carry markup (<script>, onerror=) that must stay text.
"""

import html
import os
import pathlib
import subprocess
import sys
import time
import urllib.request

from truth import SHARED

from govreports.archive import Archive
from govreports.crawler.demo import free_port

SEEDS = SHARED / "seeds"
REALWORLD = SHARED / "realworld"

SOURCES = [
    {
        "name": "乐清市卫生健康局",
        "url": "http://www.yueqing.gov.cn/col/col1/",
        "province": "浙江省",
        "city": "温州市",
        "county": "乐清市",
        "level": "department",
        "sector": "卫生健康",
    },
    {
        "name": "平顶山市卫东区",
        "url": "http://www.weidong.gov.cn/zwgk/",
        "province": "河南省",
        "city": "平顶山市",
        "county": "卫东区",
        "level": "county",
    },
    {
        "name": "沙河市卫生健康局",
        "url": "http://www.shahe.gov.cn/col/",
        "province": "河北省",
        "city": "邢台市",
        "county": "沙河市",
        "level": "department",
        "sector": "卫生健康",
    },
    {
        "name": "淮安市洪泽区人民政府",
        "url": "http://www.hongze.gov.cn/col/",
        "province": "江苏省",
        "city": "淮安市",
        "county": "洪泽区",
        "level": "county",
    },
    {
        "name": "上海市人民政府",
        "url": "https://www.shanghai.gov.cn/nw12344/",
        "province": "上海市",
        "city": "上海市",
        "level": "province",
    },
    {
        "name": "宁波市北仑区人民政府",
        "url": "http://www.bl.gov.cn/col/col1229/index.html",
        "province": "浙江省",
        "city": "宁波市",
        "county": "北仑区",
        "level": "county",
    },
    {
        "name": "沭阳县人民政府",
        "url": "http://www.shuyang.gov.cn/col/",
        "province": "江苏省",
        "city": "宿迁市",
        "county": "沭阳县",
        "level": "county",
    },
]

YUEQING_2021 = SEEDS / "002_0a91ce1974c0f436.txt"
WEIDONG_2021 = SEEDS / "000_a2e4991bb9f5a779.txt"
MARKUP_TITLE = "卫东区教育局2021年政府信息公开工作年度报告<script>window.xssRan=1</script>"
MARKUP_TEXT = '<img src=x onerror="window.xssRan=2">'


def yueqing_2022() -> bytes:
    """乐清市卫生健康局's report, one year on (same tables, new year)."""
    return YUEQING_2021.read_text(encoding="utf-8").replace("2021", "2022").encode("utf-8")


def beilun_2021() -> bytes:
    """The 乐清 report retold as 宁波市北仑区's, so that 北仑 occurs in one report."""
    return YUEQING_2021.read_text(encoding="utf-8").replace("乐清市", "宁波市北仑区").encode("utf-8")


def markup_report() -> bytes:
    """An HTML report whose title and text contain markup, escaped in the page as a portal would."""
    text = WEIDONG_2021.read_text(encoding="utf-8").replace("卫东区卫生健康委员会", "卫东区教育局")
    text = text.replace("卫健委2021年政府信息公开工作年度报告", "")
    blocks = []
    for block in text.split("\n\n"):
        if "\t" in block:
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>"
                for line in block.splitlines()
            )
            blocks.append(f"<table>{rows}</table>")
        else:
            blocks.append(f"<p>{html.escape(block)}</p>")
    blocks.insert(2, f"<p>{html.escape(MARKUP_TEXT)}</p>")
    title = html.escape(MARKUP_TITLE)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{''.join(blocks)}</body></html>"
    ).encode()


# (source, URL the report was published at, content type, body)
def corpus():
    return [
        (
            "乐清市卫生健康局",
            "http://www.yueqing.gov.cn/art/2022/1/17/art_1.html",
            "text/plain",
            YUEQING_2021.read_bytes(),
        ),
        (
            "乐清市卫生健康局",
            "http://www.yueqing.gov.cn/art/2023/1/16/art_2.html",
            "text/plain",
            yueqing_2022(),
        ),
        (
            "宁波市北仑区人民政府",
            "http://www.bl.gov.cn/art/2022/1/20/art_1229_1.html",
            "text/plain",
            beilun_2021(),
        ),
        (
            "平顶山市卫东区",
            "http://www.weidong.gov.cn/2022/01/wjw.html",
            "text/plain",
            WEIDONG_2021.read_bytes(),
        ),
        ("平顶山市卫东区", "http://www.weidong.gov.cn/2022/01/jyj.html", "text/html", markup_report()),
        (
            "沙河市卫生健康局",
            "http://www.shahe.gov.cn/2021/0120.html",
            "text/plain",
            (SEEDS / "004_d46f79f6146a3308.txt").read_bytes(),
        ),
        (
            "淮安市洪泽区人民政府",
            "http://www.hongze.gov.cn/2024/report.pdf",
            "application/pdf",
            (REALWORLD / "hongze-district-2023.pdf").read_bytes(),
        ),
        (
            "淮安市洪泽区人民政府",
            "http://www.hongze.gov.cn/2025/report.pdf",
            "application/pdf",
            (REALWORLD / "hongze-district-2024.pdf").read_bytes(),
        ),
        (
            "上海市人民政府",
            "https://www.shanghai.gov.cn/kw2024.html",
            "text/markdown",
            (REALWORLD / "shanghai-kewei-2024.md").read_bytes(),
        ),
        (
            "上海市人民政府",
            "https://www.shanghai.gov.cn/bgt2025.html",
            "text/markdown",
            (REALWORLD / "shanghai-office-2025.md").read_bytes(),
        ),
        (
            "沭阳县人民政府",
            "http://www.shuyang.gov.cn/2026/report.html",
            "text/plain",
            (REALWORLD / "shuyang-county-2025-ocr.txt").read_bytes(),
        ),
    ]


def build_archive(path: pathlib.Path) -> pathlib.Path:
    """Build the test archive at ``path`` (once: an existing file is reused)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.stem + "-building.db")
    archive = Archive(building)
    for source in SOURCES:
        archive.upsert_source(source)
    for source, url, content_type, body in corpus():
        fetch = archive.record_fetch(url=url, content_type=content_type, body=body, source=source)
        result = archive.ingest_document(fetch.document_id)
        assert result.status == "new", (url, result)
    archive.close()
    os.replace(building, path)
    os.replace(building.with_name(building.stem + ".raw"), path.with_name(path.stem + ".raw"))
    return path


class Site:
    """`govreports serve DB` running in a subprocess; ``url(path)`` and ``get(path)`` talk to it."""

    def __init__(self, db: pathlib.Path, log: pathlib.Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "govreports.crawler.cli",
            "serve",
            str(db),
            "--port",
            str(self.port),
            "--no-open",
        ]
        self.log = log.open("wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/-/versions.json")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"govreports serve did not start; see {log}") from None
                time.sleep(0.2)

    def url(self, path: str) -> str:
        return self.base + path

    def get(self, path: str):
        """(status, headers, body bytes) of a GET; HTTP errors are returned, not raised."""
        request = urllib.request.Request(self.url(path))
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
