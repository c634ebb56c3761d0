"""Alerts: rules over the one health model, one open alert per subject and rule, and the outbox of deliveries."""

from services.alerts.lifecycle import acknowledge, evaluate, evaluate_store, snooze
from services.alerts.messages import Message, message_for
from services.alerts.rules import RULES

__all__ = ["RULES", "Message", "acknowledge", "evaluate", "evaluate_store", "message_for", "snooze"]
