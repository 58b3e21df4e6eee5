"""The register shared with network operators (SLC 26; ADR 0019): consented entries only, one file a day per
operator with the changes since its last, needs codes but never health details, a manifest; idempotent."""

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from hearth.data.priority.models import NetworkShareFile, NetworkShareLine
from hearth.data.scheduling.models import JobRunItem
from hearth.domain.priority import network_share
from hearth.domain.priority import operations as priority_ops
from hearth.domain.scheduling import operations as scheduling_ops
from tests.integration.priority.support import HEALTH_TEXT, NOW, VISIT_PASSWORD, register

pytestmark = pytest.mark.django_db


def _run(day: date) -> list[str]:
    """Run the daily job for ``day``; the messages it reported."""
    run = scheduling_ops.run_job(
        job=network_share.NETWORK_SHARE, day=day, now=NOW + timedelta(days=(day - NOW.date()).days), started_by="test"
    )
    return [item.message for item in JobRunItem.objects.filter(run=run).order_by("id")]


def _lines(share_file: NetworkShareFile) -> list[str]:
    return network_share.file_bytes(share_file).decode().splitlines()


def _share_dir() -> Path:
    return Path(settings.HEARTH_PRIORITY_SHARE_DIR)


def test_only_households_that_agreed_to_sharing_are_sent(household, build):
    register(household.customer, ["14"], share=False)
    other = build.site(
        name="Ola Other", email="ola@example.com", postcode="LS2 9JT", electricity_meter="CREDIT", gas_meter="CREDIT"
    )
    register(other.customer, ["26"], share=True)
    _run(NOW.date())
    shared = {line.registration.customer_id for line in NetworkShareLine.objects.select_related("registration")}
    assert shared == {other.customer.pk}


def test_each_supply_point_goes_to_its_own_operator_with_needs_codes_and_no_health_details(household):
    register(household.customer, ["03", "33"], until={"33": date(2027, 1, 31)})
    messages = _run(NOW.date())
    mpan = household.electricity_meter.supply_point.identifier
    mprn = household.gas_meter.supply_point.identifier
    electricity = NetworkShareFile.objects.get(distributor="23")  # the fixture's MPANs are distributor 23's
    gas = NetworkShareFile.objects.get(distributor="GAS")
    assert electricity.name == "PSR_23_20261207_000001.psr"
    home = household.electricity.billing_property
    assert _lines(electricity) == [
        "HDR|PSR-SHARE|1|Hearth Energy|23|1|20261207100000|",
        f"PSR|ADD|{mpan}|{household.customer.pk}|Jo Bloggs|{home.address_line_1}|LS1 4AP|03;33|33:20270131||20261207|",
        "TRL|1|",
    ]
    gas_home = household.gas.billing_property
    gas_line = f"PSR|ADD|{mprn}|{household.customer.pk}|Jo Bloggs|{gas_home.address_line_1}|LS1 4AP|"
    assert _lines(gas)[1] == f"{gas_line}03;33|33:20270131||20261207|"
    for share_file in (electricity, gas):
        text = network_share.file_bytes(share_file).decode()
        assert HEALTH_TEXT not in text
        assert VISIT_PASSWORD not in text
    assert sorted(messages) == ["PSR_23_20261207_000001.psr: 1 change(s)", "PSR_GAS_20261207_000001.psr: 1 change(s)"]


def test_a_second_run_of_the_day_sends_nothing_again(household):
    register(household.customer, ["14"])
    _run(NOW.date())
    files = list(NetworkShareFile.objects.values_list("name", "sha256"))
    assert _run(NOW.date()) == []
    assert list(NetworkShareFile.objects.values_list("name", "sha256")) == files
    assert NetworkShareLine.objects.count() == 2


def test_a_change_made_after_the_days_file_waits_for_the_next_days_file_as_an_update(household):
    register(household.customer, ["14"])
    _run(NOW.date())
    register(household.customer, ["14", "22"])
    assert _run(NOW.date()) == [
        "1 change(s) wait for tomorrow's file: today's is already sent",
        "1 change(s) wait for tomorrow's file: today's is already sent",
    ]
    _run(NOW.date() + timedelta(days=1))
    second = NetworkShareFile.objects.get(distributor="23", sequence=2)
    assert (second.name, second.run_date) == ("PSR_23_20261208_000002.psr", date(2026, 12, 8))
    [line] = _lines(second)[1:-1]
    assert line.startswith(f"PSR|UPDATE|{household.electricity_meter.supply_point.identifier}|")
    assert "|14;22|" in line


def test_leaving_the_register_or_withdrawing_consent_to_share_removes_the_entry(household, build):
    register(household.customer, ["14"])
    other = build.site(
        name="Ola Other", email="ola@example.com", postcode="LS2 9JT", electricity_meter="CREDIT", gas_meter="CREDIT"
    )
    register(other.customer, ["26"])
    _run(NOW.date())
    priority_ops.end_registration(customer=household.customer, reason="Asked to leave", actor=None, now=NOW)
    register(other.customer, ["26"], share=False)
    _run(NOW.date() + timedelta(days=1))
    second = NetworkShareFile.objects.get(distributor="23", sequence=2)
    removed = _lines(second)[1:-1]
    assert removed == [
        f"PSR|REMOVE|{household.electricity_meter.supply_point.identifier}|{household.customer.pk}||||||||",
        f"PSR|REMOVE|{other.electricity_meter.supply_point.identifier}|{other.customer.pk}||||||||",
    ]
    assert _lines(second)[-1] == "TRL|2|"
    assert _run(NOW.date() + timedelta(days=2)) == []


def test_the_manifest_lists_every_file_with_its_sha256(household):
    register(household.customer, ["14"])
    _run(NOW.date())
    manifest = (_share_dir() / "manifest.csv").read_text().splitlines()
    assert manifest[0] == "file,distributor,run_date,sequence,lines,sha256,created_at"
    rows = {row.split(",")[0]: row.split(",") for row in manifest[1:]}
    for share_file in NetworkShareFile.objects.all():
        row = rows[f"{share_file.distributor}/{share_file.name}"]
        on_disk = (_share_dir() / share_file.distributor / share_file.name).read_bytes()
        assert row[5] == share_file.sha256 == hashlib.sha256(on_disk).hexdigest()


def test_a_file_changed_after_it_was_written_is_not_served_as_sent(household):
    register(household.customer, ["14"])
    _run(NOW.date())
    share_file = NetworkShareFile.objects.get(distributor="23")
    path = _share_dir() / "23" / share_file.name
    path.write_text(path.read_text().replace("14", "99"))
    with pytest.raises(network_share.ShareFileMissing, match="has changed"):
        network_share.file_bytes(share_file)
