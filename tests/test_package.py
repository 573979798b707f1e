"""The package as a user installs it: a wheel built from the checkout, installed into a new venv.

An editable install finds every data file in the checkout and so hides packaging faults. Here the
wheel is built from a copy of the checkout (`pip wheel`, with setuptools fetched into pip's build
isolation), installed with its dependencies into a venv without the system site-packages, and run
from a folder outside the checkout, so that only what the wheel holds is there: the demo crawls the
bundled sample portals, `govreports serve` publishes the archive with the project's metadata,
templates, plugin and stylesheet, and `govreports crawl` reads a sources file and crawls a portal.
Installing the dependencies takes about a minute (pip's cache and the local index).
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from local_portals import Portal, sources_yaml
from truth import ROOT

from govreports.crawler.demo import free_port

pytestmark = [pytest.mark.slow, pytest.mark.crawl, pytest.mark.browser]

# What a checkout holds that is not the project (the venv, builds, outputs, caches).
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", "*-output"
)


def run(cmd, cwd, timeout=600, **kwargs):
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of a new venv with the wheel installed, a work folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("package")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(source)], tmp)
    (wheel,) = (tmp / "dist").glob("govreports-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp)
    bin_ = venv / "bin"
    run([str(bin_ / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp, timeout=1200)
    work = tmp / "work"
    work.mkdir()
    return bin_, work


def env_without_checkout():
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def installed_python(installed, code):
    bin_, work = installed
    return run([str(bin_ / "python"), "-c", code], work, env=env_without_checkout())


def test_the_wheel_installs_one_namespace_and_every_data_file(installed):
    out = installed_python(
        installed,
        "import importlib.metadata as m, importlib.util as u, json, pathlib; "
        "import govreports.crawler, govreports.datasette.serve as s; "
        "from govreports.crawler.portals.server import SITES; "
        "from govreports.crawler.sources import DEFAULT_SOURCES, load_sources; "
        "print(json.dumps({'top': m.distribution('govreports').read_text('top_level.txt').split(), "
        "'crawler': govreports.crawler.__file__, 'datasette': str(s.DATASETTE_DIR), "
        "'sites': sorted(str(p.relative_to(SITES)) for p in SITES.rglob('*') if p.is_file()), "
        "'site_files': sorted(str(p.relative_to(s.DATASETTE_DIR)) for p in s.DATASETTE_DIR.rglob('*') "
        "if p.is_file() and '__pycache__' not in p.parts), "
        "'sources': len(load_sources(DEFAULT_SOURCES)), "
        "'shadow': [n for n in ('parser', 'archive', 'crawler') if u.find_spec(n)]}))",
    )
    got = json.loads(out.splitlines()[-1])
    venv = str(installed[0].parent)
    assert got["top"] == ["govreports"] and got["shadow"] == []  # no generic top-level names
    assert got["crawler"].startswith(venv) and got["datasette"].startswith(venv)
    sites = ROOT / "crawler" / "portals" / "sites"
    assert got["sites"] == sorted(str(p.relative_to(sites)) for p in sites.rglob("*") if p.is_file())
    assert len(got["sites"]) >= 21  # the .htm, .pdf and dataproxy.jsp.page* files too
    datasette = ROOT / "datasette"
    assert got["site_files"] == sorted(
        str(p.relative_to(datasette))
        for p in datasette.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert got["sources"] > 0  # the bundled list of real portals


@pytest.fixture(scope="module")
def demo(installed):
    """What the installed `govreports demo --no-serve` printed; its archive is work/demo.db."""
    bin_, work = installed
    return run([str(bin_ / "govreports"), "demo", "demo.db", "--no-serve"], work, env=env_without_checkout())


def test_the_installed_demo_builds_the_archive(installed, demo):
    bin_, work = installed
    out = demo
    for name in ("weidong-trs", "yueqing-hanweb", "shahe-vsb", "hongze-epoint", "shanghai-js"):
        assert f"Sample portal {name}" in out
    pages, found, new, changed, same, failed, browser = map(
        int, next(line for line in out.splitlines() if line.startswith("total")).split()[1:]
    )
    assert (found, failed, browser) == (6, 0, 1) and new >= 6
    with sqlite3.connect(work / "demo.db") as db:
        agencies = {a for (a,) in db.execute("select agency from reports")}
    assert {"乐清市卫生健康局", "上海市人民政府办公厅", "淮安市洪泽区人民政府"} <= agencies


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_the_installed_serve_publishes_the_archive(installed, demo):
    bin_, work = installed
    port = free_port()
    cmd = [str(bin_ / "govreports"), "serve", "demo.db", "--port", str(port), "--no-open"]
    server = subprocess.Popen(
        cmd, cwd=work, env=env_without_checkout(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, home = time.monotonic() + 60, None
        while home is None:
            try:
                home = get(base + "/")
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "govreports serve did not answer within 60 s"
                time.sleep(0.3)
        assert "政府信息公开工作年度报告档案" in home  # the project's metadata and index template
        (css,) = set(re.findall(r'href="([^"]*govreports\.css)"', home))  # the plugin names the stylesheet
        assert get(base + css) == (ROOT / "datasette" / "static" / "govreports.css").read_text(
            encoding="utf-8"
        )
        page = get(base + "/report/1")  # the plugin's route and the report template
        assert "<table" in page
        search = get(base + "/-/search?" + urllib.parse.urlencode({"q": "卫生"}))  # Chinese search
        assert "乐清市卫生健康局" in search
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_installed_crawl_reads_a_sources_file(installed, tmp_path):
    bin_, work = installed
    with Portal("测试县", reports=3, per_page=2) as portal:
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        cmd = [str(bin_ / "govreports"), "crawl", "crawl.db", "--sources", str(sources)]
        cmd += ["--no-browser"]
        out = run(cmd, work, env=env_without_checkout())
    assert "测试县" in out
    with sqlite3.connect(work / "crawl.db") as db:
        (reports,) = db.execute("select count(*) from reports").fetchone()
    assert reports == 3
