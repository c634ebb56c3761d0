"""A condition that holds now: the rule, its subject and what is wrong, in words. The lifecycle makes it an alert."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Condition:
    rule: str
    subject_kind: str  # number | waba | portfolio | credential | console | template
    subject_id: str
    subject_name: str
    severity: str
    title: str
    detail: str = ""
    advice: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.subject_kind, self.subject_id)
