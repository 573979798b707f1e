"""tests/lower_bounds.py: the constraints file that CI installs to run the quick tests on the
oldest versions pyproject.toml allows (./bootstrap test with CI=true)."""

import tomllib

import pytest
from lower_bounds import PYPROJECT, lower_bounds


def test_every_direct_dependency_is_pinned_to_its_lower_bound():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    bounds = lower_bounds()
    assert len(bounds) == len(project["dependencies"]) + len(project["optional-dependencies"]["dev"])
    assert bounds["scrapy"] == "2.14"  # pipelines and middlewares without a spider argument
    assert bounds["sqlite-utils"] == "4.0"  # db.atomic()


def test_a_dependency_without_a_lower_bound_is_an_error(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["scrapy<3"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'scrapy<3' has no lower bound"):
        lower_bounds(pyproject, extras=())
