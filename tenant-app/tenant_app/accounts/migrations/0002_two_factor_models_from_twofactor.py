"""Two-factor's models (backup codes, pending sign-ins, lockouts) move here from the app "twofactor", folded into
accounts, and keep their tables.

A schema migrated before has the tables (twofactor's 0001 made them, and its row stays in django_migrations): only
Django's state moves. A new schema has none, since twofactor's migrations are gone: they are made here as twofactor's
0001 made them, with the same table, index and constraint names (derived from the table names). Only the current
schema is looked at: a table of the same name elsewhere on the search path is someone else's.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("Lockout", "PendingSignIn", "BackupCode")


def create_tables_a_new_schema_lacks(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ANY(%s)",
            [[apps.get_model("accounts", name)._meta.db_table for name in MOVED]],
        )
        present = {row[0] for row in cursor.fetchall()}
    for name in MOVED:
        model = apps.get_model("accounts", name)
        if model._meta.db_table not in present:
            schema_editor.create_model(model)


def adopt_content_types(apps, schema_editor):
    """Twofactor's content types (and so their permissions) become accounts', where a schema had them."""
    content_types = apps.get_model("contenttypes", "ContentType")._default_manager
    for name in MOVED:
        model = name.lower()
        if not content_types.filter(app_label="accounts", model=model).exists():
            content_types.filter(app_label="twofactor", model=model).update(app_label="accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Lockout",
                    fields=[
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("consecutive_failures", models.PositiveSmallIntegerField(default=0)),
                        ("locked_until", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "twofactor_lockout"},
                ),
                migrations.CreateModel(
                    name="PendingSignIn",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("two_factor_required", "Answer the challenge with a code"),
                                    ("enrolment_required", "Set up an authenticator app first"),
                                ],
                                max_length=24,
                            ),
                        ),
                        ("first_factor", models.CharField(max_length=50)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "twofactor_pendingsignin"},
                ),
                migrations.CreateModel(
                    name="BackupCode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code_hash", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="backup_codes",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "twofactor_backupcode",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "code_hash"), name="twofactor_backup_code_once")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # Undone, the tables stay: they may hold a schema's data from before this migration.
        migrations.RunPython(create_tables_a_new_schema_lacks, migrations.RunPython.noop),
        migrations.RunPython(adopt_content_types, migrations.RunPython.noop),
    ]
