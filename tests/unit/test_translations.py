"""The zh_CN and zh_TW translations of every add-on are complete and safe to render.

For each add-on under addons/ that ships an Odoo translation template (i18n/*.pot),
each language in LANGS must have its i18n/<lang>.po, and every msgid of the template
must be translated there: present, not empty, not fuzzy, and with the same
placeholders as its msgid (Python %-style and {}-style fields, HTML tags and
entities), since a lost %(name)s breaks the message at run time and a lost tag
breaks the view.

The .po reader is a small standard-library one (no polib in the dev dependencies):
multi-line strings, escapes, msgctxt, plural entries, flags and obsolete entries.
``check_addon`` and ``check_catalog`` are the checker; the self-tests at the end run
them on broken synthetic catalogs so that the check cannot pass by accident.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDONS = ROOT / "addons"
LANGS = ("zh_CN", "zh_TW")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def label(self):
        context = f" (msgctxt {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"{self.msgid!r}{context}"


def _unquote(text, path, lineno):
    """The value of one PO string literal, "..." with C-like escapes."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{path}:{lineno}: not a quoted string: {text}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1: i + 2]
            if nxt not in _ESCAPES:
                raise ValueError(f"{path}:{lineno}: unknown escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        if char == '"':
            raise ValueError(f"{path}:{lineno}: unescaped quote in {text}")
        out.append(char)
        i += 1
    return "".join(out)


class _Reader:
    """Accumulates the lines of one entry; ``finish`` hands it over when complete."""

    def __init__(self, path):
        self.path = path
        self.entries = []
        self.entry = Entry()
        self.target = None  # (attribute, plural index) the next continuation line extends
        self.started = False

    def finish(self):
        if self.started:
            self.entries.append(self.entry)
        self.entry, self.target, self.started = Entry(), None, False

    def comment(self, line):
        if self.started and self.entry.msgstr:
            self.finish()
        if line.startswith("#,"):
            self.entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())

    def keyword(self, match, lineno):
        name, index, literal = match.groups()
        value = _unquote(literal, self.path, lineno)
        if name in ("msgctxt", "msgid") and self.entry.msgstr:
            self.finish()
        if not self.started:
            self.entry.line, self.started = lineno, True
        if name.startswith("msgstr"):
            slot = int(index) if index is not None else 0
            self.entry.msgstr[slot] = value
            self.target = ("msgstr", slot)
        else:
            setattr(self.entry, name, value)
            self.target = (name, None)

    def continuation(self, line, lineno):
        if self.target is None:
            raise ValueError(f"{self.path}:{lineno}: string outside an entry: {line}")
        value = _unquote(line, self.path, lineno)
        name, slot = self.target
        if name == "msgstr":
            self.entry.msgstr[slot] += value
        else:
            setattr(self.entry, name, getattr(self.entry, name) + value)


def parse_po(text, path="<po>"):
    """The live entries of a .po or .pot text, the header (msgid "") included.

    Obsolete entries (#~) and previous-msgid comments (#|) are skipped.
    """
    reader = _Reader(path)
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            reader.finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            reader.comment(line)
        elif match := _KEYWORD.match(line):
            reader.keyword(match, lineno)
        elif line.startswith('"'):
            reader.continuation(line, lineno)
        else:
            raise ValueError(f"{path}:{lineno}: cannot read: {raw}")
    reader.finish()
    return reader.entries


# -- placeholders -------------------------------------------------------------------------

_PERCENT = re.compile(r"%(?:%|(\([^()]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa])")
_BRACE = re.compile(r"\{\{|\}\}|\{[^{}\s]*\}")
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s+[^<>]*?)?\s*/?>")
_ATTR = re.compile(r"""([\w:.@-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);")
# Attributes whose value Odoo lets a translator translate inside a term.
TRANSLATABLE_ATTRS = frozenset(
    {"title", "alt", "placeholder", "aria-label", "label", "data-tooltip", "value"}
)


def _normal_tag(tag):
    """A tag without the attribute values a translator may change, for comparison."""
    closing = tag.startswith("</")
    inner = tag[2 if closing else 1:-1].rstrip("/").strip()
    name, rest = [*re.split(r"\s+", inner, maxsplit=1), ""][:2]
    attrs = sorted(
        (key, "*" if key in TRANSLATABLE_ATTRS else value) for key, value in _ATTR.findall(rest)
    )
    kept = "".join(f" {key}={value}" if value else f" {key}" for key, value in attrs)
    return f"<{'/' if closing else ''}{name}{kept}{'/' if tag.endswith('/>') else ''}>"


def placeholders(text):
    """What a translation must keep of ``text``.

    Named fields (%(x)s, {x}), tags and entities may move in a translation, so they
    are compared as a multiset; positional %-fields (%s, %d) must keep their order.
    """
    positional, named = [], Counter()
    for match in _PERCENT.finditer(text):
        if match.group(0) == "%%":
            continue
        if match.group(1):
            named[match.group(0)] += 1
        else:
            positional.append(match.group(0))
    named.update(m for m in _BRACE.findall(text) if m not in ("{{", "}}"))
    named.update(_normal_tag(tag) for tag in _TAG.findall(text))
    named.update(_ENTITY.findall(text))
    return tuple(positional), named


def _describe(found):
    """Positional fields in their order, then the others sorted."""
    positional, named = found
    return [*positional, *sorted(named.elements())]


# -- the checker ---------------------------------------------------------------------------

def _check_header(entries, lang):
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    if header is None:
        return ["header: missing (msgid \"\")"]
    fields = dict(line.split(":", 1) for line in header.msgstr.get(0, "").splitlines() if ":" in line)
    fields = {key.strip().lower(): value.strip() for key, value in fields.items()}
    problems = []
    if lang and fields.get("language") != lang:
        problems.append(f"header: Language is {fields.get('language')!r}, expected {lang!r}")
    if "charset=utf-8" not in fields.get("content-type", "").lower().replace(" ", ""):
        problems.append("header: Content-Type is not text/plain; charset=UTF-8")
    if "nplurals=" not in fields.get("plural-forms", ""):
        problems.append("header: no Plural-Forms")
    if "fuzzy" in header.flags:
        problems.append("header: fuzzy")
    return problems


def _check_entry(template, entry):
    label = template.label
    if entry is None:
        return [f"missing: {label}"]
    problems = []
    if "fuzzy" in entry.flags:
        problems.append(f"fuzzy: {label}")
    slots = sorted(entry.msgstr) or [0]
    empty = [slot for slot in slots if not entry.msgstr.get(slot)]
    if empty:
        where = "" if entry.msgid_plural is None else "".join(f"[{slot}]" for slot in empty)
        problems.append(f"empty msgstr{where}: {label}")
    if template.msgid_plural is not None and entry.msgid_plural is None:
        problems.append(f"not a plural entry in the .po: {label}")
    sources = [placeholders(template.msgid)]
    if template.msgid_plural is not None:
        sources.append(placeholders(template.msgid_plural))
    for slot in slots:
        text = entry.msgstr.get(slot)
        if not text:
            continue
        found = placeholders(text)
        if found not in sources:
            problems.append(
                f"placeholders differ: {label}: msgid has {_describe(sources[-1])}, "
                f"msgstr{'' if template.msgid_plural is None else f'[{slot}]'} has {_describe(found)}"
            )
    return problems


def check_catalog(pot_path, po_path, lang=None):
    """The problems of ``po_path`` against its template ``pot_path``, one line each."""
    pot_path, po_path = Path(pot_path), Path(po_path)
    if not po_path.is_file():
        return [f"missing file: {po_path.name} (the add-on has {pot_path.name})"]
    templates = [e for e in parse_po(pot_path.read_text(encoding="utf-8"), pot_path) if e.msgid]
    entries = parse_po(po_path.read_text(encoding="utf-8"), po_path)
    by_key = {entry.key: entry for entry in entries}
    problems = _check_header(entries, lang)
    for template in templates:
        problems += _check_entry(template, by_key.get(template.key))
    return problems


def check_addon(addon_dir, lang):
    """The problems of add-on ``addon_dir``'s ``lang`` translation, against each of its .pot."""
    addon_dir = Path(addon_dir)
    problems = []
    for pot in sorted((addon_dir / "i18n").glob("*.pot")):
        problems += check_catalog(pot, addon_dir / "i18n" / f"{lang}.po", lang)
    return problems


def addons_with_templates():
    return sorted(p.name for p in ADDONS.iterdir() if p.is_dir() and any((p / "i18n").glob("*.pot")))


# -- the tests -----------------------------------------------------------------------------

def test_some_addon_has_a_template():
    """Guards against an empty parametrization that would check nothing."""
    assert addons_with_templates(), f"no add-on under {ADDONS} has i18n/*.pot"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("addon", addons_with_templates())
def test_translation_complete(addon, lang):
    problems = check_addon(ADDONS / addon, lang)
    if problems:
        pytest.fail(
            f"addons/{addon}/i18n/{lang}.po: {len(problems)} problem(s):\n  " + "\n  ".join(problems),
            pytrace=False,
        )


# -- self-tests of the checker ------------------------------------------------------------

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: {lang}\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""

POT_BODY = r'''
#. module: demo
#: code:addons/demo/models/demo.py:0
msgid "Saved %(count)s cards."
msgstr ""

msgid "Missing here"
msgstr ""

msgid "Empty here"
msgstr ""

msgid "Fuzzy here"
msgstr ""

msgid "Lost %(name)s"
msgstr ""

msgid "<strong>Status:</strong>"
msgstr ""

msgid "Menu A &gt; B"
msgstr ""

msgid "Two %s and %d"
msgstr ""

msgid "Hello {name}"
msgstr ""

msgid ""
"A \"quoted\" word\n"
"on two lines"
msgstr ""

msgctxt "button"
msgid "Open"
msgstr ""

msgctxt "state"
msgid "Open"
msgstr ""

msgid "One unit"
msgid_plural "%(count)s units"
msgstr[0] ""

msgid "One loaner"
msgid_plural "%(count)s loaners"
msgstr[0] ""
'''

PO_BODY = r'''
#. module: demo
#: code:addons/demo/models/demo.py:0
msgid "Saved %(count)s cards."
msgstr ""
"Saved "
"%(count)s ok."

msgid "Empty here"
msgstr ""

#, fuzzy
msgid "Fuzzy here"
msgstr "guess"

msgid "Lost %(name)s"
msgstr "lost it"

msgid "<strong>Status:</strong>"
msgstr "<b>X</b>"

msgid "Menu A &gt; B"
msgstr "A > B"

msgid "Two %s and %d"
msgstr "%d then %s"

msgid "Hello {name}"
msgstr "{name} hi"

msgid ""
"A \"quoted\" word\n"
"on two lines"
msgstr "\"ok\"\nok"

msgctxt "button"
msgid "Open"
msgstr "open it"

msgid "One unit"
msgid_plural "%(count)s units"
msgstr[0] "%(count)s ok"

msgid "One loaner"
msgid_plural "%(count)s loaners"
msgstr[0] ""

#~ msgid "Gone"
#~ msgstr "obsolete"
'''


def write_pair(folder, lang="zh_CN", pot_body=POT_BODY, po_body=PO_BODY):
    """A demo add-on in ``folder`` with a .pot and a ``lang`` .po; returns the add-on dir."""
    i18n = Path(folder) / "demo" / "i18n"
    i18n.mkdir(parents=True, exist_ok=True)
    (i18n / "demo.pot").write_text(HEADER.format(lang="") + pot_body, encoding="utf-8")
    if po_body is not None:
        (i18n / f"{lang}.po").write_text(HEADER.format(lang=lang) + po_body, encoding="utf-8")
    return i18n.parent


def test_parser_reads_multiline_escapes_context_and_plurals():
    entries = {e.key: e for e in parse_po(HEADER.format(lang="zh_CN") + PO_BODY)}
    assert entries[(None, "Saved %(count)s cards.")].msgstr == {0: "Saved %(count)s ok."}
    assert entries[(None, 'A "quoted" word\non two lines')].msgstr == {0: '"ok"\nok'}
    assert entries[("button", "Open")].msgstr == {0: "open it"}
    assert ("state", "Open") not in entries
    assert entries[(None, "One unit")].msgid_plural == "%(count)s units"
    assert entries[(None, "Fuzzy here")].flags == {"fuzzy"}
    assert (None, "Gone") not in entries
    assert "Language: zh_CN" in entries[(None, "")].msgstr[0]


def test_placeholders():
    assert placeholders("%(a)s and %(b)d") == placeholders("%(b)d, %(a)s")
    assert placeholders("%s of %d") != placeholders("%d of %s")
    assert placeholders("100%% sure") == placeholders("sure")
    icon = '<i class="fa fa-download"/>'
    assert placeholders(f"{icon} Download") == placeholders(f"{icon} X")
    assert placeholders('<i class="fa"/>') != placeholders('<i class="fb"/>')
    assert placeholders('<img alt="A"/>') == placeholders('<img alt="B"/>')
    assert placeholders("{name} {0} {}") == placeholders("{} {0} {name}")
    assert placeholders("a &amp; b") != placeholders("a & b")


def test_checker_reports_each_problem(tmp_path):
    problems = check_addon(write_pair(tmp_path), "zh_CN")
    report = "\n".join(problems)
    expected = [
        "missing: 'Missing here'",
        "empty msgstr: 'Empty here'",
        "fuzzy: 'Fuzzy here'",
        "placeholders differ: 'Lost %(name)s'",
        "placeholders differ: '<strong>Status:</strong>'",
        "placeholders differ: 'Menu A &gt; B'",
        "placeholders differ: 'Two %s and %d'",
        "missing: 'Open' (msgctxt 'state')",
        "empty msgstr[0]: 'One loaner'",
    ]
    for line in expected:
        assert line in report, f"{line!r} not reported in:\n{report}"
    assert len(problems) == len(expected), report
    for fine in ("Saved %(count)s", "Hello {name}", "quoted", "'Open' (msgctxt 'button')", "'One unit'"):
        assert fine not in report


def test_checker_reports_missing_po_and_wrong_header(tmp_path):
    assert check_addon(write_pair(tmp_path / "a", po_body=None), "zh_TW") == [
        "missing file: zh_TW.po (the add-on has demo.pot)"
    ]
    addon = write_pair(tmp_path / "b", lang="zh_TW")
    (addon / "i18n" / "zh_TW.po").rename(addon / "i18n" / "zh_CN.po")
    assert "header: Language is 'zh_TW', expected 'zh_CN'" in check_addon(addon, "zh_CN")


def test_checker_passes_a_complete_catalog(tmp_path):
    pot = 'msgid "Hi %(name)s"\nmsgstr ""\n'
    po = 'msgid "Hi %(name)s"\nmsgstr "%(name)s ni hao"\n'
    assert check_addon(write_pair(tmp_path, pot_body=pot, po_body=po), "zh_CN") == []
