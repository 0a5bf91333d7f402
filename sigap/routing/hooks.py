"""Signal receivers: a new team routes its conversations from the start."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from sigap.accounts.models import Team
from sigap.routing.models import TeamRouting


@receiver(post_save, sender=Team, dispatch_uid="routing_new_team")
def _team_created(sender: Any, instance: Team, created: bool, raw: bool, **kwargs: Any) -> None:
    # Every path that creates a team (the admin site, the setup command, the demo) passes
    # here. A fixture being loaded (`raw`) brings its own routing rows, if any.
    if created and not raw:
        TeamRouting.objects.get_or_create(team=instance)
