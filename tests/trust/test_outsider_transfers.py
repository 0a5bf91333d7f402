"""A ticket moved to another team goes with everything hanging off it: the people of the old
team stop seeing it in their task lists too, not only on the ticket page."""

from __future__ import annotations

from sigap.tickets.services import ticket_change_team
from tests.trust.outsider_desk import COMMENT, Desk


def _lists(desk: Desk) -> dict[str, str]:
    return {
        "agent's follow-ups page": desk.web("agent").get("/follow-ups/").content.decode(),
        "agent's follow-ups API": desk.api("agent").get("/api/follow-ups").content.decode(),
        "supervisor's recovery tasks": desk.web("supervisor").get("/follow-ups/").content.decode(),
    }


def test_a_ticket_moved_away_leaves_the_old_teams_follow_up_and_recovery_lists(
    desk: Desk,
) -> None:
    reference = desk.resolved.reference
    before = _lists(desk)
    assert reference in before["agent's follow-ups page"]
    assert reference in before["agent's follow-ups API"]
    assert COMMENT in before["supervisor's recovery tasks"]

    ticket_change_team(ticket=desk.resolved, by=desk.supervisor, team=desk.team_b)

    after = _lists(desk)
    for name, page in after.items():
        assert reference not in page, name
        assert COMMENT not in page, name
        assert desk.resolved.subject not in page, name
    # The feedback went with the ticket: its new team reads it there.
    moved = desk.api("outsider_supervisor").get(f"/api/tickets/{desk.resolved.pk}/feedback")
    assert moved.status_code == 200
    assert COMMENT in moved.content.decode()
