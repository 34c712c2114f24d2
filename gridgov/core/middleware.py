import uuid

from gridgov.core.audit import request_context


class RequestIdMiddleware:
    """Gives each request an id and remembers its address, so that the audit entries written
    while serving it are grouped and traceable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        with request_context(request.id, request.META.get("REMOTE_ADDR")):
            response = self.get_response(request)
        response["X-Request-Id"] = str(request.id)
        return response


class RefusalMiddleware:
    """A Refusal that a page's view lets out (a query parameter `core.params` refused) answers
    400 with its message: as the structured error for JSON endpoints, else as the 400 page."""

    JSON_SUFFIXES = (".json", ".geojson")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from gridgov.core import params
        from gridgov.core.errors import Refusal

        # No parameter of any endpoint may carry a control character (a NUL would be stored,
        # or break the search index): refused here, once, whatever the view reads.
        try:
            for name, values in request.GET.lists():
                params.text(name, "name", max_length=params.MAX_TEXT)
                for value in values:
                    params.text(value, name, max_length=4 * params.MAX_TEXT)
        except Refusal as refusal:
            return self.process_exception(request, refusal)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from gridgov.core.errors import Refusal, refusal_response

        if not isinstance(exception, Refusal):
            return None
        wants_json = (request.path.endswith(self.JSON_SUFFIXES) or "/data/" in request.path
                      or "application/json" in request.headers.get("Accept", ""))
        if wants_json:
            return refusal_response(exception)
        response = render(request, "400.html", {"refusal": exception}, status=exception.status)
        for name, value in exception.headers.items():
            response[name] = value
        return response
