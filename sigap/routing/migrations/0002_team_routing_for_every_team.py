"""Give every existing team a routing row, so each team has its switch in the admin site.

New teams route from the start (see `sigap.routing.hooks`). For teams that exist before this
upgrade the switch is set from what the desk has done so far:

- A desk without a single ticket has never worked with or without routing: its teams are
  switched on, like teams created from now on.
- A desk that already has tickets has been assigning them by hand (or routing the teams it
  chose to). Switching routing on under it would, the moment it upgrades, push conversations
  to whoever has a desk page open and mail supervisors for every conversation that arrives
  out of hours. Its teams without a routing row get one switched off; an admin turns routing
  on per team (Admin → Team routing) when the team is ready for it.

Rows that already exist are left as they are. Going back removes nothing: a row switched off
behaves as no row.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    Ticket = apps.get_model("tickets", "Ticket")
    TeamRouting = apps.get_model("routing", "TeamRouting")
    enabled = not Ticket.objects.exists()
    have = set(TeamRouting.objects.values_list("team_id", flat=True))
    TeamRouting.objects.bulk_create(
        TeamRouting(team_id=pk, is_enabled=enabled)
        for pk in Team.objects.exclude(pk__in=have).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
