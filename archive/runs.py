"""Crawl runs: what a crawl counts while it runs, and the run's row in ``crawl_runs``.

One ``Tally`` counts a crawl, whoever does the counting: the spider (pages, reports found,
browser, failures), the middlewares (off-host, challenged) and the writer that files fetched
documents (new, changed, unchanged, parse failures). A distributed crawl has one per worker and
one in the writer; the workers' tallies are merged into the writer's (``Tally.merge``).

    run = archive.start_run(sources, resumed=False)   # a CrawlRun: its id, start time and tally
    run.tally.count("某某区人民政府", "pages")
    run.tally.fail("某某区人民政府", url, "HTTP 500")
    archive.finish_run(run, finished=True)           # cross-year check, removals, the run's row

``Archive.finish_run`` runs ``lifecycle.after_run``: the cross-year check always, and for a run
that finished, the removal marks (list removals only for sources whose lists were read
completely, and none for a resumed run, which did not read the lists of the run it continues).
"""

from collections import Counter
from dataclasses import dataclass, field

# What a crawl counts per source, in the order the crawl's table prints them.
COLUMNS = ("pages", "reports_found", "new", "changed", "unchanged", "failed", "browser")


class Tally:
    """Counts, failures and the URLs a crawl reached, per source.

    ``found[source]``: report and attachment URLs asked for; ``lists[source]``: list pages asked
    for (``(url, body)`` keys). ``echo`` prints each failure as it happens."""

    def __init__(self, names=(), echo=None, max_pages=None):
        self.names = list(names)
        self.echo = echo or (lambda line: None)
        self.max_pages = max_pages
        self.counts = {name: Counter() for name in self.names}
        self.found = {name: set() for name in self.names}
        self.lists = {name: set() for name in self.names}
        self.extra_pages = {}  # list pages counted by other tallies (merged from workers)
        self.errors = []

    def count(self, source, key, n=1):
        self.counts.setdefault(source, Counter())[key] += n

    def fail(self, source, url, message):
        self.count(source, "failed")
        self.errors.append({"source": source, "url": url, "error": message})
        self.echo(f"  failed   {source}: {url}: {message}")

    def summary(self) -> dict:
        """{source: {column: n}} for every source of the crawl (and any other counted)."""
        return {name: {key: counts[key] for key in COLUMNS} for name, counts in self.counts.items()}

    def list_pages(self) -> dict:
        """{source: number of list pages asked for}."""
        pages = {name: len(keys) for name, keys in self.lists.items()}
        for name, n in self.extra_pages.items():
            pages[name] = pages.get(name, 0) + n
        return pages

    def as_json(self) -> dict:
        """What a distributed worker sends the writer (``merge`` takes it)."""
        return {
            "per_source": self.summary(),
            "errors": self.errors,
            "found": {name: sorted(urls) for name, urls in self.found.items()},
            "list_pages": self.list_pages(),
        }

    def merge(self, other: dict) -> None:
        """Add another tally's ``as_json()`` to this one."""
        for name, counts in other["per_source"].items():
            for key, n in counts.items():
                self.count(name, key, n)
        self.errors.extend(other["errors"])
        for name, urls in other["found"].items():
            self.found.setdefault(name, set()).update(urls)
        for name, n in other["list_pages"].items():
            self.extra_pages[name] = self.extra_pages.get(name, 0) + n

    def complete(self) -> dict:
        """{source: listed URLs} for the sources whose lists were read completely: no failure at
        all, and fewer list pages than the page limit ``max_pages``, if any (a capped crawl stopped
        before the end)."""
        pages = self.list_pages()
        return {
            name: self.found.get(name, set())
            for name, counts in self.summary().items()
            if counts["pages"]
            and not counts["failed"]
            and (self.max_pages is None or pages.get(name, 0) < self.max_pages)
        }


@dataclass
class CrawlRun:
    """A crawl run in progress: its ``crawl_runs`` id, its start time and its tally."""

    id: int
    started: str
    resumed: bool = False
    tally: Tally = field(default_factory=Tally)
