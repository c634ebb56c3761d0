"""Typed Graph API errors. `str(error)` is a sentence an operator can act on; it never holds a token.

The sentence is said in the language current when the error is raised; `said` keeps its msgid and values, so a
result stored from it (a configuration's checks) reads in each reader's language.
"""

from __future__ import annotations

from datetime import datetime

from services.graph.said import Said
from services.language.translate import N_


class GraphError(Exception):
    """Base of every failure talking to the Graph API."""

    kind = "graph"
    transient = False

    def __init__(
        self,
        sentence: str | Said,
        *,
        code: int | None = None,
        subcode: int | None = None,
        http_status: int | None = None,
        fbtrace_id: str | None = None,
        meta_message: str | None = None,
    ) -> None:
        self.said = sentence if isinstance(sentence, Said) else Said(N_("{sentence}"), sentence=sentence)
        self.sentence = str(sentence)
        super().__init__(self.sentence)
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id
        self.meta_message = meta_message  # Meta's own wording, for the logs; never part of str()


class TokenExpired(GraphError):
    kind = "token_expired"

    def __init__(self, sentence: str | Said, *, expired_at: datetime | None = None, **kw: object) -> None:
        super().__init__(sentence, **kw)  # type: ignore[arg-type]
        self.expired_at = expired_at


class TokenInvalid(GraphError):
    kind = "token_invalid"


class PermissionMissing(GraphError):
    kind = "permission_missing"

    def __init__(self, sentence: str | Said, *, permission: str | None = None, **kw: object) -> None:
        super().__init__(sentence, **kw)  # type: ignore[arg-type]
        self.permission = permission


class BadParameter(GraphError):
    """Meta's code 100: an ID that does not exist or is not reachable with this token, a bad field."""

    kind = "bad_parameter"


class RateLimited(GraphError):
    kind = "rate_limited"
    transient = True

    def __init__(self, sentence: str | Said, *, retry_after_s: float | None = None, **kw: object) -> None:
        super().__init__(sentence, **kw)  # type: ignore[arg-type]
        self.retry_after_s = retry_after_s


class GraphServerError(GraphError):
    kind = "server_error"
    transient = True


class GraphTimeout(GraphError):
    kind = "timeout"
    transient = True


class GraphUnreachable(GraphError):
    kind = "unreachable"
    transient = True


class UnreadableResponse(GraphError):
    kind = "unreadable"
    transient = True
