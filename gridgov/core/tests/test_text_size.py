"""长者版: large text is one tap away on every page and stays chosen on the device."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_large_text_is_kept_for_the_next_pages(client):
    response = client.post(reverse("core:text_size"), {"size": "large", "next": "/cases/report/"})
    assert response.status_code == 302 and response["Location"] == "/cases/report/"
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="zh-hans" class="large-text">' in page
    assert "标准版" in page

    client.post(reverse("core:text_size"), {"size": "normal", "next": "/"})
    page = client.get(reverse("core:home")).content.decode()
    assert "large-text" not in page and "长者版" in page


def test_the_switch_only_goes_back_to_this_site(client):
    response = client.post(reverse("core:text_size"),
                           {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_an_unknown_size_changes_nothing(client):
    response = client.post(reverse("core:text_size"), {"size": "<huge>", "next": "/"})
    assert "gridgov_text" not in response.cookies


def test_the_switch_refuses_get(client):
    assert client.get(reverse("core:text_size")).status_code == 405
