"""One refusal type: its status, its JSON shape in the API and plain views, its place on a form."""

import json

import pytest
from django import forms
from django.test import RequestFactory

from gridgov.api import api
from gridgov.core.errors import Refusal, refusal_response
from gridgov.core.workflow import WorkflowError
from gridgov.grids.io.errors import ImportRefused, RowError


@pytest.mark.parametrize(("code", "status"), [
    ("required", 400), ("forbidden", 403), ("illegal_transition", 409), ("rate_limited", 429),
])
def test_the_status_follows_the_code_unless_given(code, status):
    assert Refusal(code, "不行").status == status
    assert Refusal(code, "不行", status=418).status == 418


def test_a_workflow_refusal_is_a_refusal():
    refused = WorkflowError("forbidden", "您没有权限对此执行该操作", "action")
    assert isinstance(refused, Refusal)
    assert (refused.status, refused.field) == (403, "action")


def test_the_api_answers_a_refusal_with_its_status_headers_and_one_error_shape():
    refused = Refusal("rate_limited", "请稍后再试", "reporter_phone", headers={"Retry-After": "60"})
    response = api.on_exception(RequestFactory().get("/api/cases/"), refused)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert json.loads(response.content) == {
        "errors": [{"field": "reporter_phone", "code": "rate_limited", "message": "请稍后再试"}]}


def test_an_import_refusal_lists_every_row_and_the_total():
    refused = ImportRefused([RowError(3, "name", "required", "请填写名称"),
                             RowError(2, "kind", "invalid", "类型不正确")])
    response = refusal_response(refused)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["total"] == 2
    assert [e["row"] for e in body["errors"]] == [2, 3]
    assert (refused.code, refused.field) == ("invalid", "kind")


class _Form(forms.Form):
    phone = forms.CharField(required=False)


def test_a_form_shows_the_message_on_the_named_field_else_above_the_form():
    form = _Form({})
    form.is_valid()
    Refusal("bad_phone", "请填写正确的手机号", "phone").show_on(form)
    Refusal("rate_limited", "提交过于频繁").show_on(form)
    Refusal("bad_x", "无此字段", "no_such_field").show_on(form)
    assert form.errors["phone"] == ["请填写正确的手机号"]
    assert form.non_field_errors() == ["提交过于频繁", "无此字段"]
