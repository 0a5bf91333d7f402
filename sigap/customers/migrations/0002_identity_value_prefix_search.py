from django.db import migrations, models


class Migration(migrations.Migration):
    """Searching by the start of an email address is an index range scan on PostgreSQL.

    Its default operator class cannot serve LIKE 'x%' unless the database collation is "C";
    varchar_pattern_ops can, and still serves equality. Other databases ignore operator classes.
    """

    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customeridentity",
            name="identity_value_idx",
        ),
        migrations.AddIndex(
            model_name="customeridentity",
            index=models.Index(
                fields=["value"], name="identity_value_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
    ]
