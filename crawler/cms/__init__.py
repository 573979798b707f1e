"""CMS adapters: one small module per family of portal software, all with the same functions
(``recognise``, ``report_links``, ``next_pages``; see generic.py). ``adapter_for(page)`` picks the
first family whose markers the page carries, else the generic discovery.

Classification is by markers in the page, never by the ``cms`` hint of a source: class names
leak across vendors (a Hanweb site wraps bodies in div.TRS_Editor), so the order below puts the
most specific markers first.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    url: str
    title: str = ""
    method: str = "GET"
    body: str | None = None  # form body of a POST (Hanweb dataproxy.jsp)


def families():
    from . import epoint, generic, gkmlpt, hanweb, hanweb_jpaas, trs, vsb

    return {
        "gkmlpt": gkmlpt,
        "epoint": epoint,
        "hanweb": hanweb,
        "hanweb_jpaas": hanweb_jpaas,
        "vsb": vsb,
        "trs": trs,
        "generic": generic,
    }


def adapter_for(page):
    """(name, module) of the first family that recognises the page."""
    for name, module in families().items():
        if module.recognise(page):
            return name, module
    raise AssertionError("generic.recognise accepts every page")
