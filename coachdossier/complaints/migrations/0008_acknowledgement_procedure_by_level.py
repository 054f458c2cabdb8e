"""KR-3.3a, GC-8.1: the acknowledgement's default text said that two of the practice's coaches
handle the complaint, also when the umbrella organisation's committee does. The default now has
a {procedure} placeholder filled in for the case's level (letters.procedure_words); a template
already stored with the old paragraph as it was gets the placeholder in its place. A practice
that rewrote the paragraph keeps its own words (and can add {procedure} on the template page)."""

from django.db import migrations

OLD_PARAGRAPH = (
    "Uw klacht wordt behandeld door een klachtencommissie van twee coaches die zelf niet bij de klacht "
    "betrokken zijn. U ontvangt binnen zes weken na de ontvangstdatum schriftelijk bericht over de "
    "afhandeling. Heeft de afhandeling meer tijd nodig, dan laten wij u dat tijdig weten.")
PLACEHOLDER = "{procedure}"


def _swap(apps, old, new):
    LetterTemplate = apps.get_model("complaints", "LetterTemplate")
    for template in LetterTemplate.objects.filter(kind="acknowledgement", body__contains=old):
        template.body = template.body.replace(old, new)
        template.save(update_fields=["body"])


def forwards(apps, schema_editor):
    _swap(apps, OLD_PARAGRAPH, PLACEHOLDER)


def backwards(apps, schema_editor):
    _swap(apps, PLACEHOLDER, OLD_PARAGRAPH)


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0007_umbrella_ruling_outcome"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
