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


def adapter_for(page, hint=None):
    """(name, module) of the first family that recognises the page. A source's ``cms`` hint
    only decides when no specific family recognises it."""
    adapters = families()
    for name, module in adapters.items():
        if name != "generic" and module.recognise(page):
            return name, module
    if hint in adapters:
        return hint, adapters[hint]
    return "generic", adapters["generic"]
