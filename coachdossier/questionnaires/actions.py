"""Every audited change to questionnaires: loading a definition, sending one to a client,
saving and submitting answers, and removing a destroyed client's administrations."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coachdossier import audit
from coachdossier.accounts.models import Role
from coachdossier.audit.models import Basis
from coachdossier.clients.models import SealedJSON
from coachdossier.lib import idempotency

from . import definitions, scoring
from .models import Administration, Moment, QuestionnaireDefinition, Status

SHIPPED = ("dass21", "demo-werkvermogen")


def _log(action, *, client=None, obj=None, grant=None, basis=Basis.SYSTEM, role=""):
    audit.record(action=action, client=client, obj=obj, basis=getattr(grant, "basis", basis),
                 basis_ref=getattr(grant, "ref", ""), role=getattr(grant, "role", role))


@transaction.atomic
def load_questionnaire(*, actor, source: str, now, shipped: bool = False) -> tuple[QuestionnaireDefinition, bool]:
    """Validate and store a definition; returns (row, created). Raises DefinitionError listing
    every problem (nothing stored). The same content twice is the same row; a different
    content under an existing key and version is refused: a loaded version never changes."""
    parsed = definitions.load_definition(source)
    existing = QuestionnaireDefinition.objects.filter(checksum=parsed.checksum).first()
    if existing:
        return existing, False
    if QuestionnaireDefinition.objects.filter(key=parsed.key, version=str(parsed.version)).exists():
        raise definitions.DefinitionError([definitions.Problem(
            "version", f"version {parsed.version} of {parsed.key!r} is already loaded with different content; "
            "give the changed instrument a new version")])
    row = QuestionnaireDefinition.objects.create(
        key=parsed.key, version=str(parsed.version), checksum=parsed.checksum, title_nl=parsed.title.nl,
        title_en=parsed.title.en, source=source, shipped=shipped, fictional=parsed.fictional, loaded_at=now,
        loaded_by=actor)
    if not shipped:
        # A practice's own instrument is logged; the shipped ones are part of the software
        # release (their checksum is in the row) and are loaded silently on first use.
        _log("questionnaire.load", obj=row, basis=Basis.MANAGEMENT if actor else Basis.SYSTEM,
             role=Role.MANAGEMENT if actor else "")
    return row, True


def ensure_shipped(*, now) -> None:
    """Load the instruments shipped with coachdossier on first use (idempotent).

    Not a data migration: a migration would freeze the instrument file as it was when the
    migration was written, while a new shipped version should simply appear as a new row."""
    if QuestionnaireDefinition.objects.filter(shipped=True).count() >= len(SHIPPED):
        return
    for name in SHIPPED:
        source = (definitions.INSTRUMENTS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
        try:
            with transaction.atomic():
                load_questionnaire(actor=None, source=source, now=now, shipped=True)
        except (definitions.DefinitionError, IntegrityError):
            continue  # an edited shipped file without a new version: keep what was loaded


def available_definitions(*, now):
    ensure_shipped(now=now)
    return QuestionnaireDefinition.objects.filter(retired_at__isnull=True)


@transaction.atomic
def send_questionnaire(*, actor, client, definition: QuestionnaireDefinition, moment: str = Moment.OTHER, now,
                       grant=None) -> Administration:
    """The coach sends a questionnaire; the client gets an email with a link, no content (GC-6.3)."""
    errors = {}
    if client.user_id is None or not client.user.is_active:
        errors["definition"] = _("This client has no portal account yet, so cannot fill in a questionnaire.")
    if definition.retired_at:
        errors["definition"] = _("This questionnaire is no longer in use.")
    if moment not in Moment.values:
        errors["moment"] = _("Choose a moment.")
    if errors:
        raise ValidationError(errors)
    administration = Administration.objects.create(client=client, definition=definition, moment=moment,
                                                   sent_by=actor, sent_at=now)
    _log("questionnaire.send", client=client, obj=administration, grant=grant, basis=Basis.COACH, role=Role.COACH)
    from . import emails

    pk = administration.pk
    transaction.on_commit(lambda: emails.questionnaire_sent(administration_id=pk))
    return administration


def _cleaned_answers(administration, answers: dict) -> tuple[dict, scoring.Result]:
    """Drop empty answers; AnswerError (out of scale, unknown item) becomes field errors."""
    answers = {k: v for k, v in answers.items() if v not in (None, "")}
    try:
        result = scoring.score(administration.definition.definition, answers)
    except scoring.AnswerError as exc:
        raise ValidationError({item: _("This answer is not one of the options.") for item, _m in exc.problems}) from exc
    return answers, result


def save_answers(*, actor, administration: Administration, answers: dict, submit: bool, now,
                 grant=None, idempotency_key: str = "") -> Administration:
    """Save answers so far (the client may continue later), or submit: every required item
    answered, scored with the administration's definition, and sealed. A completed
    questionnaire cannot be submitted again; but the submission that completed it, sent again
    with the same `idempotency_key` and the same answers (a double click, a retry after a lost
    response), gets the completed administration back, as `add_entry_once` does for entries:
    one result, and no error for a request that did what it asked."""
    digest = idempotency.key_digest(actor.pk, idempotency_key) if idempotency_key and submit else ""
    with transaction.atomic():
        # Lock the row: two tabs submitting at once must not both pass the check.
        locked = Administration.objects.select_for_update().select_related("definition", "client").get(
            pk=administration.pk)
        if locked.status == Status.COMPLETED:
            if digest and digest == locked.idempotency_key_sha256 and (
                    _cleaned_answers(locked, answers)[0] == locked.answers):
                _log("questionnaires.read", client=locked.client, obj=locked, grant=grant, basis=Basis.CLIENT,
                     role=Role.CLIENT)
                return locked
            raise ValidationError({"__all__": _("This questionnaire was already submitted; it cannot be changed.")})
        merged = {**locked.answers, **answers} if not submit else answers
        merged, result = _cleaned_answers(locked, merged)
        if submit and result.missing:
            raise ValidationError({item: _("Please answer this question.") for item in result.missing})
        locked.answers_sealed = SealedJSON.seal(locked.client.public_id, merged, locked.aad("answers"))
        locked.answered_count = len(merged)
        locked.started_at = locked.started_at or now
        if submit:
            locked.result_sealed = SealedJSON.seal(locked.client.public_id, result.to_dict(), locked.aad("result"))
            locked.status = Status.COMPLETED
            locked.completed_at = now
            locked.idempotency_key_sha256 = digest
        else:
            locked.status = Status.IN_PROGRESS
        locked.save()
        _log("questionnaire.submit" if submit else "questionnaire.save", client=locked.client, obj=locked,
             grant=grant, basis=Basis.CLIENT, role=Role.CLIENT)
    for attr in ("answers", "result"):
        locked.__dict__.pop(attr, None)
    return locked


def delete_for_client(*, client, actor, now) -> None:
    """clients.hooks.CLIENT_DESTROYED: the client's administrations go with the dossier (GC-5.4)."""
    Administration.objects.filter(client=client).delete()
