"""Payment methods: which an account's arrangement may hold under its tariff (T&C 9.2) and what each one means.

A product sells under coarser payment methods (``tariffs.PaymentMethod``) than an account holds (T&C 9.1's seven):
standard, seasonal and initial Direct Debit are all "monthly Direct Debit"; annual Direct Debit and the annual card
payment are both "paid annually in advance" (ADR 0011).
"""

from typing import Final

from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import PaymentMethod as TariffPaymentMethod
from hearth.data.tariffs.models import Product

Method = PaymentArrangement.Method

TARIFF_METHOD: Final = {
    Method.STANDARD_DIRECT_DEBIT: TariffPaymentMethod.DIRECT_DEBIT,
    Method.SEASONAL_DIRECT_DEBIT: TariffPaymentMethod.DIRECT_DEBIT,
    Method.INITIAL_DIRECT_DEBIT: TariffPaymentMethod.DIRECT_DEBIT,
    Method.ANNUAL_DIRECT_DEBIT: TariffPaymentMethod.ANNUAL_DIRECT_DEBIT,
    Method.ANNUAL_CARD: TariffPaymentMethod.ANNUAL_DIRECT_DEBIT,
    Method.PREPAYMENT: TariffPaymentMethod.PREPAYMENT,
    Method.STANDARD_CREDIT: TariffPaymentMethod.STANDARD_CREDIT,
}
"""The tariff payment method each arrangement method pays under."""

DIRECT_DEBIT_METHODS: Final = frozenset(
    {
        Method.STANDARD_DIRECT_DEBIT,
        Method.SEASONAL_DIRECT_DEBIT,
        Method.INITIAL_DIRECT_DEBIT,
        Method.ANNUAL_DIRECT_DEBIT,
    }
)
"""Methods that collect through a Direct Debit mandate."""

MONTHLY_METHODS: Final = frozenset(
    {Method.STANDARD_DIRECT_DEBIT, Method.SEASONAL_DIRECT_DEBIT, Method.INITIAL_DIRECT_DEBIT}
)
"""Methods with a monthly amount (the one kept back from a refund, T&C 12.2)."""

ANNUAL_METHODS: Final = frozenset({Method.ANNUAL_DIRECT_DEBIT, Method.ANNUAL_CARD})

DEFAULT_METHOD: Final = Method.STANDARD_CREDIT
"""An account with no arrangement pays on receipt of its bills (deemed contracts, T&C 9.3)."""


def suits_tariff(method: str, tariff_method: str) -> bool:
    """Whether paying by ``method`` meets a tariff sold for ``tariff_method`` (T&C 9.2)."""
    return TARIFF_METHOD[Method(method)] == tariff_method


def product_methods(product: Product) -> list[str]:
    """The tariff payment methods ``product`` is sold for; a product naming none allows every one."""
    return list(product.payment_methods) or list(TariffPaymentMethod.values)


def product_allows(product: Product, method: str) -> bool:
    """Whether an account paying by ``method`` meets ``product``'s payment rule (T&C 9.2)."""
    return any(suits_tariff(method, tariff_method) for tariff_method in product_methods(product))
