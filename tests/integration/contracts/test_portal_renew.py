"""The portal's one-click renewal: choices for the selected account's own fixed contract, renewing for its holder
only, behind CSRF."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink
from hearth.data.tariffs.models import Product
from tests.integration.conftest import PASSWORD, Builder, sign_in
from tests.integration.contracts.renewal_support import on_fixed_contract, product_tariff, standard_variable
from tests.integration.payments.account_support import (  # noqa: F401  (documents_in_tmp is a fixture)
    at,
    documents_in_tmp_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

URL = "/services/contract/renew/"
TODAY = date(2027, 4, 2)


@pytest.fixture(name="renewing")
def renewing_fixture(time_machine) -> tuple[Contract, Product]:
    time_machine.move_to(at(TODAY), tick=False)
    standard_variable()
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED),
        last_fixed_day=date(2027, 5, 19),
        by_email=True,
        email="holder@x.example",
    )
    offer = product_tariff(kind=Product.Kind.FIXED, pence_per_kwh="21", exit_fee="60")
    return contract, offer.product


def test_the_holder_sees_the_choices_and_renews_in_one_click(client: Client, renewing) -> None:
    contract, product = renewing
    assert sign_in(client, "holder@x.example", PASSWORD).status_code == 302

    page = client.get(URL).content.decode()
    assert "19 May 2027" in page
    assert product.display_name in page
    assert "22.05p per kWh" in page  # 21p before VAT, with 5 % VAT
    assert "£60.00 if you leave early" in page
    assert "Hearth Standard Variable" in page

    response = client.post(URL, {"product": product.code}, follow=True)

    renewal = Contract.objects.get(account=contract.account, state=Contract.State.PENDING)
    assert (renewal.product_id, renewal.origin, renewal.channel) == (product.pk, "RENEWAL", "WEB")
    assert f"You have renewed onto {product.display_name} from 20 May 2027" in response.content.decode()
    assert client.post(URL, {"product": product.code}).status_code == 400  # a second renewal has nothing to choose
    assert Contract.objects.filter(account=contract.account, state=Contract.State.PENDING).count() == 1


@pytest.mark.usefixtures("renewing")
def test_a_product_not_offered_is_refused(client: Client) -> None:
    sign_in(client, "holder@x.example", PASSWORD)
    variable = Product.objects.get(is_standard_variable=True)

    response = client.post(URL, {"product": variable.code})

    assert response.status_code == 400
    assert "Choose one of the tariffs below" in response.content.decode()
    assert not Contract.objects.filter(state=Contract.State.PENDING).exists()


def test_a_viewer_sees_the_choices_but_cannot_renew(client: Client, renewing) -> None:
    contract, product = renewing
    Builder().activated_login("viewer@x.example", contract.account, role=AccountLink.Role.VIEWER)
    sign_in(client, "viewer@x.example", PASSWORD)

    page = client.get(URL).content.decode()
    assert "Only the account holder can renew" in page
    assert client.post(URL, {"product": product.code}).status_code == 403
    assert not Contract.objects.filter(state=Contract.State.PENDING).exists()


def test_renewing_needs_the_csrf_token(renewing) -> None:
    _, product = renewing
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, "holder@x.example", PASSWORD)

    assert strict.post(URL, {"product": product.code}).status_code == 403
    assert not Contract.objects.filter(state=Contract.State.PENDING).exists()


def test_another_customer_sees_only_their_own_contract(client: Client, renewing) -> None:
    contract, product = renewing
    other = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2027, 12, 31), by_email=True, email="o@x.example"
    )
    sign_in(client, "o@x.example", PASSWORD)

    page = client.get(URL).content.decode()
    assert "31 December 2027" in page
    assert "19 May 2027" not in page
    client.post(URL, {"product": product.code})
    assert not Contract.objects.filter(account=contract.account, state=Contract.State.PENDING).exists()
    assert Contract.objects.get(account=other.account, state=Contract.State.PENDING).product_id == product.pk


def test_the_choices_cost_the_same_queries_however_many_fixed_products_are_on_sale(client: Client, renewing) -> None:
    """How the account pays, its supply points and every offer's prices are read once (ADR 0028), not per offer."""
    sign_in(client, "holder@x.example", PASSWORD)
    client.get(URL)  # the session's once-a-minute save happens here, not in the counts below
    with CaptureQueriesContext(connection) as two_offers:
        first = client.get(URL).content.decode()
    more = [product_tariff(kind=Product.Kind.FIXED, pence_per_kwh=str(22 + n)).product for n in range(3)]
    with CaptureQueriesContext(connection) as five_offers:
        then = client.get(URL).content.decode()

    assert all(product.display_name not in first and product.display_name in then for product in more)
    # Each product costs its own tariff lookup for the supply point; its prices and the rest are read with the others.
    assert len(five_offers) == len(two_offers) + len(more)
    # The contracts, how it pays, its points, what fits them (agreements; meters with registers), the products on
    # sale, their prices, the rollover's product and tariff, and the page's own reads: 18 before ADR 0028's second pass.
    assert len(two_offers) <= 14
