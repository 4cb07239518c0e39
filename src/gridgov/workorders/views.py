"""Work-order pages: evidence photos (served only to those who may see the order)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from gridgov.workorders import evidence
from gridgov.workorders.models import Attachment
from gridgov.workorders.services import can_see


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    a = Attachment.objects.select_related("order__event").filter(pk=pk).first()
    if a is None or not can_see(request.user, a.order):
        raise Http404
    path = evidence.photo_path(a)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=a.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response
