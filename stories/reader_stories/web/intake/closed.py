"""The answer to a story sent to an article whose stories are closed (a form a browser kept
from before they were closed): a polite refusal that gives the reader their text back."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from reader_stories.web.intake.pages import Pages, form_values, plausible_slug, wants_json

STATUS = 409
MSG_CLOSED = (
    "Stories are closed on this article, so yours was not sent; the stories already there stay. "
    "Nothing was saved: copy your text if you would like to keep it."
)


def closed_answer(pages: Pages, request: Request, form: Mapping[str, str]) -> Response:
    """409, with what the reader typed shown back (JSON: the form keeps it in place)."""
    if wants_json(request):
        return pages.json({"error": MSG_CLOSED, "closed": True}, STATUS)
    values = form_values(form)
    return pages.page(
        "closed.html",
        STATUS,
        message=MSG_CLOSED,
        slug=plausible_slug(form.get("article")),
        name=values["name"],
        story=values["story"],
    )
