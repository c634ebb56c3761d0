"""Reading Markdown the way an operator sees it: the page escapes free text (ui.text.plain), the reader does not."""

import re


def seen(markdown: str) -> str:
    """`markdown` with each backslash escape of ASCII punctuation undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
