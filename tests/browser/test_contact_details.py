"""Contact details and My data as a customer uses them at phone width: a bad postcode is said at the top and beside
the field, a good address is kept for letters, and a copy of the data is asked for; every page fits and passes
axe-core."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Customer, Fuel

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

EMAIL = "noor.hale@example.com"
PASSWORD = "Harbour42Lantern"


def test_a_customer_changes_the_address_for_letters_and_asks_for_a_copy_of_their_data_at_phone_width(
    new_page: Callable[..., Page], build: Builder
) -> None:
    customer = build.customer("Noor Hale", EMAIL)
    build.activated_login(build.account(customer, fuel=Fuel.ELECTRICITY), EMAIL, PASSWORD)
    phone = new_page("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, EMAIL, PASSWORD)
    phone.goto("/services/my-details/")
    heading(phone, "Contact details")
    phone.get_by_label("Address for letters, line 1").fill("Flat 9, 1 Quay Street")
    phone.get_by_label("Town or city").fill("Bristol")
    phone.get_by_label("Postcode").fill("NOT A CODE")
    phone.get_by_role("button", name="Save my details").click()
    expect(phone.get_by_text("Enter a real postcode, for example LS1 4AP.")).to_have_count(2)
    assert fits_width(phone), "the contact details form scrolls sideways on a phone"
    check_accessibility(phone)

    phone.get_by_label("Postcode").fill("bs1 4dj")
    phone.get_by_role("button", name="Save my details").click()
    expect(phone.get_by_text("Your details are saved.")).to_be_visible()
    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.correspondence_line_1, saved.correspondence_postcode) == ("Flat 9, 1 Quay Street", "BS1 4DJ")

    phone.goto("/services/my-data/")
    check_accessibility(phone)
    phone.get_by_role("button", name="Ask for a copy of my data").click()
    expect(phone.get_by_text("We have your request. We will e-mail you when your copy is ready.")).to_be_visible()
    assert fits_width(phone)
    check_accessibility(phone)
