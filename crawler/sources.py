"""The sources file: which portals to crawl, and the region each report found there belongs to.

    sources:
      - name: 宁波市北仑区人民政府 政府信息公开年报     # unique, shown in summaries
        url: http://www.bl.gov.cn/col/col1229/index.html  # list page, or the disclosure home
        province: 浙江省
        city: 宁波市          # optional
        county: 北仑区        # optional
        level: county         # province | city | county | department
        sector: 卫生健康      # optional
        cms: hanweb           # optional hint; detected from the markup when absent
        domains: [zwgk.bl.gov.cn]   # optional extra hosts the crawl may follow

Other keys (evidence, note, url_kind ...) are kept but not used. ``enabled: false`` leaves an
entry out. Errors name the file and the entry.
"""

import hashlib
import os
import pathlib
from importlib import resources
from urllib.parse import urlsplit

import yaml

from .cms import BY_NAME

DEFAULT_SOURCES = pathlib.Path(os.fspath(resources.files(__package__) / "sources" / "sources.yaml"))
LEVELS = {"province", "city", "county", "department"}
CMS = set(BY_NAME)  # the adapters' names
REGION_KEYS = ("province", "city", "county")


class SourceError(ValueError):
    pass


def load_sources(path=None, only=()) -> list[dict]:
    """Read and check a sources file; return the enabled entries (only those named in ``only``)."""
    path = pathlib.Path(path) if path else DEFAULT_SOURCES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SourceError(f"{path}: cannot read: {e.strerror or e}") from e
    except yaml.YAMLError as e:
        raise SourceError(f"{path}: not valid YAML: {e}") from e
    entries = data.get("sources") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise SourceError(f"{path}: expected a list of sources under the key 'sources'")
    sources, seen = [], set()
    for i, entry in enumerate(entries, 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if name in seen:
            raise SourceError(f"{path}: source #{i}: the name {name!r} is used twice")
        seen.add(name)
        if isinstance(entry, dict) and entry.get("enabled") is False:
            continue  # kept in the file with its note (e.g. a malformed URL), not crawled
        sources.append(check_source(entry, f"{path}: source #{i}"))
    if only:
        missing = [name for name in only if name not in seen]
        if missing:
            raise SourceError(f"{path}: no source named {', '.join(map(repr, missing))}")
        sources = [s for s in sources if s["name"] in only]
    return sources


def check_source(entry, where) -> dict:
    if not isinstance(entry, dict):
        raise SourceError(f"{where}: expected a mapping with name, url, province, level")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourceError(f"{where}: missing 'name'")
    where = f"{where} ({name})"
    url = entry.get("url")
    if not isinstance(url, str) or urlsplit(url.strip()).scheme not in ("http", "https"):
        raise SourceError(f"{where}: 'url' must be an http(s) URL, got {url!r}")
    parts = urlsplit(url.strip())
    if not parts.hostname or parts.hostname.endswith(".") or " " in parts.netloc:
        raise SourceError(f"{where}: 'url' has no valid host: {url!r}")
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        raise SourceError(f"{where}: 'level' must be one of {', '.join(sorted(LEVELS))}, got {level!r}")
    cms = entry.get("cms")
    if cms is not None and cms not in CMS:
        raise SourceError(f"{where}: 'cms' must be one of {', '.join(sorted(CMS))}, got {cms!r}")
    domains = entry.get("domains") or []
    if isinstance(domains, str):
        domains = [domains]
    if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        raise SourceError(f"{where}: 'domains' must be a list of host names")
    for key in (*REGION_KEYS, "sector"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise SourceError(f"{where}: {key!r} must be text, got {entry[key]!r}")
    return {**entry, "name": name.strip(), "url": url.strip(), "domains": domains}


def region(source: dict) -> dict:
    """The parser's context for reports found on this source."""
    return {k: source[k] for k in (*REGION_KEYS, "level", "sector") if source.get(k)}


def host_key(url_or_host: str) -> str:
    """host, or host:port when a port is given: two local servers on different ports differ."""
    text = url_or_host if "//" in url_or_host else "//" + url_or_host
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def allowed_hosts(source: dict) -> set:
    return {host_key(source["url"]), *(host_key(d) for d in source.get("domains") or [])}


def on_source(url: str, hosts: set) -> bool:
    """True when url is on one of the source's hosts, or on a subdomain of its www host
    (www.hefei.gov.cn lets the crawl reach zwgk.hefei.gov.cn, where the disclosure platform lives)."""
    key = host_key(url)
    if key in hosts:
        return True
    for allowed in hosts:
        if allowed.startswith("www.") and ":" not in allowed and key.endswith("." + allowed[4:]):
            return True
    return False


def source_set_id(sources: list) -> str:
    """A short stable id of a set of sources, naming its job directory."""
    text = "\n".join(sorted(f"{s['name']}\t{s['url']}" for s in sources))
    return hashlib.sha256(text.encode()).hexdigest()[:12]
