"""The server's start-up pays Streamlit's one-time costs of a process's first page, so the first visitor does not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# In a fresh interpreter: what Streamlit's first page of a process would otherwise build while a person waits.
PROBE = """
import inspect, json, sys
import streamlit
before = {"emojis": "streamlit.emojis" in sys.modules, "indexed": len(inspect.modulesbyfile)}
from ui.first_run import warm_pages
warm_pages()
after = {"emojis": "streamlit.emojis" in sys.modules, "indexed": len(inspect.modulesbyfile)}
print(json.dumps({"before": before, "after": after, "modules": len(sys.modules)}))
"""


def test_warming_the_pages_compiles_the_emoji_check_and_indexes_the_modules_for_the_stack_inspection() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["before"] == {"emojis": False, "indexed": 0}
    assert found["after"]["emojis"] is True
    # Most loaded modules have a file: the index Streamlit's first element would otherwise build is there.
    assert found["after"]["indexed"] > found["modules"] // 2
