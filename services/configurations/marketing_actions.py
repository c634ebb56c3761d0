"""Marketing actions: the consent policy that a channel configuration's messages obey."""

from __future__ import annotations

from dataclasses import dataclass

from services.graph.said import Said
from services.language.translate import LazyText, lazy

NONE = "none"


@dataclass(frozen=True)
class MarketingAction:
    key: str  # the Experience Platform's identifier, stored on the configuration
    label: LazyText  # read in the current language


# The core marketing actions of Adobe Experience Platform's data governance, then a WhatsApp one of our own
# (custom actions are allowed), then "None" for transactional messages that need no marketing consent.
MARKETING_ACTIONS: tuple[MarketingAction, ...] = (
    MarketingAction("analytics", lazy("Analytics")),
    MarketingAction("combineWithPii", lazy("Combine with directly identifiable data")),
    MarketingAction("crossSiteTargeting", lazy("Cross Site Targeting")),
    MarketingAction("dataScience", lazy("Data Science")),
    MarketingAction("emailTargeting", lazy("Email Targeting")),
    MarketingAction("exportToThirdParty", lazy("Export to Third Party")),
    MarketingAction("onsiteAdvertising", lazy("Onsite Advertising")),
    MarketingAction("onsitePersonalization", lazy("Onsite Personalization")),
    MarketingAction("segmentMatch", lazy("Segment Match")),
    MarketingAction("singleIdentityPersonalization", lazy("Single Identity Personalization")),
    MarketingAction("whatsappMarketing", lazy("WhatsApp Marketing")),
    MarketingAction(NONE, lazy("None (transactional)")),
)
_BY_KEY = {action.key: action for action in MARKETING_ACTIONS}
_NOT_CHOSEN = lazy("Not chosen").message
_UNKNOWN = lazy("{key} (unknown)").message


def keys() -> list[str]:
    """Every marketing action's key, in the order the form lists them."""
    return [action.key for action in MARKETING_ACTIONS]


def exists(key: str | None) -> bool:
    """Whether `key` is a marketing action the form offers (None (transactional) included)."""
    return key is not None and key in _BY_KEY


def label_of(key: str | None) -> str:
    """The words for a stored key; an unknown key is shown as itself so nothing is hidden."""
    return str(label_said(key))


def label_said(key: str | None) -> Said:
    """The words for a stored key, kept to be said in each reader's language."""
    if key is None:
        return Said(_NOT_CHOSEN)
    action = _BY_KEY.get(key)
    return Said(action.label.message) if action else Said(_UNKNOWN, key=key)
