"""``govreports ingest``: local report files and folders into the archive.

Each file goes into the raw store and through the parser under its file:// URL, so ingesting the
same file again changes nothing and an edited file becomes a new version. Parsing runs in worker
processes (archive.pool), each file under a time and memory limit; this process only stores and
files. A file that cannot be read or parsed is an error row (``ingest_errors``); the rest go on.
"""

import mimetypes
import os
import pathlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from . import derived, lifecycle
from .db import Archive, IngestResult
from .pool import Job, Parsed, ParsePool

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


def _stored(archive: Archive, paths, context: dict | None) -> Iterator:
    """Each file into the raw store and ``documents``, in order: a pool Job (key: the path and
    its documents row) when it needs parsing, else (path, IngestResult)."""
    for path in iter_files(paths):
        url = path.resolve().as_uri()
        try:
            body = path.read_bytes()
        except OSError as e:
            reason = f"cannot read: {e.strerror or e}"
            archive.record_error(url, reason)
            yield path, IngestResult("error", None, reason)
            continue
        with archive.db.atomic():
            fetch = archive.record_fetch(
                url=url, content_type=mimetypes.guess_type(path.name)[0], body=body, via="file", kind="report"
            )
            doc = archive.to_parse(fetch.document_id, context=context)
        if isinstance(doc, IngestResult):
            yield path, doc
        else:
            job = archive.parse_job(doc, context)
            yield Job((path, doc), job.sha256, job.content_type, job.url, job.context)


def ingest_paths(
    db: str | os.PathLike | Archive,
    paths: Iterable[str | os.PathLike],
    context: dict | None = None,
    echo: Callable[[str], None] = print,
    jobs: int | None = None,
) -> IngestSummary:
    """Ingest files and folders into the archive ``db``; ``context`` is the region (province,
    city, county) of every file. Files are parsed by ``jobs`` worker processes (archive.pool;
    default: one per core) and filed here, in order. Echoes one line per file; returns the
    counts and problems."""
    archive = db if isinstance(db, Archive) else Archive(db)
    result = IngestSummary()
    with ParsePool(archive.store.root, jobs) as pool, archive.batched() as done:
        for item in pool.imap(_stored(archive, paths, context)):
            if isinstance(item, Parsed):
                path, doc = item.job.key
                ingested = archive.file_parsed(doc, item)
            else:
                path, ingested = item
            result.add(ingested.status, str(path), ingested.error)
            echo(f"{ingested.status:<10} {path}" + (f": {ingested.error}" if ingested.error else ""))
            done()
    lifecycle.cross_year_changed(archive.db)  # the filed reports are linked to agencies (file_parsed)
    derived.refresh_derived(archive.db)  # what the filed reports changed, their agencies' coverage too
    return result
