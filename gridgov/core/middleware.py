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
