"""The Priority Services Register as people use it: a household joins at phone width (errors at the top and beside
the field), and the vulnerability team opens its health details in care; every page fits and passes axe-core."""

from collections.abc import Callable

from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.identity.models import User
from hearth.domain.identity import operations as identity_ops

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

EMAIL = "ivy.grant@example.com"
PASSWORD = "Meadow42Lantern"
HEALTH = "Home dialysis three nights a week"


def test_a_household_joins_at_phone_width_and_the_vulnerability_team_reads_its_health_details(
    new_page: Callable[..., Page], build: Builder
) -> None:
    household = build.customer("Ivy Grant", EMAIL)
    build.activated_login(build.account(household, fuel=Fuel.ELECTRICITY), EMAIL, PASSWORD)
    phone = new_page("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, EMAIL, PASSWORD)
    phone.goto("/services/priority-services/")
    heading(phone, "Priority Services Register")
    phone.get_by_label("Dialysis, feeding pump and automated medication (03)").check()
    phone.get_by_label("Anything else about your health we should know (optional)").fill(HEALTH)
    phone.get_by_role("button", name="Join the register").click()
    expect(phone.get_by_role("alert")).to_contain_text("must agree to be on the Priority Services Register")
    assert fits_width(phone), "the register's form scrolls sideways on a phone"
    check_accessibility(phone)

    phone.get_by_label("I agree to be on the Priority Services Register", exact=False).check()
    phone.get_by_role("button", name="Join the register").click()
    expect(phone.get_by_text("Thank you: you are on our Priority Services Register.")).to_be_visible()
    expect(phone.get_by_text("Dialysis, feeding pump and automated medication").first).to_be_visible()
    expect(phone.get_by_text(HEALTH)).to_have_count(0)
    assert fits_width(phone)
    check_accessibility(phone)

    device = identity_ops.create_staff_login(
        email="vulnerability@supplier.example",
        full_name="Val Team",
        password="Console4Priority9",
        now=timezone.now(),
        care_role=User.CareRole.VULNERABILITY,
    )
    desk = new_page("desk")
    desk.goto("/care/login/")
    desk.get_by_label("E-mail address").fill("vulnerability@supplier.example")
    desk.get_by_label("Password").fill("Console4Priority9")
    desk.get_by_label("Authenticator code").fill(f"{totp(bytes.fromhex(device.key)):06d}")
    desk.get_by_role("button", name="Sign in").click()
    desk.goto(f"/care/customers/{household.pk}/priority-services/")
    heading(desk, "Priority Services Register")
    check_accessibility(desk)
    desk.get_by_role("link", name="Show them").click()
    heading(desk, "Health details")
    expect(desk.get_by_text(HEALTH)).to_be_visible()
    check_accessibility(desk)
