"""The ``govreports`` command line tool."""

import json
import pathlib
import sys

import click

SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_file(ctx, param, value):
    """A DB argument names an SQLite file or one still to be created, never another file (so
    that `govreports ingest report.html` does not take the report for the archive)."""
    path = pathlib.Path(value)
    if path.is_file() and path.stat().st_size:
        with path.open("rb") as f:
            if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise click.BadParameter(f"{value} is not an SQLite database", ctx=ctx, param=param)
    return value


# Every command that reads or writes an archive takes its path first, as datasette and
# sqlite-utils do: `govreports COMMAND DB ...`. There is no default file.
DB = click.argument("db", type=click.Path(dir_okay=False), callback=sqlite_file)
EXISTING_DB = click.argument("db", type=click.Path(exists=True, dir_okay=False), callback=sqlite_file)
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes that parse, each document under the time and memory limits of "
    "parser/limits.py (default: one per core).",
)


@click.group()
@click.version_option(package_name="govreports")
def cli():
    """govreports: crawl, parse, archive and publish Chinese government
    information-disclosure annual reports (政府信息公开工作年度报告).

    \b
    Quick start:
        govreports demo                      # local sample portals -> archive -> Datasette
        govreports parse report.html --json  # one report as a structured record
        govreports crawl reports.db          # crawl the bundled list of real portals
        govreports serve reports.db          # browse the archive in Datasette
    """


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=pathlib.Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full record as UTF-8 JSON.")
@click.option("--content-type", help="Content type of FILE, when the extension does not tell.")
@click.option("--url", help="URL the file was fetched from (helps the reader and the region).")
@click.option("--province", help="Province of the source, used as region context.")
@click.option("--city", help="City of the source, used as region context.")
@click.option("--county", help="County of the source, used as region context.")
def parse(file, as_json, content_type, url, province, city, county):
    """Parse one report FILE (HTML, text, markdown, PDF, DOC/DOCX/WPS, XLS/XLSX, OFD, image).

    \b
    Examples:
        govreports parse report.html
        govreports parse report.pdf --json > record.json
        govreports parse page.html --url http://www.bl.gov.cn/art/2022/1/17/art_1.html --province 浙江省
    """
    from govreports.parser import ParseError
    from govreports.parser import parse as parse_bytes

    try:
        data = file.read_bytes()
    except OSError as e:
        raise click.ClickException(f"{file}: cannot read: {e.strerror or e}") from e
    context = {k: v for k, v in (("province", province), ("city", city), ("county", county)) if v}
    try:
        record = parse_bytes(data, content_type=content_type, url=url or file.name, context=context or None)
    except ParseError as e:
        raise click.ClickException(f"{file}: {e}") from e
    if as_json:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return
    click.echo(summary(record))


def summary(record: dict) -> str:
    region = record.get("region") or {}
    place = " ".join(filter(None, (region.get("province"), region.get("city"), region.get("county"))))
    cells = record["active_disclosure"] + record["applications"] + record["review_litigation"]
    nonzero = sum(1 for c in cells if c.get("value") not in (0, None))
    failed = [c for c in record["checks"] if not c["passed"]]
    lines = [
        f"title:     {record.get('title') or '-'}",
        f"agency:    {record.get('agency') or '-'}",
        f"year:      {record.get('year') or '-'}",
        f"template:  {record.get('template') or '-'}",
        f"published: {record.get('published_date') or '-'}",
        f"region:    {place or '-'} {region.get('code') or ''}".rstrip(),
        f"cells:     {len(cells)} read, {nonzero} non-zero",
        f"checks:    {len(record['checks']) - len(failed)} passed, {len(failed)} failed",
    ]
    for c in failed:
        where = c.get("row") or c.get("column") or c.get("proceeding") or ""
        lines.append(f"  failed {c['rule']} {where}: expected {c.get('expected')}, found {c.get('found')}")
    return "\n".join(lines)


@cli.command()
@DB
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=pathlib.Path))
@click.option("--province", help="Province context for every file ingested.")
@click.option("--city", help="City context for every file ingested.")
@click.option("--county", help="County context for every file ingested.")
@jobs_option
def ingest(db, paths, province, city, county, jobs):
    """Ingest local report files or folders into the archive DB (created if needed).

    Each file goes into the raw store (by sha256) and through the parser. A file that cannot be
    parsed is recorded as an error row; the rest go on. Ingesting the same bytes twice changes
    nothing.

    \b
    Examples:
        govreports ingest reports.db reports/
        govreports ingest reports.db a.html b.pdf --province 浙江省 --city 宁波市
    """
    from govreports.archive.ingest import ingest_paths

    context = {k: v for k, v in (("province", province), ("city", city), ("county", county)) if v}
    result = ingest_paths(db, paths, context=context or None, echo=click.echo, jobs=jobs)
    click.echo(result.summary())


@cli.command()
@EXISTING_DB
@click.option("-h", "--host", default="127.0.0.1", show_default=True, help="Host to listen on.")
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Port (0 for any free port).")
@click.option("--no-open", is_flag=True, help="Do not print the browser hint.")
def serve(db, host, port, no_open):
    """Serve the archive DB with Datasette (metadata, facets, search, canned queries).

    \b
    Examples:
        govreports serve reports.db
        govreports serve reports.db --host 0.0.0.0 --port 8080
    """
    from govreports.datasette.serve import serve as run

    run(db, host=host, port=port)


@cli.command()
@DB
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Sources YAML (default: the bundled list of real portals).",
)
@click.option("--only", multiple=True, help="Crawl only the source with this name (repeatable).")
@click.option("--max-pages", type=int, default=None, help="Stop each source after N list pages.")
@click.option(
    "--browser/--no-browser",
    default=True,
    show_default=True,
    help="Allow the headless Chromium fallback for JavaScript lists and anti-bot pages.",
)
@click.option(
    "--workers", type=int, default=0, help="Distributed: N crawler worker processes (needs --redis)."
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Redis for the shared frontier, e.g. redis://127.0.0.1:6379/0.",
)
def crawl(db, sources_file, only, max_pages, browser, workers, redis_url):
    """Crawl portals for annual reports into the archive DB (created if needed).

    Polite (robots.txt, AutoThrottle, 2 requests per host), incremental (unchanged reports are not
    downloaded again) and resumable (state in DB's job directory: run the same command again after
    Ctrl-C). One failing source never stops the others.

    \b
    Examples:
        govreports crawl reports.db
        govreports crawl reports.db --sources my-sources.yaml --only 宁波市北仑区人民政府
        govreports crawl reports.db --workers 4 --redis redis://127.0.0.1:6379/0

    Two crawls of one DB never overlap: the second stops at once (lock file DB.lock).
    """
    from govreports.archive.lock import CrawlLocked
    from govreports.crawler.sources import SourceError

    if bool(workers) != bool(redis_url):
        raise click.UsageError("--workers and --redis go together (distributed crawl on scrapy-redis)")
    options = {"sources_file": sources_file, "only": list(only), "max_pages": max_pages, "browser": browser}
    try:
        if workers:
            from govreports.crawler.distributed import crawl as run_distributed

            run_distributed(db, redis_url, workers=workers, echo=click.echo, **options)
        else:
            from govreports.crawler.run import crawl as run_crawl

            run_crawl(db, echo=click.echo, **options)
    except (CrawlLocked, SourceError, ConnectionError) as e:
        raise click.ClickException(str(e)) from e


@cli.command("ingest-queue")
@DB
@click.option("--redis", "redis_url", metavar="URL", required=True, help="Redis of the distributed crawl.")
@click.option(
    "--wait", default=5.0, show_default=True, help="Stop after the queue stayed empty this many seconds."
)
def ingest_queue(db, redis_url, wait):
    """File the documents that distributed crawl workers queued in Redis (the single DB writer).

    `govreports crawl --workers N --redis URL` is its own writer; run this to file what is left
    in the queue after that process was stopped, or next to workers started by hand.

    \b
    Example:
        govreports ingest-queue reports.db --redis redis://127.0.0.1:6379/0
    """
    from govreports.archive.lock import CrawlLocked
    from govreports.crawler.distributed import drain

    try:
        drain(db, redis_url, echo=click.echo, wait=wait)
    except (CrawlLocked, ConnectionError) as e:
        raise click.ClickException(str(e)) from e


@cli.command()
@click.argument(
    "db", required=False, default="demo-output/demo.db", type=click.Path(dir_okay=False), callback=sqlite_file
)
@click.option(
    "--serve/--no-serve", default=True, show_default=True, help="Serve the archive with Datasette afterwards."
)
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Datasette port.")
def demo(db, serve, port):
    """Run the whole pipeline on bundled sample portals served on 127.0.0.1, into the archive DB
    (default: demo-output/demo.db).

    Starts local portals in several CMS styles (with pagination, an attachment and a
    JavaScript-rendered list), crawls them, parses the reports, builds the archive and serves it.

    \b
    Examples:
        govreports demo
        govreports demo /tmp/demo.db --no-serve
    """
    from govreports.crawler.demo import free_port, port_is_free, run_demo

    run_demo(db, echo=click.echo)
    if serve:
        from govreports.datasette.serve import serve as run_datasette

        if not port_is_free(port):
            busy, port = port, free_port()
            click.echo(f"Port {busy} is taken; using {port} instead")
        click.echo(f"Serving it with Datasette on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        run_datasette(db, host="127.0.0.1", port=port)


@cli.command()
@EXISTING_DB
@jobs_option
def reparse(db, jobs):
    """Run the current parser over the archive DB's raw store again, without re-crawling.

    Prints which reports changed and how.

    \b
    Example:
        govreports reparse reports.db
    """
    from govreports.archive.reparse import reparse as run

    run(db, echo=click.echo, jobs=jobs)


@cli.command()
@EXISTING_DB
@click.option(
    "--full", is_flag=True, help="Recompute every derived table from the reports, not only what changed."
)
def refresh(db, full):
    """Bring the archive DB's derived tables up to date: facet counts, the canned queries'
    summaries, the home page's totals, agencies and coverage.

    Ingest, crawl and reparse do this at their end, redoing only what the reports they changed
    touch (reparse: everything). This is for an archive written some other way, and --full is
    the fallback that recomputes everything.

    \b
    Example:
        govreports refresh reports.db --full
    """
    from govreports.archive.db import Archive

    archive = Archive(db)
    done = archive.refresh(full)
    archive.close()
    click.echo(f"refresh: {done or 'nothing had changed'}")


if __name__ == "__main__":
    cli()
