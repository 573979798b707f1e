"""``govreports demo``: the whole pipeline on bundled sample portals, no internet needed.

Serves the portals of crawler/portals/sites on 127.0.0.1 (TRS WCM with a scripted pager, Hanweb
with a datastore list and a dataproxy.jsp second page, VSB with its downward pager, Epoint with
the report as a PDF attachment, and a list only a browser can see), crawls them into the archive
(``govreports demo`` then serves it with Datasette).
"""

import pathlib
import socket

import yaml

from .portals.server import serve_portals

SOURCES = [
    {
        "site": "weidong-trs",
        "path": "",
        "name": "平顶山市卫东区人民政府",
        "province": "河南省",
        "city": "平顶山市",
        "county": "卫东区",
        "level": "county",
    },
    {
        "site": "yueqing-hanweb",
        "path": "col/col1229/index.html",
        "name": "乐清市人民政府 政府信息公开年报",
        "province": "浙江省",
        "city": "温州市",
        "county": "乐清市",
        "level": "county",
    },
    {
        "site": "shahe-vsb",
        "path": "xxgk/zfxxgknb.htm",
        "name": "沙河市人民政府 政府信息公开年报",
        "province": "河北省",
        "city": "邢台市",
        "county": "沙河市",
        "level": "county",
    },
    {
        "site": "hongze-epoint",
        "path": "xxgk/ndbg/index.html",
        "name": "淮安市洪泽区人民政府 政府信息公开年度报告",
        "province": "江苏省",
        "city": "淮安市",
        "county": "洪泽区",
        "level": "county",
    },
    {
        "site": "shanghai-js",
        "path": "nw12344/index.html",
        "name": "上海市人民政府 政府信息公开年报",
        "province": "上海市",
        "level": "province",
    },
]

# The portals answer in milliseconds on 127.0.0.1: no need to wait between requests there.
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_BACKOFF_BASE": 0.1}


def write_sources(portals, path) -> pathlib.Path:
    """A sources file pointing at the running portals."""
    entries = []
    for spec in SOURCES:
        entry = {k: v for k, v in spec.items() if k not in ("site", "path")}
        entry["url"] = portals[spec["site"]].url + spec["path"]
        entries.append(entry)
    path = pathlib.Path(path)
    path.write_text(
        yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


def run_demo(db, echo=print):
    """Serve the sample portals, crawl them into ``db`` and stop them; the crawl's result."""
    from .run import crawl

    db = pathlib.Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with serve_portals() as portals:
        for name, portal in portals.items():
            echo(f"Sample portal {name:<15} {portal.url}")
        sources_file = write_sources(portals, db.with_name(db.stem + "-sources.yaml"))
        result = crawl(db, sources_file=sources_file, echo=echo, settings=FAST)
    echo(f"Archive built: {db}")
    return result


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
