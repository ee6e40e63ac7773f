"""Each add-on's README.rst says what its readme/ fragments say."""

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "addon_readme.py"


def _tool():
    spec = importlib.util.spec_from_file_location("addon_readme", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_addon_readme_is_made_from_its_fragments():
    tool = _tool()
    addons = tool.addons()
    assert addons, "no add-on found"
    for addon in addons:
        readme = addon / "README.rst"
        assert readme.exists(), f"{readme} is missing: run python3 tools/addon_readme.py"
        assert readme.read_text() == tool.render(addon), (
            f"{readme} is out of date: run python3 tools/addon_readme.py"
        )


def test_inline_code_and_nested_lists_become_restructuredtext():
    rst = _tool()._rst("1. Run `scan(code)`:\n   - **one**\n   - two\n")
    assert "``scan(code)``" in rst
    assert "   Run" not in rst and "\n\n   - **one**\n   - two" in rst
