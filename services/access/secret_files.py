"""A demo secret generated once into the data folder: private (0600), written whole, the same for every process."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def generated_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's bytes; on first use `make()` is written there first.

    Written whole to a private temporary file, then linked into place: of two consoles starting together, one wins
    the link and the other reads the winner's secret; neither can read a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
        temporary = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_bytes()
