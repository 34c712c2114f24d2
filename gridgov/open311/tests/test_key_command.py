"""`gridgov open311_key issue|list|revoke`: a partner's key from the command line, shown once,
kept as a hash, audited, and refused by the endpoint once revoked."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gridgov.core.models import AuditEntry
from gridgov.grids.tests.factories import TownFactory, centre
from gridgov.open311 import keys
from gridgov.open311.models import Open311Key
from gridgov.open311.views import jurisdiction_of

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue()


def issued(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.mark.parametrize("named", ["name", "jurisdiction_id", "id"])
def test_issue_prints_the_key_once_and_keeps_its_hash(world, named):
    town_name = {"name": world.town.name, "jurisdiction_id": jurisdiction_of(world.town),
                 "id": str(world.town.pk)}[named]
    output = run("issue", town_name, "长宁区12345平台")
    raw = issued(output)
    key = Open311Key.objects.get()
    assert (key.town, key.name, key.is_active) == (world.town, "长宁区12345平台", True)
    assert key.key_hash == keys.digest(raw) and raw not in key.key_hash
    assert jurisdiction_of(world.town) in output and "只显示这一次" in output
    assert keys.authenticate(raw) == key
    entry = AuditEntry.objects.get(action="cases.open_api_key.issued")
    assert raw not in json.dumps(entry.changes)


def test_list_shows_prefixes_never_keys(world):
    raw = issued(run("issue", world.town.name, "示例市民热线"))
    other = TownFactory(name="示例外镇甲")
    run("issue", other.name, "示例别镇平台")
    listing = run("list")
    assert raw not in listing and raw[:8] in listing and "示例市民热线" in listing
    only_ours = run("list", "--town", world.town.name)
    assert "示例市民热线" in only_ours and "示例别镇平台" not in only_ours


def test_revoke_stops_the_key_at_the_endpoint_and_is_audited(client, world):
    raw = issued(run("issue", world.town.name, "示例市民热线"))
    key = Open311Key.objects.get()
    assert "已停用" in run("revoke", str(key.pk))
    assert not Open311Key.objects.get().is_active and keys.authenticate(raw) is None
    assert AuditEntry.objects.filter(action="cases.open_api_key.changed").count() == 1

    lon, lat = centre(world.grid_a1.boundary)
    response = client.post("/open311/v2/requests.json", {
        "api_key": raw, "jurisdiction_id": jurisdiction_of(world.town),
        "service_code": world.category.code, "lat": lat, "long": lon, "description": "示例"})
    assert response.status_code == 403
    assert "已经停用" in run("revoke", key.prefix)  # by prefix too; a second time changes nothing
    assert AuditEntry.objects.filter(action="cases.open_api_key.changed").count() == 1


def test_keys_are_letters_and_digits_so_a_prefix_is_never_read_as_an_option(world):
    # A prefix such as "-Xy3…" made `revoke <prefix>` fail with "arguments are required".
    raws = [keys.issue_key(Open311Key(town=world.town, name=f"示例平台{n}"), actor=None)
            for n in range(40)]
    assert all(len(raw) == 43 and raw.isascii() and raw.isalnum() for raw in raws)
    assert len(set(raws)) == len(raws)
    key = Open311Key.objects.get(prefix=raws[0][:8])
    assert "已停用" in run("revoke", key.prefix)


def test_refusals_are_clear(world):
    with pytest.raises(CommandError, match="没有找到镇/街道"):
        run("issue", "不存在镇", "示例平台")
    with pytest.raises(CommandError, match="使用方名称不能为空"):
        run("issue", world.town.name, "  ")
    with pytest.raises(CommandError, match="没有找到密钥"):
        run("revoke", "999")
    assert not Open311Key.objects.exists()
