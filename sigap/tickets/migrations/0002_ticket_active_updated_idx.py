from django.db import migrations, models


class Migration(migrations.Migration):
    """The active tickets, newest change first: the default inbox at any page depth."""

    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("new", "open", "pending_customer", "pending_internal"))
                ),
                fields=["-updated_at", "-id"],
                name="ticket_active_updated_idx",
            ),
        ),
    ]
