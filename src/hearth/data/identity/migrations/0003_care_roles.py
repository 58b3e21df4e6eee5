"""Staff logins get a care role (ADR 0019); the staff there already are care agents until a supervisor says more."""

from typing import Any

from django.db import migrations, models


def existing_staff_are_agents(apps: Any, schema_editor: Any) -> None:
    apps.get_model("identity", "User").objects.filter(kind="STAFF").update(care_role="AGENT")


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_api_keys")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="care_role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("AGENT", "Care agent"),
                    ("VULNERABILITY", "Vulnerability team"),
                    ("SUPERVISOR", "Supervisor"),
                ],
                help_text="Staff logins only",
                max_length=16,
            ),
        ),
        migrations.RunPython(existing_staff_are_agents, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "STAFF"), ("care_role", ""), _connector="OR"),
                name="only_staff_have_a_care_role",
            ),
        ),
    ]
