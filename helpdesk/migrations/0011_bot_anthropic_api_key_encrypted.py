"""A bot's own Anthropic key is stored encrypted: the column becomes text (a token is longer than the key)
and every key stored in plain text is encrypted. Going back decrypts them again."""

import django.core.validators
from cryptography.fernet import InvalidToken
from django.db import migrations

import helpdesk.models
from helpdesk.models import field_decrypt, field_encrypt


def _is_encrypted(value: str) -> bool:
    try:
        field_decrypt(value)
    except (InvalidToken, UnicodeError):
        return False
    return True


def _rewrite_keys(apps, schema_editor, change) -> None:
    """Rewrite every stored key with ``change``. Plain SQL: the rows of every tenant, read as stored (the
    model's field would decrypt on reading)."""
    table = schema_editor.connection.ops.quote_name(apps.get_model("helpdesk", "Bot")._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, anthropic_api_key FROM {table} WHERE anthropic_api_key <> ''")
        rows = cursor.fetchall()
        for pk, value in rows:
            new = change(value)
            if new != value:
                cursor.execute(f"UPDATE {table} SET anthropic_api_key = %s WHERE id = %s", [new, pk])


def encrypt_plain_keys(apps, schema_editor) -> None:
    _rewrite_keys(apps, schema_editor, lambda value: value if _is_encrypted(value) else field_encrypt(value))


def decrypt_keys(apps, schema_editor) -> None:
    _rewrite_keys(apps, schema_editor, lambda value: field_decrypt(value) if _is_encrypted(value) else value)


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0010_conversation_visitor_nonce"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bot",
            name="anthropic_api_key",
            field=helpdesk.models.EncryptedTextField(
                blank=True,
                help_text="The tenant's own Anthropic key; blank uses the deployment's.",
                max_length=200,
                validators=[django.core.validators.MaxLengthValidator(200)],
            ),
        ),
        migrations.RunPython(encrypt_plain_keys, decrypt_keys),
    ]
