"""An export of a subject-access request as a download: a server-chosen name, never cached, never sniffed."""

from django.http import HttpResponse

from hearth.data.privacy.models import SubjectAccessRequest


def export_response(request: SubjectAccessRequest) -> HttpResponse:
    with request.export.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="your-data-{request.reference}.zip"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
