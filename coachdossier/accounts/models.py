"""Users, roles, the confidentiality statement, and API tokens."""

import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLIENT = "client", _("Client")
    COACH = "coach", _("Coach")
    THERAPIST = "therapist", _("Biofeedback therapist")
    COMPLAINTS_OFFICER = "complaints_officer", _("Complaints officer")
    MANAGEMENT = "management", _("Management")
    AUDITOR = "auditor", _("Umbrella auditor")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset(Role) - {Role.CLIENT}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def staff(self):
        """Everyone with a role besides client, former staff too (their names stay in notes)."""
        return self.filter(role_grants__role__in=STAFF_ROLES).distinct()

    def create_superuser(self, email, password=None, **extra):
        user = self.create_user(email, password, **extra)
        RoleGrant.objects.get_or_create(user=user, role=Role.ADMIN)
        return user

    def addresses_of(self, *roles: str) -> list[str]:
        """The addresses of the active accounts holding any of `roles`, each once: the
        recipients of a staff notice (one message each, accounts.outbox.send_or_queue)."""
        return list(self.filter(is_active=True, role_grants__role__in=roles)
                    .order_by("email").values_list("email", flat=True).distinct())

    def language_of(self, address: str) -> str | None:
        """The stored language of the account with this address; None when it is nobody's."""
        return self.filter(email__iexact=address.strip()).values_list("language", flat=True).first()


def default_language() -> str:
    """The site's language (Dutch; settings.LANGUAGE_CODE) until the user chooses another."""
    return settings.LANGUAGE_CODE


class User(AbstractBaseUser):
    """An account. Login is by email; roles are granted separately (one user may be coach and
    complaints officer at once). A client's account links to their Client record."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(default=True)
    # Demo accounts only: lets a newcomer past MFA in DEBUG (see settings.DEMO_MODE).
    is_demo = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The language her pages open in after signing in and her mail is written in (accounts.outbox).
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=default_language)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    # Django's admin and permission framework are not used; roles decide (see clients.access).
    is_staff = False
    is_superuser = False

    def has_perm(self, perm, obj=None):
        return False

    def has_module_perms(self, app_label):
        return False

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_staff_member(self) -> bool:
        """Any role besides client: these accounts need MFA and the confidentiality statement."""
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_client(self) -> bool:
        return Role.CLIENT in self.roles


class RoleGrant(models.Model):
    user = models.ForeignKey(User, models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self):
        return f"{self.user} · {self.role}"


class ConfidentialityAcceptance(models.Model):
    """PR-R1/R2: every staff account signs the confidentiality statement before first access.
    The text's version and hash are stored so the accepted wording can always be shown."""

    user = models.ForeignKey(User, models.CASCADE, related_name="confidentiality_acceptances")
    version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_version")]


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal access token for the JSON API. Only a SHA-256 of the secret is stored;
    the secret is shown once at creation."""

    PREFIX = "cd_"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # the first characters, to recognise a token in a list
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("given up")


class OutgoingMailQuerySet(models.QuerySet):
    def due(self, now):
        """Queued messages whose next attempt has come."""
        return self.filter(status=MailStatus.QUEUED, next_attempt_at__lte=now)


class OutgoingMail(models.Model):
    """The outbox: every mail is stored before it is sent, so a mail server that is down
    loses nothing; `send_queued_mail` retries with backoff. Mails carry a notice and a link,
    never dossier content (GC-6.3), so the stored text holds none either."""

    MAX_ATTEMPTS = 12  # 2, 4, 8 ... minutes, capped at 6 hours: about two days of trying

    name = models.CharField(max_length=64)
    to = models.JSONField()
    from_email = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    # The client (public id) whose address this mail goes to, or whose report it delivers:
    # destroying their dossier deletes it, queued or sent (GC-5.4, PR-8; accounts.outbox.forget_client).
    client_ref = models.UUIDField(null=True, blank=True, db_index=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.name} ({self.status})"

    def backoff(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=min(2 ** self.attempts, 360))
