import pytest
from truth import SHARED


@pytest.fixture(scope="session")
def shared():
    assert SHARED.is_dir(), f"../shared is missing beside the checkout ({SHARED})"
    return SHARED
