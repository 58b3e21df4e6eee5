"""Finding an account's documents."""

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document


def document_of_account(*, account: Account, document_id: int) -> Document | None:
    """The document if it belongs to ``account``; None both for another account's and for one that does not exist."""
    return Document.objects.filter(pk=document_id, account=account).select_related("document_type").first()
