"""The accounts API, mounted at /api/accounts/: who am I, and my personal access tokens.

Tokens are created only in the UI (accounts:tokens), where the secret is shown once: a
token that leaked must not be able to mint fresh tokens for itself. The API lists and
revokes them."""

import datetime
import uuid

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.throttling import BaseThrottle

from coachdossier.api.throttling import token_throttle, user_throttle

from . import actions
from .models import ApiToken

router = Router(tags=["accounts"])
# Stricter on the tokens than the API's per-user rate (which they count against too).
TOKEN_THROTTLES: list[BaseThrottle] = [user_throttle, token_throttle]


class Me(Schema):
    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    language: str  # her pages after signing in and her mail are in it


class LanguageIn(Schema):
    language: str  # one of settings.LANGUAGES: "nl" or "en"


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    hint: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


def _token_out(t: ApiToken) -> dict:
    return {"id": t.public_id, "name": t.name, "hint": t.hint, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}


def _me(user) -> dict:
    return {"id": user.public_id, "email": user.email, "name": user.full_name, "roles": sorted(user.roles),
            "language": user.language}


@router.get("/me", response=Me)
def whoami(request):
    return _me(request.user)


@router.put("/me/language", response=Me)
def set_language(request, payload: LanguageIn):
    """My language, as the language switch sets it; 422 for a language the site does not have."""
    return _me(actions.set_language(actor=request.user, language=payload.language, now=timezone.now()))


@router.get("/tokens", response=list[TokenOut], throttle=TOKEN_THROTTLES)
def list_tokens(request):
    """My tokens (never their secrets: only a hash is stored)."""
    return [_token_out(t) for t in request.user.api_tokens.all()]


@router.post("/tokens/{uuid:token_id}/revoke", response=TokenOut, throttle=TOKEN_THROTTLES)
def revoke_token(request, token_id: uuid.UUID):
    token = ApiToken.objects.filter(public_id=token_id, user=request.user, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    actions.revoke_api_token(actor=request.user, token=token, now=timezone.now())
    return _token_out(token)
