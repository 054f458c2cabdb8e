from django.conf import settings

from . import context


class TrustedProxyMiddleware:
    """Puts the client's real address in REMOTE_ADDR, believing X-Forwarded-For only as far as
    it was written by a configured proxy (settings.TRUSTED_PROXIES), and drops X-Forwarded-For
    and X-Forwarded-Proto from a peer that is not one, so that neither the access log, the
    login rate limits, nor the https check (SECURE_PROXY_SSL_HEADER) can be forged by a client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta, trusted = request.META, settings.TRUSTED_PROXIES
        peer = meta.get("REMOTE_ADDR")
        if context.is_trusted_proxy(peer, trusted):
            meta["REMOTE_ADDR"] = context.client_address(peer, meta.get("HTTP_X_FORWARDED_FOR", ""), trusted)
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class RequestContextMiddleware:
    """Makes the acting user, address and user agent available to audit.record()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        with context.acting(context.RequestActor(request, channel)):
            return self.get_response(request)
