"""The Message-ID index covers the mailbox too: the check for a message taken already stays an
index lookup on SQLite, which has no statistics to steer it away from the mailbox index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="inboundemail",
            name="inbound_message_id_idx",
        ),
        migrations.AddIndex(
            model_name="inboundemail",
            index=models.Index(fields=["message_id", "mailbox"], name="inbound_message_id_idx"),
        ),
    ]
