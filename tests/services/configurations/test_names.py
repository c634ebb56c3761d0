import re
import string

from hypothesis import given
from hypothesis import strategies as st

from services.configurations.names import MAX_NAME_LENGTH, name_problem

SEED_RULE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
ALLOWED = string.ascii_letters + string.digits + "_.-"
# Mostly the allowed characters, with the ones people actually mistype, and any other character too.
names = st.text(alphabet=st.sampled_from(ALLOWED + " !@é#\n\t/Ü٣") | st.characters(), max_size=MAX_NAME_LENGTH + 5)


@given(names)
def test_the_validator_accepts_exactly_the_seed_rule(name: str) -> None:
    follows = SEED_RULE.fullmatch(name) is not None and len(name) <= MAX_NAME_LENGTH
    assert (name_problem(name) is None) == follows


@given(st.text(alphabet=ALLOWED, min_size=1, max_size=MAX_NAME_LENGTH - 1), st.sampled_from(string.ascii_letters))
def test_every_name_of_the_rule_is_accepted(rest: str, first: str) -> None:
    assert name_problem(first + rest) is None


def test_each_broken_part_has_its_own_sentence() -> None:
    assert name_problem("") == "Enter a name: it must start with a letter."
    assert name_problem("1promo") == "The name must start with a letter (A-Z or a-z), not '1'."
    assert name_problem("_promo") == "The name must start with a letter (A-Z or a-z), not '_'."
    assert name_problem("Épicerie") == "The name must start with a letter (A-Z or a-z), not 'É'."
    assert name_problem("spring sale!") == "The name may only hold letters, digits, _, . and -; remove a space, '!'."
    assert name_problem("a" * 121) == "The name has 121 characters; at most 120 are allowed."
    assert name_problem("a" * 120) is None
    assert name_problem("Spring_sale.2027-v2") is None
