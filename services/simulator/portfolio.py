"""The simulated world: businesses own WhatsApp Business Accounts (WABAs), which hold phone numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from services.simulator.schedule import Schedule


@dataclass(frozen=True)
class Business:
    id: str
    name: str
    client_waba_ids: tuple[str, ...] = ()
    timezone_id: int = 1  # Graph answers a business's timezone_id as a number, a WABA's as a string
    verification_status: str = "verified"


@dataclass(frozen=True)
class Account:
    """A WABA; `created` is its offset from the anchor (negative)."""

    id: str
    name: str
    owner_business_id: str
    created: timedelta
    currency: str = "USD"
    timezone_id: str = "1"
    country: str = "US"
    account_review_status: str = "APPROVED"
    business_verification_status: str = "VERIFIED"
    status: str = "ACTIVE"
    ownership_type: str = "SELF_OWNED"  # CLIENT_OWNED once a partner business manages it (see Portfolio)
    primary_business_location: str = "US"
    is_enabled_for_insights: bool = True
    marketing_messages_lite_api_status: str = "ELIGIBLE"
    marketing_messages_onboarding_status: str = "ELIGIBLE"
    disable_marketing_messages_on_cloud_api: bool = False

    @property
    def message_template_namespace(self) -> str:
        digest = hashlib.sha1(self.id.encode()).hexdigest()
        return f"{digest[:8]}_{digest[8:12]}_{digest[12:16]}_{digest[16:20]}_{digest[20:32]}"

    @property
    def purchase_order_number(self) -> str:
        return f"PO-{self.id[-6:]}"


@dataclass(frozen=True)
class Number:
    """A phone number; `onboarded` is its offset from the anchor (negative)."""

    id: str
    waba_id: str
    display_phone_number: str
    verified_name: str
    onboarded: timedelta
    schedule: Schedule
    name_status: str = "APPROVED"
    code_verification_status: str = "VERIFIED"
    platform_type: str = "CLOUD_API"
    account_mode: str = "LIVE"
    is_official_business_account: bool = False
    country_code: str = "US"
    is_on_biz_app: bool = False
    is_preverified_number: bool = False
    username: str | None = None

    @property
    def country_dial_code(self) -> str:
        """The digits between `+` and the first space of the display number: "+1 631-555-0101" -> "1"."""
        return self.display_phone_number.removeprefix("+").split(" ", 1)[0]


class Portfolio:
    """Immutable index of businesses, WABAs and numbers."""

    def __init__(self, businesses: Iterable[Business], accounts: Iterable[Account], numbers: Iterable[Number]) -> None:
        self.businesses = {business.id: business for business in businesses}
        managed = {waba_id for business in self.businesses.values() for waba_id in business.client_waba_ids}
        self.accounts = {
            account.id: replace(account, ownership_type="CLIENT_OWNED") if account.id in managed else account
            for account in accounts
        }
        self.numbers = {number.id: number for number in numbers}
        self._owned: dict[str, list[Account]] = {}
        for account in sorted(self.accounts.values(), key=lambda a: (a.created, a.id), reverse=True):
            self._owned.setdefault(account.owner_business_id, []).append(account)
        self._numbers_by_waba: dict[str, list[Number]] = {}
        for number in self.numbers.values():
            self._numbers_by_waba.setdefault(number.waba_id, []).append(number)
        for numbers in self._numbers_by_waba.values():
            # Meta lists phone numbers by last_onboarded_time, newest first.
            numbers.sort(key=lambda n: (n.onboarded, n.id), reverse=True)

    def merged(self, other: Portfolio) -> Portfolio:
        return Portfolio(
            [*self.businesses.values(), *other.businesses.values()],
            [*self.accounts.values(), *other.accounts.values()],
            [*self.numbers.values(), *other.numbers.values()],
        )

    def owned(self, business_id: str) -> list[Account]:
        """WABAs the business owns, newest first."""
        return list(self._owned.get(business_id, []))

    def clients(self, business_id: str) -> list[Account]:
        """Client WABAs the business manages for other businesses, newest first."""
        business = self.businesses.get(business_id)
        ids = business.client_waba_ids if business else ()
        return sorted((self.accounts[i] for i in ids), key=lambda a: (a.created, a.id), reverse=True)

    def numbers_of(self, waba_id: str) -> list[Number]:
        return self._numbers_by_waba.get(waba_id, [])

    def reach(self, business_ids: Iterable[str]) -> list[Account]:
        """Every WABA the businesses own or manage, newest first (the order of debug_token's target_ids)."""
        found: dict[str, Account] = {}
        for business_id in business_ids:
            for account in self.owned(business_id) + self.clients(business_id):
                found[account.id] = account
        return sorted(found.values(), key=lambda a: (a.created, a.id), reverse=True)
