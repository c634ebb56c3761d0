import subprocess
import sys

from services.health.model import Severity
from ui.strips import severity_strip


def test_the_daily_strip_has_one_square_per_day_coloured_by_its_worst_severity() -> None:
    days = [Severity.OK, Severity.WATCH, Severity.AT_RISK, Severity.BLOCKED, Severity.UNKNOWN, None]
    assert severity_strip(days) == "🟩🟨🟧🟥⬜▫️"


def test_the_strips_draw_without_plotly() -> None:
    """The overview's first run draws strips, not charts: plotly stays unimported (a fresh interpreter says)."""
    probe = "import sys, ui.strips; print('plotly' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout == "False\n"
