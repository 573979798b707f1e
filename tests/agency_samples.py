"""The archive the agency tests and the agency pages are tried on: the shared reports with a
hand-made truth, plus renamed copies of some (region prefix added or removed, 简称, full name, a
government's 办公室), each the same agency another year, and a source that never published."""

import pathlib
import shutil

from truth import SHARED

from govreports.archive.db import Archive
from govreports.archive.ingest import ingest_paths

SHARED_FILES = sorted(
    f
    for folder in ("seeds", "realworld")
    for f in (SHARED / folder).iterdir()
    if f.suffix in (".txt", ".md", ".pdf") and f.with_suffix(".truth.json").exists()
)
NEVER_PUBLISHED = {
    "name": "江苏省泗洪县人民政府 政府信息公开年报",
    "url": "http://127.0.0.1/none",
    "province": "江苏省",
    "level": "county",
}


def renamed(src: pathlib.Path, folder: pathlib.Path, name: str, replacements) -> pathlib.Path:
    text = src.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, (src, old)
        text = text.replace(old, new)
    out = folder / name
    out.write_text(text, encoding="utf-8")
    return out


# renamed copies of shared text reports: (copy file, original, replacements); each is the same
# agency another year, printed another way
COPIES = [
    (
        "yueqing-2022-short.txt",
        "seeds/002_0a91ce1974c0f436.txt",
        [("乐清市卫生健康局", "乐清市卫健局"), ("2021", "2022")],
    ),
    (
        "shahe-2021-prefixed.txt",
        "seeds/004_d46f79f6146a3308.txt",
        [("沙河市卫生健康局", "邢台市沙河市卫生健康局"), ("2020", "2021")],
    ),
    (
        "kewei-2023-full.md",
        "realworld/shanghai-kewei-2024.md",
        [("上海市科委", "上海市科学技术委员会"), ("2024", "2023")],
    ),
    (
        "shuyang-2024-office.txt",
        "realworld/shuyang-county-2025-ocr.txt",
        [("沐阳县人民政府", "沭阳县人民政府办公室"), ("2025", "2024")],
    ),
]


def build_agency_archive(path: pathlib.Path) -> pathlib.Path:
    """Ingest the shared files and the copies into a new archive at ``path``."""
    files = path.parent / "files"
    files.mkdir(parents=True)
    for f in SHARED_FILES:
        shutil.copy(f, files / f.name)
    for name, original, replacements in COPIES:
        renamed(SHARED / original, files, name, replacements)
    archive = Archive(path)
    archive.upsert_source(NEVER_PUBLISHED)
    summary = ingest_paths(archive, [files], echo=lambda line: None)
    assert summary.counts["new"] == len(SHARED_FILES) + len(COPIES), summary.summary()
    archive.close()
    return path
