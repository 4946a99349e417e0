"""Every page must work under a strict Content-Security-Policy (`script-src 'self'; style-src 'self'`,
no 'unsafe-inline'), so no template under saas/ may carry inline code: no inline <script>, no on*=
event handler attribute, no javascript: URL, no style= attribute, no <style> block.

Behaviour belongs in saas/static/js/app.js, driven by data-* attributes (e.g. `data-confirm="…"` on a
form); presentation belongs in saas/static/css/app.css, as classes named for what they mean.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

SAAS = Path(__file__).resolve().parents[2] / "saas"
TEMPLATES = sorted(SAAS.rglob("*.html"))

# Jinja comments, statements and expressions; they are blanked out (keeping their line breaks) so that
# what is left is the HTML the template can produce: `{% if x %}onclick="…"{% endif %}` still counts.
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
# Attributes passed from inside an expression, e.g. `{{ form.name(style="…") }}`.
KEYWORD_ATTRIBUTE = re.compile(
    r"[(,]\s*(style|on(?:click|dblclick|change|input|submit|reset|invalid|load|error|focus|blur|key\w+"
    r"|mouse\w+|pointer\w+|touch\w+|drag\w*|drop|scroll|select|wheel|toggle|contextmenu))\s*=(?!=)"
)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


class _InlineCodeFinder(HTMLParser):
    """Collects (line, problem) for inline code in HTML whose Jinja has been blanked out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        raw = self.get_starttag_text() or ""
        for name, value in attrs:
            where = re.search(rf"[\s\"'/]{re.escape(name)}\s*(=|/?>|\s)", raw, re.I)
            at = line + raw.count("\n", 0, where.start() if where else 0)
            if name.startswith("on"):
                self.problems.append((at, f"inline event handler {name}= on <{tag}>"))
            elif name == "style":
                self.problems.append((at, f"style= attribute on <{tag}>"))
            elif value and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                self.problems.append((at, f"javascript: URL in {name}= on <{tag}>"))
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self.problems.append((line, "inline <script> (put it in static/js/app.js)"))
        if tag == "style":
            self.problems.append((line, "<style> block (put it in static/css/app.css)"))


def inline_code(source: str) -> list[tuple[int, str]]:
    """The inline scripts and styles a template's text can produce, as (line, problem)."""
    problems = []
    for match in JINJA.finditer(source):
        for keyword in KEYWORD_ATTRIBUTE.finditer(match.group(0)):
            at = _line_of(source, match.start() + keyword.start(1))
            problems.append((at, f"{keyword.group(1)}= attribute passed in a Jinja expression"))

    def blank(match: re.Match) -> str:
        newlines = match.group(0).count("\n")
        return ("J" if match.group(0).startswith("{{") else " ") + "\n" * newlines

    finder = _InlineCodeFinder()
    finder.feed(JINJA.sub(blank, source))
    finder.close()
    return sorted(problems + finder.problems)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ('<script type="module">\nimport x from "/x.js";\n</script>', "inline <script>"),
        ("<form onsubmit=\"return confirm('Sure?')\">", "inline event handler onsubmit="),
        ("<button {% if danger %}onclick=\"return confirm('{{ msg }}')\"{% endif %}>", "inline event handler onclick="),
        ('<a href="#" ONCLICK="go()">', "inline event handler onclick="),
        ('<div class="x" style="margin:0">', "style= attribute on <div>"),
        ('<section style="--top: {{ top }}%">', "style= attribute on <section>"),
        ("<style>.x { color: red }</style>", "<style> block"),
        ('<a href=" javascript:history.back()">', "javascript: URL in href="),
        ('{{ form.name(class="x", style="width:3em") }}', "style= attribute passed in a Jinja expression"),
        ('{{ field(form.kind, onchange="go()") }}', "onchange= attribute passed in a Jinja expression"),
    ],
)
def test_the_check_finds_each_kind_of_inline_code(snippet, expected):
    found = inline_code(snippet)
    assert len(found) == 1 and expected in found[0][1], found


def test_the_check_names_the_line_of_the_attribute():
    source = '<p>\n<form method="post"\n      action="{{ url }}"\n      onsubmit="return confirm(\'x\')">\n</form>'
    assert inline_code(source) == [(4, "inline event handler onsubmit= on <form>")]


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{{ asset_url('js/app.js') }}\" defer></script>",
        '<form method="post" data-confirm="Delete {{ customer.name }}? This cannot be undone.">',
        '<link rel="stylesheet" href="{{ asset_url(\'css/app.css\') }}">',
        '<a class="cal-appt" data-top="{{ placed.top }}" data-height="{{ placed.height }}" href="/a">',
        '<rect x="1" y="2" width="3" height="4" fill="#1f5eff"/>',
        "{% set online = true %}{{ url_for('x', only=1) }}<p>Styles on offer: style=classic</p>",
    ],
)
def test_the_check_leaves_csp_safe_markup_alone(snippet):
    assert inline_code(snippet) == []


def test_no_template_has_inline_script_or_style():
    assert len(TEMPLATES) > 50, f"expected the app's templates under {SAAS}"
    problems = [
        f"{path.relative_to(SAAS.parent)}:{line}: {problem}"
        for path in TEMPLATES
        for line, problem in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Inline code breaks under a strict Content-Security-Policy:\n" + "\n".join(problems)
