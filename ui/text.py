"""Text from people or from Meta, made safe for where it is shown: it reads as typed, never as markup.

One path for every piece of free text (verified names, WABA names, credential names, Meta's status and limit,
query parameters, sentences that quote any of these): `plain` wherever Streamlit renders Markdown (bodies,
captions, alerts, dialogs, labels), `plotly_text` wherever Plotly renders its HTML subset (trace names, category
labels, text, hover text, annotations). Widget values and option lists are plain text already and need neither.
"""

from __future__ import annotations

import html
import string

_PUNCTUATION = frozenset(string.punctuation)


def plain(text: str) -> str:
    """`text` with a backslash before every ASCII punctuation character (CommonMark shows each literally)."""
    return "".join("\\" + char if char in _PUNCTUATION else char for char in text)


def plotly_text(text: str) -> str:
    """`text` with `&`, `<` and `>` as entities, so Plotly draws no tag (`<a>`, `<b>`, `<br>`) and no entity of it.

    Quotes stay as they are: Plotly reads no attribute outside a tag, and does not know `&quot;`.
    """
    return html.escape(text, quote=False)
