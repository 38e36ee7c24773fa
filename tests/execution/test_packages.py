"""The packages a downloaded notebook names: found from its imports, and kept between builds."""

import pytest

from textbook.execution import packages


def test_imports_name_their_distributions_less_the_standard_library_and_the_shared_code(tmp_path):
    names = packages.imported("import numpy as np\nfrom sklearn.linear_model import Ridge\nimport json\nimport mlops\n%time x = 1")
    assert names == {"numpy", "sklearn", "json", "mlops"}
    assert packages.to_install(names, "mlops", tmp_path / "packages.json") == ["numpy", "scikit-learn"]


def test_which_distribution_provides_what_is_read_once_while_the_same_ones_are_installed(tmp_path, monkeypatch):
    kept = tmp_path / "packages.json"
    assert packages.to_install({"yaml"}, "mlops", kept) == ["PyYAML"]
    packages._installed.cache_clear()  # a later build, in a process of its own
    monkeypatch.setattr(packages, "packages_distributions", lambda: pytest.fail("read again"))
    assert packages.to_install({"yaml"}, "mlops", kept) == ["PyYAML"]

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "newpackage-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(packages, "packages_distributions", lambda: {"yaml": ["another-yaml"]})
    packages._installed.cache_clear()
    assert packages.to_install({"yaml"}, "mlops", kept) == ["another-yaml"], "a distribution installed: read again"


def test_a_half_written_kept_file_is_read_past(tmp_path):
    kept = tmp_path / "packages.json"
    kept.write_text('{"installed": [')  # a build killed while writing it
    packages._installed.cache_clear()
    assert packages.to_install({"yaml"}, "mlops", kept) == ["PyYAML"]
