"""The crawl lock: two crawls of one archive never overlap; a crashed run's lock is taken over."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest
from local_portals import crawl_command

from govreports.archive.lock import CrawlLocked, crawl_lock, lock_path


def test_lock_file_sits_beside_the_db_and_goes_away_after_the_run(tmp_path):
    db = tmp_path / "reports.db"
    with crawl_lock(db) as path:
        assert path == tmp_path / "reports.db.lock"
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert not path.exists()


def test_second_run_while_the_first_is_alive_stops_with_the_holder_named(tmp_path):
    db = tmp_path / "reports.db"
    script = textwrap.dedent(
        f"""
        import sys, time
        from govreports.archive.lock import crawl_lock
        with crawl_lock({str(db)!r}):
            print("locked", flush=True)
            sys.stdin.read()
        """
    )
    first = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout.readline().strip() == "locked"
        with pytest.raises(CrawlLocked, match=f"pid {first.pid}"), crawl_lock(db):
            pass
    finally:
        first.communicate("")
    assert first.returncode == 0
    assert not lock_path(db).exists()
    with crawl_lock(db):  # free again once the first run ended
        pass


def test_lock_left_by_a_killed_run_is_stale_and_taken_over(tmp_path):
    db = tmp_path / "reports.db"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lock_path(db).write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
    with crawl_lock(db) as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_lock_of_another_host_is_never_stolen(tmp_path):
    db = tmp_path / "reports.db"
    lock_path(db).write_text(json.dumps({"pid": 1, "host": "some-other-host", "command": "crawl"}))
    with pytest.raises(CrawlLocked, match="some-other-host"), crawl_lock(db):
        pass


def test_govreports_crawl_refuses_to_start_while_another_crawl_holds_the_lock(tmp_path):
    db = tmp_path / "reports.db"
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - {name: 某区人民政府, url: 'http://127.0.0.1:9/nb/', province: 河南省}\n"
    )
    with crawl_lock(db):
        second = subprocess.run(crawl_command(db, sources), capture_output=True, text=True)
    assert second.returncode == 1
    assert f"another crawl is running (pid {os.getpid()}" in second.stderr
    assert not db.exists(), "the second run touched nothing"
