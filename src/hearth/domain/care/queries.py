"""Read care's work queues."""

from django.db.models import QuerySet

from hearth.data.accounts.models import Customer
from hearth.data.care.models import Case, LoginDetailsRequest


def open_login_details_requests() -> QuerySet[LoginDetailsRequest]:
    return LoginDetailsRequest.objects.filter(status=LoginDetailsRequest.Status.OPEN).order_by("received_at", "id")


def cases(*, status: Case.Status | None = None) -> QuerySet[Case]:
    found = Case.objects.select_related("raised_by", "account")
    if status is not None:
        found = found.filter(status=status)
    return found.order_by("-raised_at", "-id")


def cases_for_customer(*, customer: Customer) -> QuerySet[Case]:
    return Case.objects.filter(account__customer=customer).select_related("raised_by").order_by("-raised_at", "-id")


def case_by_id(*, case_id: int) -> Case | None:
    return Case.objects.filter(pk=case_id).select_related("raised_by", "account__customer").first()


def login_details_request_by_id(*, request_id: int) -> LoginDetailsRequest | None:
    return LoginDetailsRequest.objects.filter(pk=request_id).select_related("account").first()
