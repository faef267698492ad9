"""How the intake answers: HTML pages for the no-JS form, JSON for stories.js, the same words.

Every answer goes through ``Pages`` so each one carries the same security headers, and every
template is rendered by the one autoescaping environment: reader text is never echoed raw.

No answer puts a receipt into an address: the thank-you page gets it from a cookie, stories.js
from the JSON body. Only the links in emails (and the one a reader keeps) carry one, so pages
send no Referer, and the page such a link opens never hands its address on (the refilled form
alone keeps the browsers' default: see ``invalid``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from reader_stories.config import Site
from reader_stories.models import Submission
from reader_stories.pages.templates import environment
from reader_stories.store.helpful import HelpfulMark
from reader_stories.threads import Thread
from reader_stories.validation import SLUG_RE, is_ticked
from reader_stories.web.body import JSON_TYPE
from reader_stories.web.errors import Refused

# Form fields in page order: the error summary lists problems in the order the reader meets them.
FIELD_ORDER = ("article", "name", "email", "notify", "reply_to", "story", "consent")
TEXT_FIELDS = ("name", "email", "reply_to", "story")
CHECKBOXES = ("notify", "consent")
MSG_ACCEPTED = "Thank you! Your story will appear once a moderator has read it."
MSG_INVALID = "Please fix the problems marked in the form and send your story again."
MSG_PREVIEW = "This is how your story will look. Nothing has been sent yet."
TITLES = {
    400: "We could not read the form",
    403: "This form cannot be sent from here",
    404: "Page not found",
    405: "Stories are sent from the form on an article",
    408: "The form took too long to arrive",
    409: "We already have this story",
    410: "This story was already deleted",
    413: "Your story is too long to send",
    415: "The form was sent in a format we do not accept",
    429: "Please wait before sending another story",
    500: "Something went wrong on our side",
    503: "Stories are paused for a moment",
}
_RECEIPT_RE = re.compile(r"[A-Za-z0-9_.-]{10,200}")


@dataclass(frozen=True)
class PreviewStory:
    """What the story template reads of a story, for one that is not stored yet."""

    name: str
    body_html: str
    created: datetime
    id: str = "preview-1"
    edited: bool = False
    author_reply: bool = False


@dataclass(frozen=True)
class FormArticle:
    """All the story form macro needs of an article; the intake knows only the slug."""

    slug: str


def plausible_slug(text: str | None) -> str:
    """The slug if it could be an article's, else "": never put anything else into a link."""
    return text if text and SLUG_RE.fullmatch(text) else ""


def plausible_receipt(text: str | None) -> str:
    """A receipt token's shape (URL-safe base64 and dots), or "" so nothing odd is reflected."""
    return text if text and _RECEIPT_RE.fullmatch(text) else ""


def intake_root(request: Request) -> str:
    """Where the intake is mounted (/stories), for links back into it."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def wants_json(request: Request) -> bool:
    """stories.js posts JSON and asks for JSON; browsers and everyone else get HTML pages."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == JSON_TYPE:
        return True
    accept = request.headers.get("accept", "").lower()
    return JSON_TYPE in accept and "text/html" not in accept


def wait_text(seconds: int) -> str:
    """Retry-After in words a reader can use: '45 seconds', '10 minutes', '2 hours'."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{-(-minutes // 60)} hours"


def form_values(form: Mapping[str, str]) -> dict[str, str]:
    """What the reader typed, to refill the form; checkboxes as the macro expects them."""
    values = {name: form.get(name, "") for name in TEXT_FIELDS}
    values.update({name: "yes" if is_ticked(form, name) else "" for name in CHECKBOXES})
    return values


def field_messages(grouped: Mapping[str, list[str]]) -> dict[str, str]:
    """One message per field (several joined), in page order, for the macro and for JSON."""
    ordered = sorted(grouped, key=lambda f: FIELD_ORDER.index(f) if f in FIELD_ORDER else 99)
    return {field: ". ".join(grouped[field]) for field in ordered}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(site: Site) -> str:
    """No scripts at all on intake pages; styles from the site, forms back to the intake."""
    styles = " ".join(filter(None, ["'self'", _origin(site.link_root)]))
    forms = " ".join(filter(None, ["'self'", _origin(site.form_action)]))
    return (
        f"default-src 'none'; style-src {styles}; img-src 'self' data:; "
        f"form-action {forms}; base-uri 'none'; frame-ancestors 'none'"
    )


class Pages:
    """Renders every answer of the intake, as a page or as JSON depending on the request."""

    def __init__(self, site: Site) -> None:
        self.env = environment(site.templates)
        self.site = site
        self.common = {
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        self.csp = content_security_policy(site)

    def page(
        self, template: str, code: int, headers: Mapping[str, str] | None = None, **context: Any
    ) -> HTMLResponse:
        html = self.env.get_template(f"stories/intake/{template}").render(
            site=self.site, site_root=self.site.link_root, sitename=self.site.sitename, **context
        )
        extra = {**self.common, "Content-Security-Policy": self.csp, **(headers or {})}
        return HTMLResponse(html, code, headers=extra)

    def json(
        self, payload: dict[str, Any], status: int, headers: Mapping[str, str] | None = None
    ) -> JSONResponse:
        return JSONResponse(payload, status, headers={**self.common, **(headers or {})})

    def refused(self, request: Request, refusal: Refused, article: str | None = None) -> Response:
        """An error answer; the page links back to the article when the slug is plausible."""
        if wants_json(request):
            payload: dict[str, Any] = {"error": refusal.message}
            if refusal.retry_after is not None:
                payload["retry_after"] = refusal.retry_after
            return self.json(payload, refusal.status, refusal.headers)
        return self.page(
            "error.html",
            refusal.status,
            refusal.headers,
            status=refusal.status,
            title=refusal.title or TITLES.get(refusal.status, "Your story could not be sent"),
            message=refusal.message,
            slug=plausible_slug(article),
        )

    def accepted(self, request: Request, slug: str, receipt: str) -> Response:
        """202 for stories.js; for the plain form, 303 to the thank-you page (no double posts).

        stories.js gets the receipt in the body, with the address to POST it to to delete the
        story; the plain form's receipt follows the 303 in a cookie (see receipts.py), never in
        the Location, which proxies log and the next page would send on as its Referer.
        """
        root = intake_root(request)
        if wants_json(request):
            payload = {
                "status": "pending",
                "message": MSG_ACCEPTED,
                "receipt": receipt,
                "delete_url": f"{self.site.intake_base}/delete",
            }
            return self.json(payload, 202)
        location = f"{root}/received?article={quote(slug)}"
        return Response(status_code=303, headers={**self.common, "Location": location})

    def invalid(
        self,
        request: Request,
        form: Mapping[str, str],
        errors: dict[str, str],
        threads: list[Thread],
        token: str,
    ) -> Response:
        """422 with every problem; the page refills the form so nothing typed is lost (its
        address, the intake's root, carries nothing private)."""
        if wants_json(request):
            return self.json({"error": MSG_INVALID, "errors": errors}, 422)
        return self._refilled("invalid.html", 422, form, threads, token, errors=errors)

    def _refilled(
        self,
        template: str,
        status: int,
        form: Mapping[str, str],
        threads: list[Thread],
        token: str,
        **context: Any,
    ) -> HTMLResponse:
        """A page with the story form refilled with what the reader typed. Its form posts a
        story, and a browser sends "Origin: null" from a page without referrers, which the
        origin check refuses: such pages have the browsers' default policy."""
        slug = plausible_slug(form.get("article"))
        return self.page(
            template,
            status,
            {"Referrer-Policy": "strict-origin-when-cross-origin"},
            article=FormArticle(slug),
            threads=threads,
            token=token,
            values=form_values(form),
            slug=slug,
            **context,
        )

    def preview(
        self,
        request: Request,
        form: Mapping[str, str],
        submission: Submission,
        threads: list[Thread],
        token: str,
    ) -> Response:
        """The story as the article will show it, rendered by the same template and sanitiser;
        nothing is stored. stories.js gets the HTML to put in place; the plain form gets a page
        with the form refilled."""
        story = PreviewStory(submission.name, submission.body_html, datetime.now(UTC))
        html = self.env.get_template("stories/preview_story.html").render(story=story)
        if wants_json(request):
            return self.json({"status": "preview", "message": MSG_PREVIEW, "html": html}, 200)
        return self._refilled("preview.html", 200, form, threads, token, preview=html)

    def helped(
        self, request: Request, marked: HelpfulMark, story_id: int, message: str
    ) -> Response:
        """A press of "This helped me" counted (or already counted for this network)."""
        if wants_json(request):
            payload = {"counted": marked.counted, "count": marked.count, "message": message}
            return self.json(payload, 200)
        return self.page(
            "helped.html",
            200,
            message=message,
            back=f"{self.site.article_href(marked.article)}#story-{story_id}",
        )

    def received(self, request: Request, receipt: str) -> Response:
        """The thank-you page; with the receipt it brought along, the ways to delete the story."""
        return self.page(
            "received.html",
            200,
            slug=plausible_slug(request.query_params.get("article")),
            receipt=plausible_receipt(receipt),
            intake_root=intake_root(request),
        )
