"""Fixtures the prepayment tests borrow: Stripe played by a local fake, and care staff signed in with their code."""

from tests.integration.test_card_payments import gateway, stripe_fake  # noqa: F401 (fixtures)
from tests.integration.test_care_billing import agent, care  # noqa: F401 (fixtures)
