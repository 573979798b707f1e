"""Run a crawl in this process: sources -> Scrapy (+ browser fallback) -> archive.

    from govreports.crawler.run import crawl
    summary = crawl("reports.db", sources_file="my-sources.yaml", only=["某某区人民政府"], max_pages=20)

State for resuming lives in a job directory beside the database,
``<db stem>.jobs/<source-set id>/`` (Scrapy's JOBDIR: the pending requests and the requests
already seen). After Ctrl-C the same command continues from there. After a crash or a kill the
queue on disk cannot be trusted, so the same command discovers again from the start URLs, and
the archive (known URLs, conditional requests) keeps it from downloading what it already holds.
A crawl that runs to the end removes the job directory.

Scrapy's reactor can run once per process: call ``crawl`` once (the CLI does).
"""

import logging
import pathlib
import shutil

from scrapy.crawler import CrawlerProcess

from govreports.archive.runs import COLUMNS

from .settings import crawl_settings
from .sources import SourceError, load_sources, source_set_id
from .spiders.reports import ReportsSpider

STOPPED = "stopped"  # written in the job directory when a crawl stops cleanly (Ctrl-C): resumable
HEADERS = {
    "pages": "pages",
    "reports_found": "found",
    "new": "new",
    "changed": "changed",
    "unchanged": "same",
    "failed": "failed",
    "browser": "browser",
}


def job_dir(db, sources) -> pathlib.Path:
    db = pathlib.Path(db)
    return db.with_name(db.stem + ".jobs") / source_set_id(sources)


def crawl(db, sources_file=None, only=(), max_pages=None, browser=True, echo=print, settings=None) -> dict:
    """Crawl the sources into the archive at ``db``; print progress and a table per source.

    Returns ``{"run_id", "per_source", "errors", "finish_reason"}``. One failing source never
    stops the others; the table says which failed. ``settings`` overrides Scrapy settings
    (tests use it to shorten delays). Raises SourceError for a sources file that cannot be
    read or names no enabled source, archive.lock.CrawlLocked when another crawl holds ``db``."""
    from govreports.archive import Archive
    from govreports.archive.lock import crawl_lock

    from .warc import warc_folder

    sources = load_sources(sources_file, only=only)
    if not sources:
        raise SourceError(f"no enabled sources in {sources_file or 'the bundled list'}")
    jobdir = job_dir(db, sources)
    with crawl_lock(db):
        resuming = (jobdir / STOPPED).exists()
        if jobdir.exists() and not resuming:
            # Killed or crashed: Scrapy's queue on disk is only consistent after a clean stop. Start
            # discovery again; what the archive already holds is not downloaded again.
            echo("The last crawl of these sources did not stop cleanly: discovering their reports again.")
            shutil.rmtree(jobdir)
        (jobdir / STOPPED).unlink(missing_ok=True)
        archive = Archive(db)
        run = archive.start_run(sources, resumed=resuming, echo=echo)
        echo(
            f"{'Resuming' if resuming else 'Crawling'} {len(sources)} source(s) into {db}"
            f" (job state in {jobdir}; Ctrl-C stops, the same command continues)"
        )
        warc = {"GOVREPORTS_WARC_DIR": str(warc_folder(db)), "GOVREPORTS_RUN_ID": run.id}
        process = CrawlerProcess(crawl_settings(jobdir, browser, {**warc, **(settings or {})}))
        # A dead host is reported once, as its source's failure line, not as Scrapy's tracebacks.
        for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        crawler = process.create_crawler(ReportsSpider)
        process.crawl(
            crawler, sources=sources, archive=archive, max_pages=max_pages, browser=browser, tally=run.tally
        )
        process.start()
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        archive.finish_run(run, finished=reason == "finished")
        pending = archive.pending(s["name"] for s in sources)
        archive.close()
    per_source = run.tally.summary()
    echo(table(per_source))
    if pending:
        shown = ", ".join(row["url"] for row in pending[:10]) + (" ..." if len(pending) > 10 else "")
        echo(f"{len(pending)} URL(s) still pending, asked for first next run: {shown}")
    failed = [name for name, counts in per_source.items() if counts["failed"]]
    if failed:
        echo(f"{len(failed)} source(s) had failures: {', '.join(failed)} (details in crawl_runs.errors)")
    if reason == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)
        if not any(jobdir.parent.iterdir()):
            jobdir.parent.rmdir()
    else:
        jobdir.mkdir(parents=True, exist_ok=True)
        (jobdir / STOPPED).write_text(f"{reason}\n", encoding="utf-8")
        echo(f"Crawl stopped ({reason}); run the same command again to continue.")
    return {"run_id": run.id, "per_source": per_source, "errors": run.tally.errors, "finish_reason": reason}


def table(per_source: dict) -> str:
    """The per-source summary as an aligned text table, with a total row."""
    names = list(per_source)
    total = {key: sum(per_source[n][key] for n in names) for key in COLUMNS}
    rows = [(name, per_source[name]) for name in names] + [("total", total)]
    width = max(len("source"), *(_width(name) for name, _ in rows))
    head = "source".ljust(width) + "".join(f"{HEADERS[k]:>9}" for k in COLUMNS)
    lines = [head, "-" * len(head)]
    for name, counts in rows:
        lines.append(name + " " * (width - _width(name)) + "".join(f"{counts[k]:>9}" for k in COLUMNS))
    return "\n".join(lines)


def _width(text) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
