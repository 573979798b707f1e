"""Discover and fetch annual reports from government portals into the archive (Scrapy).

    from govreports.crawler.run import crawl
    crawl("reports.db", sources_file="sources.yaml")    # what `govreports crawl reports.db` runs

The crawler uses the archive only through ``Archive`` methods (``known``, ``drawn_by_browser``,
``record_fetch``, ``ingest_document``, ``start_run``/``finish_run``...), never its tables.

Modules: cli (the `govreports` command line, the top of the import graph: nothing imports it),
sources (the YAML list of portals), cms/ (one adapter per CMS family: recognise a page, list its
report links, list its further pages), spiders/ (``reports-crawl``: discovery, conditional
requests, browser fallback; ``reports``: the same for `scrapy crawl` and Scrapyd;
``reports-worker``: a distributed worker), requests (request helpers the spider and the
middlewares share), middlewares (stay on a source's hosts, back off before retries, anti-bot
challenges to the browser), items, pipelines (the one writer: every fetched document into the
archive), settings (the module-level Scrapy settings: politeness), run (the crawl and its
per-source table), demo and portals/ (sample portals served on 127.0.0.1), warc and distributed
(WARC files, scrapy-redis workers and their writer).
"""
