# The case world and the media/outbox set-up of the cases tests: this app's tests build on cases.
from gridgov.cases.tests.conftest import _cases_media_and_outbox, world  # noqa: F401
