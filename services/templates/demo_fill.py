"""The demo's template history: what a template poll every step would have recorded, written at the first start.

The demo simulator scripts its templates' changes (a pause and reinstatement, a quality drop to red, a rejection,
a disabled template; see `services.simulator.templates`). Each step reads the templates straight from the
simulator's model in Graph's JSON, parses them as a poll does (`state.from_graph`) and records them through
`observe_templates`, so the rows are the ones the poller would have written, without HTTP on the first start.
The webhooks Meta sent for the scripted changes are applied at their own time too (`apply_template_change`), as
a console subscribed all along would have: they carry what the edge does not (a pause's title, Meta's words).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session, col, select

from services.simulator import Simulator
from services.simulator.templates import scheduled_events, values
from services.store.models import MessageTemplate, TemplateInterval, WhatsAppBusinessAccount
from services.templates.recording import observe_templates
from services.templates.state import TemplateState, from_graph
from services.templates.webhook_changes import apply_template_change

Webhook = tuple[datetime, str, dict[str, Any]]


class Past(Protocol):
    """What the demo's first start writes over (services.demo.Past): its twin simulator and the poll moments."""

    @property
    def simulator(self) -> Simulator: ...

    moments: tuple[datetime, ...]
    notes: list[str]


def fill_step(session: Session, past: Past) -> None:
    """The demo's fill step for templates (one entry of services.demo.FILL_STEPS), over the same poll moments."""
    moments = past.moments
    step = max((b - a for a, b in zip(moments, moments[1:], strict=False)), default=timedelta(hours=2))
    opened = fill_demo_templates(
        session=session, simulator=past.simulator, start=moments[0], end=moments[-1], step=step
    )
    past.notes.append(f"{opened} changes of message templates")


def states_at(simulator: Simulator, waba_id: str, at: datetime) -> list[TemplateState]:
    """The WABA's templates at `at`, as a poll of the simulator's message_templates edge would parse them."""
    book, offset = simulator.templates, at - simulator.anchor
    return [from_graph(values(book, template, offset, simulator.anchor)) for template in book.of(waba_id, offset)]


def _grid(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """start, start + step, ... and end (the last step may be shorter), as the demo's poll cycles run."""
    moments = [start]
    while moments[-1] < end:
        moments.append(min(moments[-1] + step, end))
    return moments


def _telling(simulator: Simulator, waba_id: str, grid: Sequence[datetime], hooks: Sequence[Webhook]) -> list[datetime]:
    """The grid points a poll there would record anything new at: the first and last, each change and the one before,
    and the polls around each webhook (a poll may not carry all a webhook said).

    Between them every poll only confirms the state again, which moves the open row's end and its poll count.
    """
    chosen = {0, len(grid) - 1}
    for at, *_ in hooks:
        after = bisect_right(grid, at)
        chosen |= {i for i in (after - 1, after) if 0 <= i < len(grid)}
    previous = None
    for i, at in enumerate(grid):
        states = states_at(simulator, waba_id, at)
        if previous is not None and states != previous:
            chosen |= {i - 1, i}
        previous = states
    return [grid[i] for i in sorted(chosen)]


def fill_demo_templates(
    *,
    session: Session,
    simulator: Simulator,
    start: datetime,
    end: datetime,
    step: timedelta,
    waba_ids: Sequence[str] | None = None,
    every_step: bool = False,
) -> int:
    """Record the templates of `waba_ids` (default: every WABA in the store) as polls at start, start + step, ...
    and end would; returns how many history rows it opened. Does not commit; the WABA rows must exist.

    Only the polls that record something new run (`every_step=True` runs them all, which the tests compare with);
    the rows' poll counts are then set to the steps each row spans, so both write the same rows.
    """
    if waba_ids is None:
        waba_ids = list(session.exec(select(WhatsAppBusinessAccount.id)))
    wanted = [waba_id for waba_id in waba_ids if simulator.templates.of(waba_id, end - simulator.anchor)]
    grid = _grid(start, end, step)
    opened = 0
    for waba_id in wanted:
        hooks = _webhooks(simulator, waba_id, start, end)
        moments = grid if every_step else _telling(simulator, waba_id, grid, hooks)
        # The polls skipped are not a gap: the skips must not break a row in two.
        longest = max((b - a for a, b in zip(moments, moments[1:], strict=False)), default=step)
        interval_s = step.total_seconds() if every_step else max(step, longest).total_seconds()
        # At the same moment Meta's webhook comes first: the change happened, then a poll saw it.
        for at, hook in sorted([(at, hook) for at, *hook in hooks] + [(at, None) for at in moments], key=_order):
            if hook is None:
                opened += observe_templates(
                    session=session,
                    waba_id=waba_id,
                    templates=states_at(simulator, waba_id, at),
                    at=at,
                    poll_interval_s=interval_s,
                )
            else:
                field, value = hook
                timing = {"at": at, "poll_interval_s": interval_s}
                apply_template_change(session=session, field=field, waba_id=waba_id, value=value, **timing)
        if not every_step:
            _count_polls(session, waba_id=waba_id, grid=grid)
    accounts = session.exec(select(WhatsAppBusinessAccount).where(col(WhatsAppBusinessAccount.id).in_(wanted)))
    for account in accounts:
        account.templates_polled_at = end
        session.add(account)
    session.flush()
    return opened


def _webhooks(simulator: Simulator, waba_id: str, start: datetime, end: datetime) -> list[Webhook]:
    """(when, field, value) of each template webhook Meta sent the WABA for its scripted changes in (start, end]."""
    found = scheduled_events(simulator.templates, simulator.anchor, start, end)
    return [(at, field, value) for at, waba, (field, value) in found if waba == waba_id]


def _order(item: tuple[datetime, object]) -> tuple[datetime, int]:
    return item[0], 0 if item[1] is not None else 1


def _count_polls(session: Session, *, waba_id: str, grid: Sequence[datetime]) -> None:
    """Each row written by the fill counts the grid's polls from its start to its end, as every poll would have."""
    ids = select(MessageTemplate.id).where(MessageTemplate.waba_id == waba_id)
    rows = session.exec(
        select(TemplateInterval).where(
            col(TemplateInterval.template_id).in_(ids), col(TemplateInterval.since) >= grid[0]
        )
    )
    for row in rows:
        polls = bisect_right(grid, row.last_confirmed_at) - bisect_left(grid, row.since)
        # A poll at the very moment a webhook opened the row confirms nothing new: it is not counted.
        on_grid = row.learned_by == "webhook" and row.since in grid
        row.polls = polls - 1 if on_grid else polls
        session.add(row)
