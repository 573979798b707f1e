"""Markers (registered in pyproject.toml): a test that crawls, drives the browser, runs OCR or
starts redis-server is slow as well, so `pytest -m "not slow"` is the quick subset."""

HEAVY = ("crawl", "browser", "ocr", "redis")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(name) for name in HEAVY) and not item.get_closest_marker("slow"):
            item.add_marker("slow")
