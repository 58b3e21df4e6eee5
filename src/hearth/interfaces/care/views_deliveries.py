"""The care console's delivery pages: a document's delivery log (every e-mail and letter, its status, attempts,
the mail server's last answer and the deemed-delivery date), and resending it to a login of the account or by post.

Reached from the bill page and the account's billing page; each action is one call into
``hearth.domain.documents.delivery``, which audits it.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.documents import delivery as documents_delivery
from hearth.domain.documents import queries as documents_queries
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web import plain_forms

BY_POST = "post"
"""The resend form's value for a letter to the account's billing address."""


class ResendForm(plain_forms.PlainForm):
    """Where to send the document again: one of the account's logins, or the post."""

    to = forms.ChoiceField(label="Send a copy to", widget=forms.RadioSelect)

    def __init__(self, *args: Any, logins: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logins = {str(user.pk): user for user in logins}
        choices = [(key, f"E-mail to {user.email}, with the PDF attached") for key, user in self.logins.items()]
        choices.append((BY_POST, "Post to the billing address, in the next print batch"))
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = choices

    def recipient(self) -> User | None:
        """The login chosen, or None for the post."""
        chosen: str = self.cleaned_data["to"]
        return None if chosen == BY_POST else self.logins[chosen]


def _document_or_404(number: str, document_id: int) -> tuple[Account, Document]:
    account = care_views._found(accounts_queries.account_by_number(number=number), "No such account")
    document = documents_queries.document_of_account(account=account, document_id=document_id)
    return account, care_views._found(document, "No such document")


def _page(request: CareRequest, account: Account, document: Document, form: ResendForm) -> HttpResponse:
    context = {
        "account": account,
        "customer": account.customer,
        "document": document,
        "deliveries": documents_delivery.deliveries_of(document),
        "form": form,
    }
    return care_views._render(request, "care/documents/deliveries.html", context, status=400 if form.errors else 200)


@access.staff_required
def document_deliveries(request: CareRequest, number: str, document_id: int) -> HttpResponse:
    account, document = _document_or_404(number, document_id)
    return _page(request, account, document, ResendForm(logins=documents_delivery.resend_logins(account)))


@require_POST
@access.staff_required
def resend_document(request: CareRequest, number: str, document_id: int) -> HttpResponse:
    account, document = _document_or_404(number, document_id)
    form = ResendForm(request.POST, logins=documents_delivery.resend_logins(account))
    if not form.is_valid():
        return _page(request, account, document, form)
    try:
        delivery = documents_delivery.resend(
            document=document, user=form.recipient(), actor=request.user, now=timezone.now()
        )
    except documents_delivery.DeliveryRefused as exc:
        messages.error(request, f"{document.reference} was not resent: {exc}")
    else:
        where = "by post, in the next print batch" if delivery.user is None else f"by e-mail to {delivery.address}"
        messages.success(request, f"{document.reference} is being sent again {where}.")
    return redirect("care:document_deliveries", number=account.number, document_id=document.pk)
