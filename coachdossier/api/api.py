"""The JSON API: OpenAPI 3 at /api/openapi.json, docs at /api/docs. Routers are thin and
call the same actions as the pages."""

from importlib import import_module

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from .auth import session_auth, token_auth

api = NinjaAPI(
    title="coachdossier API",
    version="1",
    description="Client dossiers, privacy and complaints. Authenticate with your session or a "
    "personal access token (`Authorization: Bearer cd_…`). Every call on client data is "
    "written to the client's access log.",
    auth=[token_auth, session_auth],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(request, {"detail": "Authentication required: a valid session or token."},
                               status=401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    """An action refused the input: 422 with its field errors; the action saved nothing."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "The input is not valid.", "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "You may not do this."}, status=403)


# Each app with an API has `api.py` exposing `router`; they are mounted under their name.
for name in ("accounts", "clients", "portal", "reports", "complaints", "questionnaires", "measurements",
             "privacy"):
    try:
        module = import_module(f"coachdossier.{name}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"coachdossier.{name}.api":
            raise
        continue
    api.add_router(f"/{name}/", module.router)
