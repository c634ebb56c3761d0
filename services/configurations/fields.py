"""What a channel configuration holds, and when its fields are complete and valid."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlmodel import Session, col, func, select

from services.configurations import marketing_actions
from services.configurations.names import name_problem
from services.language.formatting import number_text
from services.language.translate import _
from services.store.models import ChannelConfiguration, Credential, CredentialReach, PhoneNumber

WHATSAPP = "whatsapp"
CHANNELS = {WHATSAPP: "WhatsApp"}  # a name, shown as it is
MAX_DESCRIPTION_LENGTH = 1000
FIELDS = ("name", "description", "channel", "marketing_action", "credential_id", "sender_phone_number_id")


class ConfigurationInvalid(ValueError):
    """Fields that must be fixed: `errors` maps each field to the sentence shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ConfigurationInput:
    """The values of the form, as typed; any of them may still be missing in a draft."""

    name: str = ""
    description: str = ""
    channel: str = WHATSAPP
    marketing_action: str | None = None
    credential_id: int | None = None
    sender_phone_number_id: str | None = None

    def cleaned(self) -> ConfigurationInput:
        """The same values without the spaces around the name and the description."""
        return replace(self, name=self.name.strip(), description=self.description.strip())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConfigurationInput:
        return cls(**{key: data[key] for key in FIELDS if key in data})

    @classmethod
    def of(cls, row: ChannelConfiguration) -> ConfigurationInput:
        """The configuration's values in service (not a pending update)."""
        return cls.from_dict({key: getattr(row, key) for key in FIELDS})


def name_taken(*, session: Session, name: str, excluding_id: int | None) -> bool:
    """Whether another configuration that is not deactivated has this name (case does not matter)."""
    query = select(func.count()).select_from(ChannelConfiguration)
    query = query.where(func.lower(ChannelConfiguration.name) == name.lower())
    query = query.where(ChannelConfiguration.status != "deactivated")
    if excluding_id is not None:
        query = query.where(ChannelConfiguration.id != excluding_id)
    return session.exec(query).one() > 0


def taken_sentence(name: str) -> str:
    """What to say when the name is already used by a configuration that is not deactivated."""
    return _("Another configuration that is not deactivated is already named “{name}”; choose another name.", name=name)


def credentials(*, session: Session) -> list[Credential]:
    """Every stored API credential, by name: the choices of "WhatsApp API configuration"."""
    return list(session.exec(select(Credential).order_by(col(Credential.name), col(Credential.id))))


def sender_numbers(*, session: Session, credential_id: int | None) -> list[PhoneNumber]:
    """Numbers reachable through the credential: its own first, then those of every WABA it reaches."""
    credential = session.get(Credential, credential_id) if credential_id is not None else None
    if credential is None:
        return []
    reach = select(CredentialReach.waba_id).where(CredentialReach.credential_id == credential.id)
    wabas = {credential.waba_id, *session.exec(reach)}
    query = select(PhoneNumber).where(col(PhoneNumber.waba_id).in_(wabas))
    found = list(session.exec(query.order_by(col(PhoneNumber.waba_id), col(PhoneNumber.display_phone_number))))
    own = [number for number in found if number.id == credential.phone_number_id]
    return own + [number for number in found if number.id != credential.phone_number_id]


def name_errors(*, session: Session, name: str, configuration_id: int | None) -> dict[str, str]:
    """The name's problem with the rule, uniqueness included."""
    problem = name_problem(name)
    if problem is None and name_taken(session=session, name=name, excluding_id=configuration_id):
        problem = taken_sentence(name)
    return {"name": problem} if problem else {}


def draft_errors(*, session: Session, values: ConfigurationInput, configuration_id: int | None) -> dict[str, str]:
    """A draft may lack anything; only a name that breaks the rule, or a field too long to store, is refused."""
    errors = name_errors(session=session, name=values.name, configuration_id=configuration_id) if values.name else {}
    if problem := _description_problem(values.description):
        errors["description"] = problem
    return errors


def submit_errors(*, session: Session, values: ConfigurationInput, configuration_id: int | None) -> dict[str, str]:
    """Every field's problem, each with the sentence shown beside that field."""
    errors = name_errors(session=session, name=values.name, configuration_id=configuration_id)
    if problem := _description_problem(values.description):
        errors["description"] = problem
    if values.channel not in CHANNELS:
        errors["channel"] = _("Choose the channel WhatsApp.")
    if values.marketing_action is None:
        errors["marketing_action"] = _(
            "Choose a marketing action, or “None (transactional)” for messages that need no marketing consent."
        )
    elif not marketing_actions.exists(values.marketing_action):
        errors["marketing_action"] = _(
            "There is no marketing action “{action}”; choose one listed.", action=values.marketing_action
        )
    credential = session.get(Credential, values.credential_id) if values.credential_id is not None else None
    if values.credential_id is None:
        errors["credential_id"] = _("Choose the WhatsApp API configuration (a stored API credential) to send through.")
    elif credential is None:
        errors["credential_id"] = _("That API credential no longer exists; choose another one.")
    if values.sender_phone_number_id is None:
        errors["sender_phone_number_id"] = _("Choose the sender number.")
    elif credential is not None:
        reachable = {n.id for n in sender_numbers(session=session, credential_id=credential.id)}
        if values.sender_phone_number_id not in reachable:
            errors["sender_phone_number_id"] = _(
                "Number {number} is not reachable through API credential “{credential}”; choose one of its numbers.",
                number=values.sender_phone_number_id,
                credential=credential.name,
            )
    return errors


def _description_problem(description: str) -> str | None:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        return _description_too_long(description)
    if "\x00" in description:
        return _("The description holds a NUL character (left by a copy from another program); remove it.")
    return None


def _description_too_long(description: str) -> str:
    return _(
        "The description has {count} characters; at most {most} are allowed.",
        count=number_text(len(description)),
        most=number_text(MAX_DESCRIPTION_LENGTH),
    )
