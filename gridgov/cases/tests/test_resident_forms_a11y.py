"""The resident's forms for older residents and plain Chinese (issue 12, items 7 and 13): every
field has a label, labels end in a full-width colon where they have one, a missing answer is
named by its field (never Django's "这个字段是必填项。"), and no symbol a phone font may lack."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from gridgov.cases.models import State

pytestmark = pytest.mark.django_db

GENERIC_REQUIRED = "这个字段是必填项"
FIELD_TAGS = {"input", "select", "textarea"}
NOT_FIELDS = {"hidden", "submit", "button", "reset", "image"}


class Fields(HTMLParser):
    """The form fields of a page and the labels that name them."""

    def __init__(self):
        super().__init__()
        self.fields, self.label_for, self.open_labels, self.labels = [], set(), 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in FIELD_TAGS and attrs.get("type", "text") not in NOT_FIELDS:
            self.fields.append((attrs, self.open_labels > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [attrs.get("name", "?") for attrs, wrapped in self.fields
                if not wrapped and attrs.get("id") not in self.label_for
                and not attrs.get("aria-label") and not attrs.get("aria-labelledby")]


def fields_of(page: str) -> Fields:
    parser = Fields()
    parser.feed(page)
    return parser


def resident_pages(client, world):
    case = world.walk(world.report(world.resident), State.CLOSED)
    pages = {
        "report": client.get(reverse("cases:report")),
        "report-failed": client.post(reverse("cases:report"), {"description": ""}),
        "track": client.get(reverse("cases:track")),
        "track-failed": client.get(reverse("cases:track"), {"code": ""}),
        "track-case": client.get(reverse("cases:track_case", args=[case.tracking_code])),
        "rate-failed": client.post(reverse("cases:rate", args=[case.tracking_code]), {}),
        "login": client.get(reverse("accounts:login")),
        "login-failed": client.post(reverse("accounts:login"), {}),
        "code-failed": client.post(reverse("accounts:code_login"), {}),
    }
    return {name: response.content.decode() for name, response in pages.items()}


def test_every_field_on_the_resident_pages_has_a_label(client, world):
    for name, page in resident_pages(client, world).items():
        assert fields_of(page).unlabelled() == [], name


def test_a_missing_answer_is_named_by_its_field(client, world):
    for name, page in resident_pages(client, world).items():
        assert GENERIC_REQUIRED not in page, name
    failed = resident_pages(client, world)
    assert "请选择问题类型" in failed["report-failed"] and "请填写问题描述" in failed["report-failed"]
    assert "请输入查询码" in failed["track-failed"]
    assert "请填写满意程度" in failed["rate-failed"]
    assert "请输入手机号" in failed["login-failed"] and "请输入密码" in failed["login-failed"]
    assert "请输入短信验证码" in failed["code-failed"]


def test_labels_use_the_full_width_colon(client, world):
    for name, page in resident_pages(client, world).items():
        assert not re.search(r":\s*</label>", page), name


def test_no_symbol_a_phone_font_may_lack(client, world):
    symbols = re.compile("[\U0001F000-\U0001FFFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")
    for name, page in resident_pages(client, world).items():
        assert not symbols.search(page), (name, symbols.findall(page))
