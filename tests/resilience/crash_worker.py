"""The app's Submit, in a process of its own that the crash tests kill: `python -m tests.resilience.crash_worker JSON`.

It opens the console as the app does (services.runtime.open_console, from the environment), stores the values as
a Processing configuration through the real submit path, says `processing <id>` and runs the checks, which the
test has made hang on the Graph API, until SIGKILL.
"""

from __future__ import annotations

import json
import sys

from sqlmodel import Session

from services.access.roles import DEMO_ADMIN
from services.configurations import lifecycle as configurations
from services.configurations.fields import ConfigurationInput
from services.configurations.runs import run_checks
from services.runtime import open_console


def main(argv: list[str]) -> int:
    console = open_console()
    values = ConfigurationInput.from_dict(json.loads(argv[0]))
    with Session(console.engine) as session:
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=values, at=console.clock())
        configuration_id = row.id
    assert configuration_id is not None
    sys.stdout.write(f"processing {configuration_id}\n")
    sys.stdout.flush()
    run_checks(
        engine=console.engine,
        graph=console.graph,
        vault=console.vault,
        configuration_id=configuration_id,
        actor=DEMO_ADMIN,
        now=console.clock(),
    )
    sys.stdout.write("checked\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
