import html

from hypothesis import given
from hypothesis import strategies as st

from tests.markdown import seen
from tests.resilience.markup import markdown_literal
from ui.text import plain, plotly_text


@given(st.text())
def test_plain_text_reads_back_as_typed_and_keeps_no_markup_character_bare(text: str) -> None:
    escaped = plain(text)
    assert seen(escaped) == text
    assert markdown_literal(escaped) == text  # no character left that could start Markdown or Streamlit markup


@given(st.text())
def test_plotly_text_holds_no_tag_and_reads_back_as_typed(text: str) -> None:
    escaped = plotly_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert html.unescape(escaped) == text


def test_plotly_text_escapes_a_link_and_keeps_quotes_plotly_reads_literally() -> None:
    link = '<a xlink:href="javascript:alert(1)">x</a>'
    assert plotly_text(link) == '&lt;a xlink:href="javascript:alert(1)"&gt;x&lt;/a&gt;'
    assert plotly_text("<b>bold</b> & 'x'") == "&lt;b&gt;bold&lt;/b&gt; &amp; 'x'"
