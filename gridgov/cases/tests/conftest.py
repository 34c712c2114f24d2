import pytest

from gridgov.cases.tests.factories import CaseWorld


@pytest.fixture(autouse=True)
def _cases_media(settings, tmp_path):
    """Photos go to a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
    }


@pytest.fixture
def world(db):
    """A town with two communities and three grids, its departments and one user per role and
    scope (see CaseWorld), plus a second town whose staff must be refused."""
    return CaseWorld.build()
