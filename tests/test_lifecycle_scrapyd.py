"""The checkout is a Scrapy project (scrapy.cfg): `scrapy crawl reports`, which Scrapyd runs, is
the same crawl as `govreports crawl`, lock, run record and WARC files included."""

import json
import os
import pathlib
import subprocess
import sys

import pytest
import sqlite_utils
from local_portals import Portal, sources_yaml

from govreports.archive.lock import lock_path
from govreports.crawler.warc import warc_folder

pytestmark = pytest.mark.crawl

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRAPY = pathlib.Path(sys.executable).parent / "scrapy"
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0}


def scrapy(*args, **kwargs):
    env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(FAST)}
    return subprocess.run([SCRAPY, *args], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)


def test_scrapy_lists_the_one_reports_spider():
    assert scrapy("list", check=True).stdout.split() == ["reports"]


def test_scrapy_crawl_reports_fills_the_archive_like_govreports_crawl(tmp_path):
    db = tmp_path / "reports.db"
    with Portal("测试丁区人民政府", 5, per_page=3) as portal:
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        result = scrapy("crawl", "reports", "-a", f"db={db}", "-a", f"sources={sources}", "-a", "browser=0")
    assert result.returncode == 0, result.stderr[-2000:]

    archive = sqlite_utils.Database(db)
    assert archive["reports"].count == 5
    run = next(archive["crawl_runs"].rows)
    assert run["finished"] and json.loads(run["sources"])["测试丁区人民政府"]["new"] == 5
    assert archive["documents"].count_where("warc_file is null and status = 200") == 0
    assert list(warc_folder(db).glob(f"govreports-run{run['id']}-*.warc.gz"))
    assert not lock_path(db).exists()
