"""`--profile DIR`: pyinstrument profiles of what the figures time, for whoever owns the slow part."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INTERVAL_S = 0.0005
# Our code stays visible inside library frames (Streamlit runs the page under a dozen frames of its own).
OURS = r".*/(pages|services|ui|benchmarks)/.*"


@contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    """Profile the block into `path`.txt and `path`.html (pyinstrument, the calling thread); no-op without a path."""
    if path is None:
        yield
        return
    from pyinstrument import Profiler  # a development dependency: only --profile needs it
    from pyinstrument.renderers import ConsoleRenderer

    profiler = Profiler(interval=INTERVAL_S)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = ConsoleRenderer(unicode=True, processor_options={"show_regex": OURS, "hide_regex": None})
        path.with_suffix(".txt").write_text(profiler.output(text))
        path.with_suffix(".html").write_text(profiler.output_html())
