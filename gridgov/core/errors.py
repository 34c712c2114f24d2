"""One refusal for every part of the platform.

A write, a lookup or a parser that turns a request down raises `Refusal(code, message, field)`:
`code` is for machines, `message` for people (Chinese), `field` names the input to correct ("" for
the request as a whole). Pages show the message on that field (`show_on(form)`); the API and the
JSON endpoints answer `{"errors": [{"field", "code", "message"}]}` with the refusal's status.
"""

from django.http import JsonResponse

# The HTTP status a refusal answers with, by its code; any other code is a 400.
STATUS_BY_CODE = {
    "forbidden": 403,
    "illegal_transition": 409,
    "throttled": 429,
    "rate_limited": 429,
}


class Refusal(Exception):
    """Turned down for a reason the person can read and, mostly, correct."""

    def __init__(self, code: str, message, field: str = "", *, status: int | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.field = field
        self.status = status or STATUS_BY_CODE.get(code, 400)
        self.headers = headers or {}

    def items(self) -> list[dict]:
        """The entries of the response's "errors" list."""
        return [{"field": self.field, "code": self.code, "message": self.message}]

    def body(self) -> dict:
        return {"errors": self.items()}

    def show_on(self, form) -> None:
        """On the form field the refusal names, else above the form."""
        form.add_error(self.field if self.field in form.fields else None, self.message)


def refusal_response(refusal: Refusal) -> JsonResponse:
    """A refusal as a plain JSON view's answer (the API's handler gives the same body)."""
    response = JsonResponse(refusal.body(), status=refusal.status)
    for name, value in refusal.headers.items():
        response[name] = value
    return response
