"""The register's needs codes (ADR 0019): the industry list as shipped, and the two flags the debt path reads."""

from hearth.domain.priority import needs


def test_each_code_is_two_digits_and_listed_once():
    codes = [need.code for need in needs.NEEDS]
    assert len(codes) == len(set(codes)) == 29
    assert all(len(code) == 2 and code.isdigit() for code in codes)


def test_retired_numbers_cannot_be_chosen():
    for retired in ("05", "06", "07", "10", "11", "13", "16", "21"):
        assert retired not in needs.BY_CODE


def test_only_life_changes_post_hospital_recovery_and_a_householder_under_18_are_temporary():
    assert {need.code for need in needs.NEEDS if need.temporary} == {"32", "33", "34"}


def test_dependence_on_powered_medical_equipment_rules_out_forced_prepayment_and_winter_disconnection():
    for code in ("01", "02", "03", "04", "12", "23", "24", "25", "26"):
        need = needs.need(code)
        assert need.no_forced_prepayment, need.name
        assert need.protected_in_winter, need.name


def test_pensionable_age_is_protected_in_winter_but_leaves_prepayment_to_the_welfare_check():
    pensioner = needs.need("14")
    assert (pensioner.name, pensioner.protected_in_winter, pensioner.no_forced_prepayment) == (
        "Pensionable age",
        True,
        False,
    )


def test_language_smell_and_water_needs_bring_no_debt_protection_on_their_own():
    for code in ("17", "27", "31", "37"):
        need = needs.need(code)
        assert (need.protected_in_winter, need.no_forced_prepayment) == (False, False), need.name


def test_the_list_names_its_source_and_the_day_it_was_taken():
    assert needs.SOURCE_URL.startswith("https://www.ofgem.gov.uk/")
    assert "Appendix 6" in needs.SOURCE
    assert needs.TAKEN_ON.isoformat() == "2026-12-07"
