"""Marketing actions: the consent policy that a channel configuration's messages obey."""

from __future__ import annotations

from dataclasses import dataclass

NONE = "none"


@dataclass(frozen=True)
class MarketingAction:
    key: str  # the Experience Platform's identifier, stored on the configuration
    label: str


# The core marketing actions of Adobe Experience Platform's data governance, then a WhatsApp one of our own
# (custom actions are allowed), then "None" for transactional messages that need no marketing consent.
MARKETING_ACTIONS: tuple[MarketingAction, ...] = (
    MarketingAction("analytics", "Analytics"),
    MarketingAction("combineWithPii", "Combine with directly identifiable data"),
    MarketingAction("crossSiteTargeting", "Cross Site Targeting"),
    MarketingAction("dataScience", "Data Science"),
    MarketingAction("emailTargeting", "Email Targeting"),
    MarketingAction("exportToThirdParty", "Export to Third Party"),
    MarketingAction("onsiteAdvertising", "Onsite Advertising"),
    MarketingAction("onsitePersonalization", "Onsite Personalization"),
    MarketingAction("segmentMatch", "Segment Match"),
    MarketingAction("singleIdentityPersonalization", "Single Identity Personalization"),
    MarketingAction("whatsappMarketing", "WhatsApp Marketing"),
    MarketingAction(NONE, "None (transactional)"),
)
_BY_KEY = {action.key: action for action in MARKETING_ACTIONS}


def keys() -> list[str]:
    """Every marketing action's key, in the order the form lists them."""
    return [action.key for action in MARKETING_ACTIONS]


def exists(key: str | None) -> bool:
    """Whether `key` is a marketing action the form offers (None (transactional) included)."""
    return key is not None and key in _BY_KEY


def label_of(key: str | None) -> str:
    """The words for a stored key; an unknown key is shown as itself so nothing is hidden."""
    if key is None:
        return "Not chosen"
    action = _BY_KEY.get(key)
    return action.label if action else f"{key} (unknown)"
