from . import context


class RequestContextMiddleware:
    """Makes the acting user, address and user agent available to audit.record()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        with context.acting(context.RequestActor(request, channel)):
            return self.get_response(request)
