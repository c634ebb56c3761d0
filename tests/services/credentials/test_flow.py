import dataclasses

from services.credentials.flow import FlowPlace, from_query, to_query

PLACE = FlowPlace(
    step=2, business_id="1000000000000001", waba_id="2000000000000011", phone_number_id="3000000000000102", name="Ice"
)


def test_a_place_round_trips_through_the_address() -> None:
    query = to_query(PLACE)
    assert query == {
        "step": "2",
        "business": "1000000000000001",
        "waba": "2000000000000011",
        "number": "3000000000000102",
        "name": "Ice",
    }
    assert from_query(query) == PLACE
    assert to_query(FlowPlace(step=1)) == {"step": "1"}


def test_a_place_has_no_room_for_a_token() -> None:
    assert not [f.name for f in dataclasses.fields(FlowPlace) if "token" in f.name]


def test_an_edited_address_is_checked() -> None:
    assert from_query({}) is None
    assert from_query({"step": "3"}) is None
    assert from_query({"step": "2"}) == FlowPlace(step=1), "step 2 without a business ID starts over"
    forged = from_query({"step": "2", "business": "1000000000000001", "waba": "../x", "number": ["1", "3000"]})
    assert forged == FlowPlace(step=2, business_id="1000000000000001", phone_number_id="3000")
    assert from_query({"step": "1", "name": "x" * 500}) == FlowPlace(step=1, name="x" * 120)
