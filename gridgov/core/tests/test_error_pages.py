"""Error pages are in Chinese and lead back into the platform, whatever failed."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import path

from gridgov.urls import urlpatterns as platform_urls


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("crafted")


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("forbidden/", _forbidden),
    path("suspicious/", _suspicious),
    path("broken/", _broken),
    *platform_urls,
]


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "gridgov.core.tests.test_error_pages"
    settings.DEBUG = False


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_a_missing_page_says_so_in_chinese_with_a_way_back(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到这个页面" in _page(response)
    assert 'href="/"' in _page(response)
    assert "Not Found" not in _page(response)


@pytest.mark.django_db
@pytest.mark.usefixtures("failing_urls")
@pytest.mark.parametrize("url, status, heading", [
    ("/forbidden/", 403, "您没有权限访问此页面"),
    ("/suspicious/", 400, "请求有误"),
    ("/broken/", 500, "系统出了点问题"),
])
def test_refusals_and_failures_answer_in_chinese(url, status, heading):
    # The 400 and 500 pages are rendered without the request's context: they must not need it.
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == status
    assert heading in _page(response)
    assert "返回首页" in _page(response)


@pytest.mark.django_db
def test_an_expired_form_says_what_to_do(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"phone": "13800000001", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in _page(response)
