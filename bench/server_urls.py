"""The product's URLs, plus /bench/ceiling/: a bare Django view that stores one row.

The ceiling of intake over HTTP: the same server, the same middleware and the same database,
doing the least a write can do — parse the posted form, insert one row in a transaction, answer
with a redirect as the report form does. Whatever the product's intake costs beyond this is its
own work (checks, grid lookup, case number, case row, event, audit entry, notification).
"""

from django.db import connection, transaction
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gridgov.urls import urlpatterns as product_urlpatterns

TABLE = "bench_ceiling_row"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id {'BIGSERIAL' if connection.vendor == 'postgresql' else 'INTEGER'} "
            "PRIMARY KEY, description TEXT NOT NULL, longitude DOUBLE PRECISION NOT NULL, "
            "latitude DOUBLE PRECISION NOT NULL)"
        )


def insert_row(cursor, description: str, longitude: float, latitude: float) -> None:
    """The one row the ceiling stores (bench/intake_profile.py writes it on another connection
    too, as a second worker would)."""
    cursor.execute(
        f"INSERT INTO {TABLE} (description, longitude, latitude) VALUES (%s, %s, %s)",
        [description, longitude, latitude],
    )


@csrf_exempt
@require_POST
def ceiling(request):
    with transaction.atomic(), connection.cursor() as cursor:
        insert_row(cursor, request.POST["description"], float(request.POST["longitude"]),
                   float(request.POST["latitude"]))
    return HttpResponseRedirect("/bench/ceiling/")


urlpatterns = [*product_urlpatterns, path("bench/ceiling/", ceiling)]
