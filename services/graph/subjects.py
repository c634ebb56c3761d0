"""The Graph object a call is about, so an error can name it and say where to check its ID."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    noun: str  # "Business account", as Journey Optimizer's credential form calls the business portfolio
    id: str
    where: str  # where in Meta's tools the operator finds the right ID

    @property
    def named(self) -> str:
        return f"{self.noun} ID {self.id}"


def business(business_id: str) -> Subject:
    """The business portfolio behind a credential."""
    return Subject("Business account", business_id, "Meta Business Suite > Business settings > Business info")


def whatsapp_account(waba_id: str) -> Subject:
    """A WhatsApp Business Account (WABA)."""
    return Subject(
        "WhatsApp Business Account", waba_id, "Meta Business Suite > Business settings > Accounts > WhatsApp accounts"
    )


def phone_number(phone_number_id: str) -> Subject:
    """A business phone number."""
    return Subject("Phone number", phone_number_id, "WhatsApp Manager > Account tools > Phone numbers")
