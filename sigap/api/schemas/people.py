"""The caller, teams, agents and categories."""

from __future__ import annotations

from ninja import Schema


class TeamOut(Schema):
    id: int
    name: str
    slug: str


class CategoryOut(Schema):
    id: int
    name: str
    slug: str


class Permissions(Schema):
    """What the caller may do, so a client can hide what would be refused."""

    create_tickets: bool
    work_tickets: bool
    see_all_tickets: bool
    assign_any_agent: bool
    add_customers: bool
    change_customers: bool
    merge_customers: bool


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    language: str
    roles: list[str]
    teams: list[TeamOut]
    permissions: Permissions


class AgentOut(Schema):
    id: int
    username: str
    name: str
    team_ids: list[int]
