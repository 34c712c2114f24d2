"""Photos in an S3-compatible object store (GRIDGOV_MEDIA_S3_BUCKET): the storage is chosen from
the environment; photos are written privately, served only through the scoped views (streamed,
no redirect to a URL of the store) and swept through the storage API.

No S3 server runs here (MinIO is not installed): moto answers boto3's calls in the process, as
an S3-compatible store would (Aliyun OSS, Tencent COS and MinIO speak the same API)."""

import io
import runpy
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from moto import mock_aws

import gridgov.settings
from gridgov.cases.models import CasePhoto
from gridgov.cases.tests.factories import photo

BUCKET = "gridgov-media"
SETTINGS = Path(gridgov.settings.__file__)


def settings_with(monkeypatch, **environment) -> dict:
    """The settings module run afresh in this environment (the running settings untouched)."""
    for name in [n for n in __import__("os").environ if n.startswith("GRIDGOV_MEDIA_")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_the_file_system_by_default(monkeypatch, tmp_path):
    storage = settings_with(monkeypatch, MEDIA_ROOT=str(tmp_path))["STORAGES"]["default"]
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage",
                       "OPTIONS": {"location": str(tmp_path)}}


def test_an_object_store_from_the_environment_with_keys_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    storage = settings_with(
        monkeypatch, GRIDGOV_MEDIA_S3_BUCKET="town-photos",
        GRIDGOV_MEDIA_S3_ENDPOINT_URL="https://oss-cn-shanghai.aliyuncs.com",
        GRIDGOV_MEDIA_S3_REGION="oss-cn-shanghai", GRIDGOV_MEDIA_S3_ACCESS_KEY_ID="LTAI-id",
        GRIDGOV_MEDIA_S3_SECRET_ACCESS_KEY_FILE=str(secret),
        GRIDGOV_MEDIA_S3_ADDRESSING_STYLE="virtual", GRIDGOV_MEDIA_S3_PREFIX="xinjing",
    )["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "town-photos", "https://oss-cn-shanghai.aliyuncs.com", "oss-cn-shanghai")
    assert (options["access_key"], options["secret_key"]) == ("LTAI-id", "s3cr3t")
    assert (options["addressing_style"], options["location"]) == ("virtual", "xinjing")
    # Private objects, and any URL the store would give is signed and short-lived.
    assert options["default_acl"] == "private" and options["querystring_auth"] is True


def test_a_mistyped_addressing_style_stops_the_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ADDRESSING_STYLE"):
        settings_with(monkeypatch, GRIDGOV_MEDIA_S3_BUCKET="b",
                      GRIDGOV_MEDIA_S3_ADDRESSING_STYLE="virtual-host")


@pytest.fixture
def object_store(settings):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "region_name": "us-east-1",
                        "access_key": "testing", "secret_key": "testing",
                        "signature_version": "s3v4", "default_acl": "private",
                        "querystring_auth": True, "file_overwrite": False}}}
        yield client


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_photos_go_to_the_store_privately_and_out_only_through_the_scoped_views(
        client, world, object_store):
    case = world.report(photos=[photo("before.jpg")])
    picture = case.photos.get()
    assert keys(object_store) == {picture.image.name}
    grants = object_store.get_object_acl(Bucket=BUCKET, Key=picture.image.name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers, no public read
    stored = object_store.get_object(Bucket=BUCKET, Key=picture.image.name)["Body"].read()

    client.force_login(world.operator)
    response = client.get(reverse("cases:case_photo", args=[case.pk, picture.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored
    assert response["Cache-Control"] == "private, max-age=3600"
    client.force_login(world.other_operator)
    assert client.get(reverse("cases:case_photo", args=[case.pk, picture.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("cases:track_photo", args=[case.tracking_code, picture.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored
    # Whatever asks the store for a URL gets a signed one that expires within the hour.
    assert "X-Amz-Signature=" in picture.image.url and "X-Amz-Expires=3600" in picture.image.url


def test_sweep_photos_lists_and_deletes_through_the_storage_api(world, object_store):
    case = world.report(photos=[photo("a.jpg")])
    storage = CasePhoto.image.field.storage
    orphan = storage.save("cases/2026/08/crashed.jpg", ContentFile(b"x" * 2048))
    out = io.StringIO()
    call_command("sweep_photos", "--older-than", "0s", stdout=out)
    assert "2 photo files under cases/: 1 in use" in out.getvalue()
    assert keys(object_store) == {case.photos.get().image.name}
    assert orphan not in keys(object_store)
