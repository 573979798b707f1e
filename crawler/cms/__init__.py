"""CMS adapters: one small class per family of portal software, each on the base ``Adapter``
(base.py), which is also the generic discovery for pages no family recognises. ``adapter_for(page)``
picks the first family whose markers the page carries.

Classification is by markers in the page, never by the ``cms`` hint of a source: class names
leak across vendors (a Hanweb site wraps bodies in div.TRS_Editor), so the order below puts the
most specific markers first. Adding a family: docs/adding-a-cms.md.

The helpers the adapters and the spider share live in their own modules: responses.py (what a
response is, as text), titles.py (report, column and entry titles), links.py (anchors, pagers,
JSON rows, attachments, URL helpers).
"""

from .base import Adapter
from .epoint import Epoint
from .gkmlpt import Gkmlpt
from .hanweb import Hanweb
from .hanweb_jpaas import HanwebJPaaS
from .trs import TRS
from .vsb import VSB

GENERIC = Adapter()
FAMILIES = (Gkmlpt(), Epoint(), Hanweb(), HanwebJPaaS(), VSB(), TRS())  # most specific markers first
BY_NAME = {adapter.name: adapter for adapter in (*FAMILIES, GENERIC)}


def adapter_for(page, hint=None) -> Adapter:
    """The first family that recognises the page. A source's ``cms`` hint only decides when no
    family recognises it; the generic discovery when neither does."""
    for adapter in FAMILIES:
        if adapter.recognise(page):
            return adapter
    return BY_NAME.get(hint, GENERIC)
