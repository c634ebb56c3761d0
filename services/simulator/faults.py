"""Fault injection: errors, slowness and broken bodies that tests switch on for matching requests."""

from __future__ import annotations

import dataclasses
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from services.simulator.errors import GraphFailure

KINDS = ("error", "slow", "malformed", "html", "fail_on_page")
ANY_GRAPH_PATH = ".*"  # faults are only consulted for Graph paths, never /_simulator/


@dataclass
class Fault:
    """One injected fault.

    `path` is a regex searched in the request path (default: any Graph path); `token` limits it to one bearer;
    `times` is how many matching requests it hits (None: until cleared). Kinds: `error` answers Meta's envelope
    for `code`/`subcode`/`http_status`/`message` (rate-limit codes put `retry_after_minutes`, default 1, into
    X-Business-Use-Case-Usage); `slow` sleeps `seconds` before the normal answer; `malformed` answers 200 with a
    truncated JSON body; `html` answers 502 with an HTML page; `fail_on_page` fails page number `page` of a list
    edge with the error.
    """

    kind: str = "error"
    path: str = ANY_GRAPH_PATH
    token: str | None = None
    times: int | None = None
    code: int = 2
    subcode: int | None = None
    http_status: int | None = None
    message: str | None = None
    retry_after_minutes: int | None = None
    seconds: float = 0.0
    page: int = 2
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Fault kind must be one of {', '.join(KINDS)}, not {self.kind!r}.")
        numbers = {"code": self.code, "page": self.page, "times": self.times, "seconds": self.seconds}
        for name, value in numbers.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise ValueError(f"Fault {name} must be a non-negative number, not {value!r}.")
        if self.times is not None and self.times < 1:
            raise ValueError(f"Fault times must be 1 or more (or omitted for forever), not {self.times}.")
        try:
            self._pattern = re.compile(self.path)
        except re.error as exc:
            raise ValueError(f"Fault path {self.path!r} is not a valid regular expression: {exc}.") from None

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """A fault from the JSON body of POST /_simulator/faults; ValueError says what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("A fault must be a JSON object.")
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown fault field(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}.")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(f"Bad fault: {exc}.") from None

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}

    def matches(self, path: str, token: str | None) -> bool:
        return self._pattern.search(path) is not None and (self.token is None or self.token == token)

    def failure(self) -> GraphFailure:
        return GraphFailure(
            self.code,
            self.message,
            subcode=self.subcode,
            http_status=self.http_status,
            retry_after_minutes=self.retry_after_minutes,
        )


class FaultBook:
    """The active faults, in the order they were added; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)

    def take(self, path: str, token: str | None) -> tuple[float, Fault | None]:
        """Seconds to sleep (every matching slow fault) and the first matching error/malformed/html fault."""
        delay, chosen = 0.0, None
        with self._lock:
            for fault in list(self._faults):
                if fault.kind == "fail_on_page" or not fault.matches(path, token):
                    continue
                if fault.kind == "slow":
                    delay += fault.seconds
                    self._spend(fault)
                elif chosen is None:
                    chosen = fault
                    self._spend(fault)
        return delay, chosen

    def take_page(self, path: str, token: str | None, page: int) -> Fault | None:
        """The first fail_on_page fault for this page of this list edge, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == "fail_on_page" and fault.page == page and fault.matches(path, token):
                    self._spend(fault)
                    return fault
        return None

    def _spend(self, fault: Fault) -> None:
        if fault.times is not None:
            fault.times -= 1
            if fault.times == 0:
                self._faults.remove(fault)
