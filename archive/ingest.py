"""``govreports ingest``: local report files and folders into the archive.

Each file goes into the raw store and through the parser under its file:// URL, so ingesting the
same file again changes nothing and an edited file becomes a new version. A file that cannot be
read or parsed is an error row (``ingest_errors``); the rest go on.
"""

import mimetypes
import os
import pathlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from . import agencies, derived, lifecycle
from .db import Archive

STATUSES = ("new", "unchanged", "changed", "not_report", "error")


@dataclass
class IngestSummary:
    counts: Counter = field(default_factory=Counter)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (status, file, reason)

    def add(self, status: str, file: str, reason: str | None = None) -> None:
        self.counts[status] += 1
        if reason:
            self.problems.append((status, file, reason))

    def summary(self) -> str:
        total = sum(self.counts.values())
        counts = ", ".join(f"{self.counts[s]} {s.replace('_', ' ')}" for s in STATUSES)
        lines = [f"{total} files: {counts}"]
        lines += [f"  {status}: {file}: {reason}" for status, file, reason in self.problems]
        return "\n".join(lines)


# In a folder, files of these kinds are data or code beside the reports, never a report.
NOT_REPORTS = {".json", ".yaml", ".yml", ".toml", ".py", ".js", ".css", ".csv", ".db", ".sqlite", ".lock"}


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[pathlib.Path]:
    """The files named, and every file under the folders named (hidden ones and NOT_REPORTS
    left out), sorted."""
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
                if file.is_file() and not hidden and file.suffix.lower() not in NOT_REPORTS:
                    yield file
        else:
            yield path


def ingest_paths(
    db: str | os.PathLike | Archive,
    paths: Iterable[str | os.PathLike],
    context: dict | None = None,
    echo: Callable[[str], None] = print,
) -> IngestSummary:
    """Ingest files and folders into the archive ``db``; ``context`` is the region (province,
    city, county) of every file. Echoes one line per file; returns the counts and problems."""
    archive = db if isinstance(db, Archive) else Archive(db)
    result = IngestSummary()
    filed = []  # new reports and versions: the cross-year check looks at their agencies
    for path in iter_files(paths):
        url = path.resolve().as_uri()
        try:
            body = path.read_bytes()
        except OSError as e:
            reason = f"cannot read: {e.strerror or e}"
            archive.record_error(url, reason)
            result.add("error", str(path), reason)
            echo(f"{'error':<10} {path}: {reason}")
            continue
        with archive.db.atomic():  # one commit per file, not one per statement
            fetch = archive.record_fetch(
                url=url, content_type=mimetypes.guess_type(path.name)[0], body=body, via="file", kind="report"
            )
            ingested = archive.ingest_document(fetch.document_id, context=context)
        result.add(ingested.status, str(path), ingested.error)
        echo(f"{ingested.status:<10} {path}" + (f": {ingested.error}" if ingested.error else ""))
        if ingested.status in ("new", "changed"):
            filed.append(ingested.report_id)
    if filed:
        agencies.refresh(archive.db, report_ids=filed)  # their agencies' aliases, figures, coverage
        lifecycle.cross_year(archive.db, agencies=lifecycle.agencies_of(archive.db, filed))
    derived.refresh_derived(archive.db)
    return result
