import re
import string

from hypothesis import given
from hypothesis import strategies as st

from services.configurations.names import MAX_NAME_LENGTH, name_problem, name_problems

SEED_RULE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
ALLOWED = string.ascii_letters + string.digits + "_.-"
# Mostly the allowed characters, with the ones people actually mistype, and any other character too.
names = st.text(alphabet=st.sampled_from(ALLOWED + " !@é#\n\t/Ü٣") | st.characters(), max_size=MAX_NAME_LENGTH + 5)

START = "The name must start with a letter (A-Z or a-z), not {!r}."
TOO_LONG = "The name has {} characters; at most 120 are allowed."


@given(names)
def test_the_validator_accepts_exactly_the_seed_rule(name: str) -> None:
    follows = SEED_RULE.fullmatch(name) is not None and len(name) <= MAX_NAME_LENGTH
    assert (name_problem(name) is None) == follows
    assert (name_problems(name) == []) == follows


@given(st.text(alphabet=ALLOWED, min_size=1, max_size=MAX_NAME_LENGTH - 1), st.sampled_from(string.ascii_letters))
def test_every_name_of_the_rule_is_accepted(rest: str, first: str) -> None:
    assert name_problem(first + rest) is None


def test_each_broken_part_has_its_own_sentence() -> None:
    assert name_problems("") == ["Enter a name: it must start with a letter."]
    assert name_problems("1promo") == [START.format("1")]
    assert name_problems("_promo") == [START.format("_")]
    assert name_problems("Épicerie") == [START.format("É")]
    assert name_problems("spring sale") == ["The name may only hold letters, digits, _, . and -; remove a space."]
    assert name_problems("a" * 121) == [TOO_LONG.format(121)]
    assert name_problem("a" * 120) is None
    assert name_problem("Spring_sale.2027-v2") is None


def test_every_problem_is_reported_at_once() -> None:
    assert name_problems("9bad name!") == [
        START.format("9"),
        "The name may only hold letters, digits, _, . and -; remove a space and '!'.",
    ]
    assert name_problem("9bad name!") == " ".join(name_problems("9bad name!"))
    long_and_wrong = "9" + "b #!" * 40
    assert name_problems(long_and_wrong) == [
        START.format("9"),
        "The name may only hold letters, digits, _, . and -; remove a space, '!' and '#'.",
        TOO_LONG.format(161),
    ]


@given(names)
def test_each_kind_of_problem_is_named_whenever_the_name_has_it(name: str) -> None:
    problems = " ".join(name_problems(name))
    if name:
        assert (name[0] not in string.ascii_letters) == ("must start with a letter" in problems)
        assert any(c not in ALLOWED for c in name[1:]) == ("may only hold" in problems)
        assert (len(name) > MAX_NAME_LENGTH) == ("at most 120" in problems)
