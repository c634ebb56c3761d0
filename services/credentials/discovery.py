"""Step 1 of a new API credential: check the token and the business ID, then find what they reach."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from services.graph.client import MAX_TOKEN_LENGTH, GraphClient, token_too_long
from services.graph.errors import BadParameter, PermissionMissing, TokenExpired, TokenInvalid
from services.graph.expiry import spoken
from services.graph.types import REQUIRED_PERMISSION, BusinessAccount, PhoneNumberHealth, TokenInfo
from services.language.translate import _, lazy
from services.store.types import utcnow

_BUSINESS_ID = re.compile(r"^[0-9]{1,32}$")
_WHITESPACE = re.compile(r"\s")
# Meta's code 190 subcodes for a token that was once good and no longer is (Graph error-handling guide).
ENDED_SUBCODES = {
    458: lazy("the app it was made for was removed from the business"),
    459: lazy("its user must log in to Facebook to clear a security checkpoint"),
    460: lazy("its user changed their password"),
    464: lazy("its user has not confirmed their account"),
    467: lazy("it was revoked (or its user logged out)"),
    492: lazy("its session is no longer valid"),
}
# What Meta says of a token it cannot even decode: a typo, a cut-off paste.
_UNREADABLE = ("cannot parse", "malformed")


class CredentialInputError(ValueError):
    """Input the console refuses before asking Meta; `field` names the input to fix."""

    def __init__(self, field: str, sentence: str) -> None:
        super().__init__(sentence)
        self.field = field
        self.sentence = sentence


class BusinessNotReachable(BadParameter):
    """The business ID does not exist, or this token reaches none of its WhatsApp Business Accounts."""

    kind = "business_not_reachable"


@dataclass(frozen=True)
class Discovery:
    """What a checked token and business ID reach (never the token itself)."""

    business_id: str
    token: TokenInfo
    accounts: tuple[BusinessAccount, ...]

    def account(self, waba_id: str) -> BusinessAccount | None:
        return next((account for account in self.accounts if account.id == waba_id), None)

    @property
    def reach(self) -> tuple[str, ...]:
        """The WABAs the token reaches: debug_token's targets and the business's own and client WABAs."""
        return tuple(dict.fromkeys([*self.token.waba_ids, *(account.id for account in self.accounts)]))


def check_input(*, token: str, business_id: str) -> tuple[str, str]:
    """The token and business ID without surrounding blanks; CredentialInputError names the first bad one."""
    token, business_id = (token or "").strip(), (business_id or "").strip()
    if not token:
        raise CredentialInputError("token", _("Paste the API token (Meta Business Suite > System users > token)."))
    if len(token) > MAX_TOKEN_LENGTH:
        raise CredentialInputError("token", str(token_too_long(len(token))))
    if _WHITESPACE.search(token):
        raise CredentialInputError("token", _("An API token has no spaces or line breaks inside; copy it again."))
    if not business_id:
        raise CredentialInputError(
            "business_id", _("Enter the business account ID (Meta Business Suite: Business info).")
        )
    # The value is never echoed back: a token pasted into the wrong field must not be shown.
    if not _BUSINESS_ID.match(business_id):
        raise CredentialInputError(
            "business_id",
            _("A business account ID is digits only (up to 32), like {example}.", example="1000000000000001"),
        )
    return token, business_id


def token_refusal(error: TokenInvalid) -> TokenInvalid:
    """Meta's refusal in words that tell a revoked token from a mistyped one (Meta's subcode and message decide)."""
    if error.subcode in ENDED_SUBCODES:
        sentence = _(
            "Meta no longer accepts this API token: {reason}, so it will not work again; create a new one in Meta "
            "Business Suite (Business settings > System users > Generate new token) and paste it here.",
            reason=ENDED_SUBCODES[error.subcode],
        )
    elif any(words in (error.meta_message or "").lower() for words in _UNREADABLE):
        sentence = _(
            "Meta cannot read this API token: it looks mistyped or cut short. Copy the whole token again from Meta "
            "Business Suite (it starts with EAA and has no spaces) and paste it here."
        )
    else:
        return error
    return TokenInvalid(
        sentence,
        code=error.code,
        subcode=error.subcode,
        http_status=error.http_status,
        fbtrace_id=error.fbtrace_id,
        meta_message=error.meta_message,
    )


def field_of(error: Exception) -> str:
    """The input a refusal is about ("token", "business_id", ...), or "" when no one field is to blame."""
    if isinstance(error, CredentialInputError):
        return error.field
    if isinstance(error, BusinessNotReachable):
        return "business_id"
    if isinstance(error, (TokenExpired, TokenInvalid, PermissionMissing)):
        return "token"
    if isinstance(error, BadParameter):
        return "business_id"
    return ""


def check_token(info: TokenInfo, *, at: datetime) -> None:
    """Refuse a token debug_token calls invalid or expired, or one without whatsapp_business_management."""
    # Meta's is_valid decides, not our clock: a skewed console clock must not refuse a token Meta accepts.
    if not info.is_valid and info.expires_at is not None and info.expires_at <= at:
        sentence = _(
            "The API token expired on {moment}; create a new one in Meta Business Suite (Business settings > "
            "System users > Generate new token) and paste it here.",
            moment=spoken(info.expires_at),
        )
        raise TokenExpired(sentence, expired_at=info.expires_at)
    if not info.is_valid:
        raise TokenInvalid(
            _(
                "Meta does not accept this API token (it was revoked, or it is mistyped); "
                "copy it again from Meta Business Suite."
            )
        )
    if not info.can_manage_whatsapp:
        raise PermissionMissing(
            _(
                "The API token lacks the {permission} permission; generate a token that includes it "
                "in Meta Business Suite (Business settings > System users).",
                permission=REQUIRED_PERMISSION,
            ),
            permission=REQUIRED_PERMISSION,
        )


def discover(*, graph: GraphClient, token: str, business_id: str, at: datetime | None = None) -> Discovery:
    """Check the input, the token (debug_token) and the business; return the WABAs to choose from."""
    token, business_id = check_input(token=token, business_id=business_id)
    try:
        info = graph.debug_token(token)
    except TokenInvalid as exc:
        raise token_refusal(exc) from None
    check_token(info, at=at or utcnow())
    try:
        accounts = graph.business_accounts(token, business_id)
    except BusinessNotReachable:
        raise
    except BadParameter as exc:
        raise BusinessNotReachable(
            _(
                "Business account ID {business_id} was not found, or this token cannot reach it; check the ID in "
                "Meta Business Suite > Business settings > Business info.",
                business_id=business_id,
            ),
            code=exc.code,
            subcode=exc.subcode,
            http_status=exc.http_status,
            fbtrace_id=exc.fbtrace_id,
        ) from None
    if not accounts:
        raise BusinessNotReachable(
            _(
                "Business account ID {business_id} has no WhatsApp Business Account this token can reach; "
                "add one in WhatsApp Manager or use a token of a system user assigned to it.",
                business_id=business_id,
            )
        )
    ordered = sorted(accounts, key=lambda account: (account.name.casefold(), account.id))
    return Discovery(business_id=business_id, token=info, accounts=tuple(ordered))


def discover_numbers(*, graph: GraphClient, token: str, waba_id: str) -> list[PhoneNumberHealth]:
    """Every phone number of the chosen WABA (all pages), by verified name; refuses a WABA without numbers."""
    numbers = graph.phone_numbers(token, waba_id)
    if not numbers:
        raise CredentialInputError(
            "waba_id",
            _(
                "WhatsApp Business Account {waba_id} has no phone numbers yet; add one in WhatsApp Manager.",
                waba_id=waba_id,
            ),
        )
    return sorted(numbers, key=lambda number: (number.verified_name.casefold(), number.display_phone_number))
