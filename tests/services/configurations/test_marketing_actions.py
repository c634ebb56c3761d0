from services.configurations import marketing_actions


def test_the_core_actions_a_whatsapp_one_and_none_are_offered() -> None:
    labels = [action.label for action in marketing_actions.MARKETING_ACTIONS]
    assert labels[:10] == [
        "Analytics",
        "Combine with directly identifiable data",
        "Cross Site Targeting",
        "Data Science",
        "Email Targeting",
        "Export to Third Party",
        "Onsite Advertising",
        "Onsite Personalization",
        "Segment Match",
        "Single Identity Personalization",
    ]
    assert labels[10:] == ["WhatsApp Marketing", "None (transactional)"]
    assert len(set(marketing_actions.keys())) == len(labels)


def test_existence_and_labels() -> None:
    assert marketing_actions.exists("whatsappMarketing")
    assert marketing_actions.exists(marketing_actions.NONE)
    assert not marketing_actions.exists("smsTargeting")
    assert not marketing_actions.exists(None)
    assert marketing_actions.label_of("none") == "None (transactional)"
    assert marketing_actions.label_of("smsTargeting") == "smsTargeting (unknown)"
    assert marketing_actions.label_of(None) == "Not chosen"
