"""Every audited change to accounts."""

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier import audit

from . import confidentiality
from .models import ApiToken, ConfidentialityAcceptance, RoleGrant, User


def end_sessions(user, *, keep: str | None = None) -> int:
    """End every session of `user` except `keep` (the current one, after a change the user
    made themself). Returns how many were ended."""
    ended = 0
    for session in UserSession.objects.filter(user=user):
        if keep and session.session_key == keep:
            continue
        Session.objects.filter(session_key=session.session_key).delete()
        session.delete()
        ended += 1
    return ended


@transaction.atomic
def create_user(*, actor, email: str, full_name: str, roles, password: str | None = None, is_demo=False) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name, is_demo=is_demo)
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in set(roles)])
    audit.record(action="account.create", obj=user, role="admin" if actor else "")
    return user


@transaction.atomic
def disable_user(*, actor, user: User) -> None:
    """The account can no longer sign in, and all its sessions and tokens end now."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(action="account.disable", obj=user)


# fn(*, user, language, now): `user` changed her own language; runs in set_language's transaction.
# The complaints app takes her open complaints' letters along (complaints.actions).
LANGUAGE_CHANGED: list = []


@transaction.atomic
def set_language(*, actor: User, language: str, now) -> User:
    """The user's own choice of language: her pages after signing in, on any device, and the
    mail she gets (accounts.outbox) are in it; so are the letters of a complaint she lodged
    (LANGUAGE_CHANGED), when she changes it."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language: choose Nederlands or English.")})
    changed = actor.language != language
    actor.language = language
    actor.save(update_fields=["language"])
    audit.record(action="account.language", obj=actor)
    if changed:
        for fn in LANGUAGE_CHANGED:
            fn(user=actor, language=language, now=now)
    return actor


@transaction.atomic
def accept_confidentiality(*, actor: User, ip: str | None, now) -> ConfidentialityAcceptance:
    """PR-R1: stored with time, text version and the hash of the accepted wording."""
    acceptance, _ = ConfidentialityAcceptance.objects.get_or_create(
        user=actor, version=confidentiality.CURRENT_VERSION,
        defaults={"text_sha256": confidentiality.text_sha256(), "accepted_at": now, "ip": ip},
    )
    audit.record(action="account.confidentiality_accepted", obj=actor)
    return acceptance


@transaction.atomic
def create_api_token(*, actor: User, name: str, now) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is shown once and never stored."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(user=actor, name=name, digest=ApiToken.digest_of(secret),
                                    hint=secret[:8], created_at=now)
    audit.record(action="account.token_create", obj=token)
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, now) -> None:
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit.record(action="account.token_revoke", obj=token)
