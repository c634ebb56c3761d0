"""Shared fixtures. Each fixture family lives in tests/fixtures/<name>.py and is registered here."""

pytest_plugins = [
    "tests.fixtures.store",
    "tests.fixtures.simulator",
    "tests.fixtures.console",
]
