"""The Graph object a call is about, so an error can name it and say where to check its ID."""

from __future__ import annotations

from dataclasses import dataclass

from services.graph.said import Said
from services.language.translate import N_

# Each kind of object: its noun (as Journey Optimizer's credential form says it), the sentence naming one by ID,
# the sentence refusing an ID that is not digits, and where in Meta's tools the operator finds the right ID.
_KINDS = {
    "Business account": (
        N_("Business account ID {id}"),
        N_("Business account ID must contain digits only; copy it from {where}."),
        N_("Meta Business Suite > Business settings > Business info"),
    ),
    "WhatsApp Business Account": (
        N_("WhatsApp Business Account ID {id}"),
        N_("WhatsApp Business Account ID must contain digits only; copy it from {where}."),
        N_("Meta Business Suite > Business settings > Accounts > WhatsApp accounts"),
    ),
    "Phone number": (
        N_("Phone number ID {id}"),
        N_("Phone number ID must contain digits only; copy it from {where}."),
        N_("WhatsApp Manager > Account tools > Phone numbers"),
    ),
}


@dataclass(frozen=True)
class Subject:
    noun: str  # "Business account", as Journey Optimizer's credential form calls the business portfolio
    id: str
    where: str  # where in Meta's tools the operator finds the right ID (English)

    @property
    def named_said(self) -> Said:
        if self.noun not in _KINDS:
            return Said(N_("{noun} ID {id}"), noun=self.noun, id=self.id)
        return Said(_KINDS[self.noun][0], id=self.id)

    @property
    def where_said(self) -> Said:
        return Said(self.where)

    @property
    def digits_only(self) -> Said:
        """The refusal of an ID that is not digits only."""
        if self.noun not in _KINDS:
            return Said(
                N_("{noun} ID must contain digits only; copy it from {where}."), noun=self.noun, where=self.where
            )
        return Said(_KINDS[self.noun][1], where=self.where_said)

    @property
    def named(self) -> str:
        return str(self.named_said)


def business(business_id: str) -> Subject:
    """The business portfolio behind a credential."""
    return Subject("Business account", business_id, _KINDS["Business account"][2])


def whatsapp_account(waba_id: str) -> Subject:
    """A WhatsApp Business Account (WABA)."""
    return Subject("WhatsApp Business Account", waba_id, _KINDS["WhatsApp Business Account"][2])


def phone_number(phone_number_id: str) -> Subject:
    """A business phone number."""
    return Subject("Phone number", phone_number_id, _KINDS["Phone number"][2])
