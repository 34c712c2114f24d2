# The case world and the media set-up of the cases tests: this app's tests build on cases.
from gridgov.cases.tests.conftest import _cases_media, world  # noqa: F401
