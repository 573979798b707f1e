"""Discover and fetch annual reports from government portals into the archive (Scrapy).

    from govreports.crawler.run import crawl
    crawl("reports.db", sources_file="sources.yaml")    # what `govreports crawl` runs

Modules: sources (the YAML list of portals), cms/ (one adapter per CMS family: recognise a page,
list its report links, list its further pages), spiders/reports (discovery, conditional
requests, browser fallback), middlewares (stay on a source's hosts, back off before retries,
anti-bot challenges to the browser), pipelines (the one writer: archive + parser), settings
(politeness), run (the crawl and its per-source table), demo and portals/ (sample portals served
on 127.0.0.1), warc and distributed (WARC files, scrapy-redis workers).
"""
