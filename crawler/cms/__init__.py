"""CMS adapters: one small class per family of portal software, each in its own module here and
each on the base ``Adapter`` (base.py), which is also the generic discovery for pages no family
recognises. ``adapter_for(page)`` picks the first family whose markers the page carries.

Every module of this package is imported and every subclass of ``Adapter`` is a family, tried by
its ``order``: adding a family is adding a module (docs/adding-a-cms.md). Classification is by
markers in the page, never by the ``cms`` hint of a source.

The helpers the adapters and the spider share live in their own modules: responses.py (what a
response is, as text), titles.py (report, column and entry titles), links.py (anchors, pagers,
JSON rows, attachments, URL helpers).
"""

import importlib
import pkgutil

from .base import Adapter

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

GENERIC = Adapter()
FAMILIES = tuple(sorted((family() for family in Adapter.__subclasses__()), key=lambda a: a.order))
BY_NAME = {adapter.name: adapter for adapter in (*FAMILIES, GENERIC)}


def adapter_for(page, hint=None) -> Adapter:
    """The first family that recognises the page. A source's ``cms`` hint only decides when no
    family recognises it; the generic discovery when neither does."""
    for adapter in FAMILIES:
        if adapter.recognise(page):
            return adapter
    return BY_NAME.get(hint, GENERIC)
