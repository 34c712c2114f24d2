"""Inputs declared once: what clean() accepts is what the derived form field and schema say."""

import pytest

from gridgov.core.inputs import Input, InputError, schema_for
from gridgov.core.workflow import past_tense

DAYS = Input("working_days", "int", "延期工作日", required=True, min=1, max=30,
             code="bad_working_days")
TEXT = Input("description", "text", "问题描述", required=True, min=5, max=20)


@pytest.mark.parametrize(("value", "code"), [(None, "required"), ("", "required"),
                                             (0, "bad_working_days"), (31, "bad_working_days"),
                                             ("three", "bad_working_days")])
def test_a_number_out_of_its_bounds_is_refused_with_the_field(value, code):
    with pytest.raises(InputError) as refused:
        DAYS.clean(value)
    assert (refused.value.code, refused.value.field) == (code, "working_days")


def test_the_form_field_and_the_check_agree_on_the_bounds():
    field = DAYS.form_field()
    assert (field.min_value, field.max_value, field.required) == (1, 30, True)
    assert DAYS.clean("30") == 30
    text = TEXT.form_field()
    assert (text.min_length, text.max_length) == (5, 20)
    assert TEXT.clean("  五个字正好  ") == "五个字正好"
    with pytest.raises(InputError) as refused:
        TEXT.clean("四个字啊")
    assert refused.value.code == "too_short"


def test_the_schema_documents_the_bounds_the_engine_checks():
    schema = schema_for("Sample", [DAYS, TEXT]).model_json_schema()["properties"]
    assert (schema["working_days"]["minimum"], schema["working_days"]["maximum"]) == (1, 30)
    assert schema["description"]["maxLength"] == 20


def test_an_input_declared_twice_differently_is_a_mistake():
    with pytest.raises(ValueError):
        schema_for("Clash", [DAYS, Input("working_days", "int", "天数", max=99)])


@pytest.mark.parametrize(("action", "done"), [("register", "registered"), ("verify", "verified"),
                                              ("return", "returned"), ("close", "closed"),
                                              ("self_handle", "self_handled"), ("urge", "urged")])
def test_event_names_are_the_past_tense_of_the_action(action, done):
    assert past_tense(action) == done
