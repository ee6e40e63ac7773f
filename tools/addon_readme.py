#!/usr/bin/env python3
"""Each add-on's README.rst, made from its readme/*.md fragments (as OCA's
oca-gen-addon-readme does), so the page PyPI and the Odoo Apps list show says
what the fragments say.

    python3 tools/addon_readme.py           # rewrite addons/*/README.rst
    python3 tools/addon_readme.py --check   # exit 1 when one is out of date

Standard library only. The fragments use the Markdown that reads the same in
reStructuredText (lists, *emphasis*, **strong**); inline `code` becomes
``code``.
"""

import ast
import re
import sys
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"
SECTIONS = (("DESCRIPTION.md", None), ("CONFIGURE.md", "Configuration"), ("USAGE.md", "Usage"))
INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


def _heading(text, char):
    return f"{text}\n{char * len(text)}\n"


def _rst(markdown):
    lines = []
    for raw in markdown.strip().splitlines():
        line = INLINE_CODE.sub(r"``\1``", raw)
        # A nested list needs a blank line before it in reStructuredText.
        if re.match(r"^\s+[-*] ", line) and lines and not re.match(r"^\s+[-*] ", lines[-1]) and lines[-1]:
            lines.append("")
        lines.append(line)
    return "\n".join(lines) + "\n"


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    parts = [
        "=" * len(manifest["name"]),
        manifest["name"],
        "=" * len(manifest["name"]),
        "",
        f"*{manifest['summary']}*",
        "",
        f"Version {manifest['version']}, license {manifest['license']}, by {manifest['author']}.",
        "",
        ".. This file is made from readme/*.md by tools/addon_readme.py: edit those, not this.",
        "",
    ]
    for filename, title in SECTIONS:
        fragment = addon / "readme" / filename
        if not fragment.exists():
            continue
        if title:
            parts.append(_heading(title, "="))
        parts.append(_rst(fragment.read_text()))
    return "\n".join(parts).rstrip() + "\n"


def addons():
    return sorted(path.parent for path in ADDONS.glob("*/__manifest__.py"))


def main(argv):
    stale = []
    for addon in addons():
        target = addon / "README.rst"
        text = render(addon)
        if target.exists() and target.read_text() == text:
            continue
        if "--check" in argv:
            stale.append(target)
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(ADDONS.parent)}")
    for target in stale:
        print(f"{target.relative_to(ADDONS.parent)} is out of date: run python3 tools/addon_readme.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
