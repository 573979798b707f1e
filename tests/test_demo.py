"""`govreports demo`: sample portals -> crawl -> archive -> Datasette, end to end, as a user runs it."""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from govreports.crawler.demo import free_port

pytestmark = [pytest.mark.crawl, pytest.mark.browser]

GOVREPORTS = os.path.join(os.path.dirname(sys.executable), "govreports")


def test_demo_builds_the_archive_and_serves_it(tmp_path):
    db, port = tmp_path / "demo.db", free_port()
    cmd = [GOVREPORTS, "demo", str(db), "--port", str(port)]
    demo = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in demo.stdout:  # until Datasette is about to start
            lines.append(line)
            if line.startswith("Serving it with Datasette"):
                break
        url = f"http://127.0.0.1:{port}/demo/reports.json?_shape=array&_col=agency&_col=year&_col=province"
        deadline, rows = time.monotonic() + 30, None
        while rows is None and time.monotonic() < deadline:
            try:
                rows = json.load(urllib.request.urlopen(url, timeout=5))
            except OSError:
                time.sleep(0.2)
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    out = "".join(lines)
    # Five portals in the styles of real CMS families, each on its own 127.0.0.1 port.
    for name in ("weidong-trs", "yueqing-hanweb", "shahe-vsb", "hongze-epoint", "shanghai-js"):
        assert f"Sample portal {name}" in out
    pages, found, new, changed, same, failed, browser = map(
        int, next(line for line in out.splitlines() if line.startswith("total")).split()[1:]
    )
    assert (found, failed, browser) == (6, 0, 1)  # six report links; the JavaScript list needed the browser
    assert new >= 6 and pages >= 13  # (the Epoint page says "see the attachment"; the PDF is the report)
    assert "had failures" not in out
    by_agency = {r["agency"]: r for r in rows}
    assert (
        by_agency["乐清市卫生健康局"]["year"] == 2021
        and by_agency["乐清市卫生健康局"]["province"] == "浙江省"
    )
    assert by_agency["上海市人民政府办公厅"]["year"] == 2025  # found only through the browser
