"""Many volunteers signing up for one activity at the same moment: never more confirmed than the
capacity, the rest on the waiting list up to its limit, the others refused — on the SQLite file
(IMMEDIATE transactions) and on PostgreSQL (the activity's row lock) alike, each thread on its
own connection (live_db)."""

import pytest
from django.db import IntegrityError, transaction

from gridgov.core.errors import Refusal
from gridgov.core.tests.concurrency import race
from gridgov.volunteers import actions
from gridgov.volunteers.models import Activity, Signup
from gridgov.volunteers.tests.factories import World


def test_concurrent_signups_never_overbook(live_db):
    world = World.build()
    activity = world.activity(capacity=4, waitlist_limit=3)
    people = world.volunteers(12)
    outcomes = race(*[lambda v=v: actions.sign_up(Activity.objects.get(pk=activity.pk),
                                                 actor=v.user) for v in people])
    signed = [o for o in outcomes if isinstance(o, Signup)]
    refused = [o for o in outcomes if isinstance(o, Refusal)]
    assert len(signed) + len(refused) == 12, outcomes
    assert {r.code for r in refused} == {"full"}
    activity.refresh_from_db()
    assert Signup.objects.filter(activity=activity, state="confirmed").count() == 4
    assert Signup.objects.filter(activity=activity, state="waiting").count() == 3
    assert (activity.confirmed_count, activity.waiting_count) == (4, 3)


def test_one_volunteer_signing_up_twice_at_once_gets_one_place(live_db):
    world = World.build()
    activity = world.activity(capacity=4)
    volunteer = world.volunteer()
    outcomes = race(*[lambda: actions.sign_up(Activity.objects.get(pk=activity.pk),
                                              actor=volunteer.user) for _ in range(4)])
    assert sum(isinstance(o, Signup) for o in outcomes) == 1, outcomes
    assert all(o.code == "already_signed_up" for o in outcomes if isinstance(o, Refusal))
    activity.refresh_from_db()
    assert activity.confirmed_count == 1


def test_cancelling_and_signing_up_at_once_keeps_the_counts_true(live_db):
    world = World.build()
    activity = world.activity(capacity=2, waitlist_limit=5)
    first, second = (world.signed_up(activity) for _ in range(2))
    queued = world.signed_up(activity)
    newcomers = world.volunteers(3)
    outcomes = race(
        lambda: actions.act(Signup.objects.get(pk=first.pk), "cancel",
                            actor=first.volunteer.user),
        *[lambda v=v: actions.sign_up(Activity.objects.get(pk=activity.pk), actor=v.user)
          for v in newcomers])
    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Refusal)]
    activity.refresh_from_db()
    confirmed = Signup.objects.filter(activity=activity, state="confirmed")
    assert confirmed.count() == activity.confirmed_count == 2
    # The first on the waiting list got the freed place, not a newcomer.
    assert set(confirmed.values_list("pk", flat=True)) == {second.pk, queued.pk}
    assert Signup.objects.filter(activity=activity, state="waiting").count() == \
        activity.waiting_count == 3


def test_the_database_refuses_an_overbooking_whatever_the_code(db):
    world = World.build()
    activity = world.activity(capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(confirmed_count=2)
