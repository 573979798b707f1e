"""WARC provenance: every fetch is written to gzip WARC files that standard tools read."""

import pathlib
import subprocess
import sys

from warcio.archiveiterator import ArchiveIterator

from govreports.crawler.warc import WarcWriter, read_record, warc_folder

BIN = pathlib.Path(sys.executable).parent


def test_warc_folder_is_beside_the_db():
    assert warc_folder("/data/reports.db") == pathlib.Path("/data/reports.warc")


def test_each_fetch_is_a_response_and_request_pair_found_again_by_its_offset(tmp_path):
    body = "北仑区2023年政府信息公开工作年度报告".encode()
    with WarcWriter(tmp_path, run_id=7) as writer:
        ref = writer.write(
            url="http://127.0.0.1:8123/art/2024/1/2/art_1.html?x=1",
            status=200,
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("ETag", '"abc"'),
                ("Transfer-Encoding", "chunked"),
                ("Content-Length", "3"),
            ],
            body=body,
            request_headers=[("User-Agent", "govreports")],
        )
    assert ref.file.startswith("govreports-run7-") and ref.file.endswith(".warc.gz")
    url, status, headers, content = read_record(tmp_path, ref)
    assert (url, status, content) == ("http://127.0.0.1:8123/art/2024/1/2/art_1.html?x=1", 200, body)
    # Scrapy joins chunked bodies: the framing headers are replaced by the body's real length.
    assert ("ETag", '"abc"') in headers and ("Content-Length", str(len(body))) in headers
    assert not any(k.lower() == "transfer-encoding" for k, _ in headers)
    assert ("Content-Length", "3") not in headers

    with open(tmp_path / ref.file, "rb") as f:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(f)]
    assert [t for t, _ in records] == ["warcinfo", "response", "request"]


def test_files_rotate_by_size_and_pass_warcio_check(tmp_path):
    with WarcWriter(tmp_path, max_bytes=2000) as writer:
        refs = [
            writer.write(url=f"http://127.0.0.1:8123/r/{i}.html", body=bytes(range(256)) * 20, status=200)
            for i in range(5)
        ]
        not_modified = writer.write(url="http://127.0.0.1:8123/list.html", status=304)
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) > 1, "a file past max_bytes is closed and the next record starts a new one"
    assert {r.file for r in refs + [not_modified]} == {f.name for f in files}
    for ref in refs:
        assert read_record(tmp_path, ref)[3] == bytes(range(256)) * 20
    assert read_record(tmp_path, not_modified)[1:4:2] == (304, b"")

    check = subprocess.run([BIN / "warcio", "check", *files], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([BIN / "warcio", "index", *files], capture_output=True, text=True, check=True)
    assert index.stdout.count('"warc-type": "response"') == 6
