"""Does a page show a value as text, or does the value become markup? A differential oracle for AppTest pages.

A page is drawn twice from the same store: once with a neutral value (letters and digits only) in the free-text
fields, once with the value under test. Every element must be the same but for the value, and wherever the neutral
value stood the value under test must read back as itself:

- in Markdown (Streamlit renders bodies, captions, alerts, headings and widget labels as Markdown), every character
  that could start markup must be escaped with a backslash (CommonMark escapes any ASCII punctuation) or written
  as an HTML entity; escapes and entities are then undone and the result compared with the value;
- in plain text (st.text, st.code, option lists, widget values) the value must stand as it is;
- in Plotly figures (trace names, axis labels), where Plotly reads `<b>`, `<a href>`, `<br>` and entities, no raw
  `<` or `>` may appear and entities are undone before comparing.

Streamlit's Markdown is wider than CommonMark (`$math$`, `:red[text]`, `:material/icon:`, emoji shortcodes), so
`$` and `:` count as markup characters too. Whitespace is compared loosely (Markdown folds line breaks).
"""

from __future__ import annotations

import html
import json
import re
import string
from collections.abc import Iterator
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from streamlit.testing.v1 import AppTest

NEUTRAL = "Neutralvalue7Q"
ASCII_PUNCTUATION = frozenset(string.punctuation)
# Punctuation that starts no markup on its own in CommonMark, GFM or Streamlit's extensions.
INERT = frozenset("'\",;?%/^@{}")
MARKUP_CHARACTERS = ASCII_PUNCTUATION - INERT
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
MARKDOWN_FIELDS = frozenset({"body", "label", "help"})
PLAIN_ELEMENTS = frozenset({"text", "code"})
IGNORED_FIELDS = frozenset({"id", "form_id", "element_type", "icon", "anchor", "config", "theme"})


def folded(text: str) -> str:
    return " ".join(text.split())


def markdown_literal(region: str) -> str | None:
    """What Markdown shows for `region` if nothing in it can start markup; None if something can."""
    shown: list[str] = []
    i = 0
    while i < len(region):
        char = region[i]
        if char == "\\":
            following = region[i + 1 : i + 2]
            if following and following in ASCII_PUNCTUATION:
                shown.append(following)
                i += 2
                continue
            if not following or following == "\n":  # a trailing backslash escapes what follows, or breaks a line
                return None
            shown.append(char)
        elif char == "&" and (entity := _ENTITY.match(region, i)):
            shown.append(html.unescape(entity.group()))
            i = entity.end()
            continue
        elif char in MARKUP_CHARACTERS and char != "&":
            return None
        else:
            shown.append(char)
        i += 1
    return "".join(shown)


def seen(markdown: str) -> str:
    """The text an operator reads in a Markdown body: backslash escapes and entities undone (markup is kept)."""
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return _ENTITY.sub(lambda entity: html.unescape(entity.group()), unescaped)


def plotly_literal(region: str) -> str | None:
    """What Plotly shows for `region` if it holds no tag; None if it does."""
    if "<" in region or ">" in region:
        return None
    return html.unescape(region)


def _regions(neutral_text: str, text: str) -> list[str] | None:
    """The stretches of `text` that stand where the neutral value stands in `neutral_text` (None: no such fit)."""
    parts = neutral_text.split(NEUTRAL)
    for gap in ("(.*?)", "(.*)"):
        pattern = gap.join(re.escape(part) for part in parts)
        match = re.fullmatch(pattern, text, flags=re.DOTALL)
        if match:
            return list(match.groups())
    return None


def _proto_strings(message: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, field name, value) of every string in a protobuf message, depth first."""
    for field, value in message.ListFields():
        where = f"{path}.{field.name}"
        repeated = field.is_repeated
        values = list(value) if repeated else [value]
        if field.type == FieldDescriptor.TYPE_STRING:
            for n, item in enumerate(values):
                yield f"{where}[{n}]", field.name, item
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not (field.message_type.GetOptions().map_entry):
            for n, item in enumerate(values):
                yield from _proto_strings(item, f"{where}[{n}]")


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _json_strings(value[key], f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{n}]")


def page_strings(at: AppTest) -> list[tuple[str, str, str]]:
    """(where, how it renders: markdown|plain|plotly, text) of every string the page sent to the browser."""
    found: list[tuple[str, str, str]] = []

    def visit(node: Any, where: str) -> None:
        kind = str(getattr(node, "type", ""))
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            for path, name, text in _proto_strings(proto):
                if name in IGNORED_FIELDS:
                    continue
                if kind == "plotly_chart" and name == "spec":
                    found.extend((f"{where}{path}{inner}", "plotly", s) for inner, s in _json_strings(json.loads(text)))
                elif name in MARKDOWN_FIELDS and kind not in PLAIN_ELEMENTS:
                    found.append((f"{where}:{kind}{path}", "markdown", text))
                else:
                    found.append((f"{where}:{kind}{path}", "plain", text))
        for key, child in (getattr(node, "children", None) or {}).items():
            visit(child, f"{where}/{key}")

    visit(at._tree, "")
    return found


def markup_problems(neutral: list[tuple[str, str, str]], shown: list[tuple[str, str, str]], value: str) -> list[str]:
    """Where the page drawn with `value` differs from the neutral page other than by showing `value` as text."""
    problems: list[str] = []
    places = [(where, how) for where, how, _ in neutral]
    if places != [(where, how) for where, how, _ in shown]:
        return [f"the page is laid out differently with this value: {places} != {[s[:2] for s in shown]}"]
    for (where, how, before), (_, _, after) in zip(neutral, shown, strict=True):
        if NEUTRAL not in before:
            continue
        regions = _regions(before, after)
        if regions is None:
            problems.append(f"{where} ({how}): {after!r} does not fit around the value")
            continue
        for region in regions:
            literal = (
                markdown_literal(region) if how == "markdown" else plotly_literal(region) if how == "plotly" else region
            )
            if literal is None or folded(literal) != folded(value):
                problems.append(f"{where} ({how}): shows {region!r} for the value {value!r}")
    return problems
