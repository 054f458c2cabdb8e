from django.core.management.base import BaseCommand

from coachdossier import rules


class Command(BaseCommand):
    help = "Print the rule registry's tally (implemented / planned / org); --list for every rule."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="one line per rule with its tests")

    def handle(self, *args, **options):
        registry = rules.load()
        if options["list"]:
            sources = rules.test_sources()
            for rule_id, rule in registry.items():
                tests = rules.tests_naming(rule_id, sources) if rule["status"] == "implemented" else []
                where = ", ".join(str(p.relative_to(rules.PACKAGE)) for p in tests[:3])
                self.stdout.write(f"{rule_id:14} {rule['status']:12} {rule.get('capability', ''):15} {where}")
        counts = rules.tally(registry)
        self.stdout.write(f"rules: {counts['implemented']} implemented, {counts['planned']} planned, {counts['org']} org")
