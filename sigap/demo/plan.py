"""The demo desk as a plan: who wrote what and when, decided by a seeded generator.

Pure Python, no database: the same seed and the same `now` give the same plan, which the
loader then plays through the real services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from sigap.demo import content
from sigap.demo.content import Beat, Script, Text

JAKARTA = ZoneInfo("Asia/Jakarta")
HISTORY_DAYS = 60

Action = Literal["open", "log", "assign", "reply", "receive", "note", "status", "priority", "team"]

NEW = "new"
OPEN = "open"
PENDING_CUSTOMER = "pending_customer"
PENDING_INTERNAL = "pending_internal"
RESOLVED = "resolved"
CLOSED = "closed"
LIVE_CHANNELS = ("phone", "walk_in")
# What an agent's words to the customer carry out of an SOP, and what their own work does,
# where a conversation does not name its SOP steps.
SPOKEN = ("message", "request_evidence")
DONE = ("action",)


def _sop(beat: Beat, kinds: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    if beat.sop_steps is not None:
        return {"sop_steps": beat.sop_steps}
    return {"sop_kinds": kinds}


@dataclass(frozen=True)
class Step:
    at: datetime
    action: Action
    by: str | None = None
    text: str = ""
    status: str | None = None
    priority: str | None = None
    assignee: str | None = None
    team: str | None = None
    on_the_spot: bool = False
    # What this action carries out of the ticket's SOP, if it runs one: these steps by name,
    # else the next open steps of these kinds.
    sop_steps: tuple[str, ...] = ()
    sop_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdentityPlan:
    kind: str
    value: str
    network: str = ""


@dataclass(frozen=True)
class CustomerPlan:
    name: str
    language: str
    is_vip: bool
    team: str
    company: str
    identities: tuple[IdentityPlan, ...]
    notes: str
    since: datetime


@dataclass(frozen=True)
class TicketPlan:
    customer: int
    channel: str
    identity: IdentityPlan | None
    team: str
    category: str
    subject: str
    priority: str
    steps: tuple[Step, ...]
    # Where the steps leave the ticket; the services must agree.
    status: str
    # The option the conversation takes at an SOP decision (refund, replacement, escalate …).
    sop_outcome: str = ""

    @property
    def opened_at(self) -> datetime:
        return self.steps[0].at


@dataclass(frozen=True)
class DemoPlan:
    customers: tuple[CustomerPlan, ...]
    tickets: tuple[TicketPlan, ...]


# ----------------------------------------------------------------------------- time of day


def _local(at: datetime) -> datetime:
    return at.astimezone(JAKARTA)


def _agent_hours(day: datetime) -> tuple[time, time]:
    """The desk is staffed Monday to Saturday 08:00–20:00 and Sunday 09:00–15:00 (WIB)."""
    return (time(9), time(15)) if day.weekday() == 6 else (time(8), time(20))


def _is_agent_hour(at: datetime) -> bool:
    local = _local(at)
    start, end = _agent_hours(local)
    return start <= local.time() < end


def _next_agent_time(rng: random.Random, at: datetime) -> datetime:
    """`at` if someone is at the desk then, else a few minutes after the next shift starts."""
    if _is_agent_hour(at):
        return at
    local = _local(at)
    day = local
    start, _ = _agent_hours(day)
    if local.time() >= start:
        day = local + timedelta(days=1)
        start, _ = _agent_hours(day)
    opening = datetime.combine(day.date(), start, tzinfo=JAKARTA)
    return opening + timedelta(minutes=rng.randint(2, 40), seconds=rng.randint(0, 59))


def _customer_time(rng: random.Random, at: datetime) -> datetime:
    """Customers write from 06:00 to midnight; a night-time moment moves to the morning."""
    local = _local(at)
    if local.hour >= 6:
        return at
    morning = datetime.combine(local.date(), time(6), tzinfo=JAKARTA)
    return morning + timedelta(minutes=rng.randint(0, 150))


# Customers of an online shop write most at mid-morning and in the evening (06:00–23:00).
_CUSTOMER_HOURS = list(range(6, 24))
_CUSTOMER_HOUR_WEIGHTS = [1, 2, 4, 6, 7, 7, 6, 6, 6, 5, 5, 5, 6, 7, 8, 7, 5, 3]


def _opened_at(rng: random.Random, now: datetime, channel: str) -> datetime:
    today = _local(now).date()
    for _ in range(100):
        # A living desk: a share of the history happened in the last two days.
        days_ago = rng.randint(0, 1) if rng.random() < 0.15 else rng.randint(0, HISTORY_DAYS - 1)
        day = today - timedelta(days=days_ago)
        if channel in LIVE_CHANNELS:
            weekday = datetime.combine(day, time(12), tzinfo=JAKARTA)
            start, end = _agent_hours(weekday)
            if channel == "walk_in":  # the showroom opens at ten and closes at seven
                start, end = max(start, time(10)), min(end, time(19))
            hour = rng.randint(start.hour, end.hour - 1)
        else:
            hour = rng.choices(_CUSTOMER_HOURS, _CUSTOMER_HOUR_WEIGHTS)[0]
        at = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)), JAKARTA)
        if at < now - timedelta(minutes=10):
            return at
    return now - timedelta(minutes=rng.randint(20, 90))


def _target_status(rng: random.Random, age: timedelta) -> str:
    """Where a ticket of this age usually stands: old ones closed, fresh ones still moving."""
    hours = age.total_seconds() / 3600
    statuses = [NEW, OPEN, PENDING_CUSTOMER, PENDING_INTERNAL, RESOLVED, CLOSED]
    if hours < 3:
        weights = [55, 25, 15, 0, 5, 0]
    elif hours < 24:
        weights = [12, 28, 25, 15, 20, 0]
    elif hours < 72:
        weights = [2, 15, 22, 14, 40, 7]
    elif hours < 168:
        weights = [0, 5, 9, 7, 39, 40]
    else:
        weights = [0, 1, 3, 2, 9, 85]
    return rng.choices(statuses, weights)[0]


# ----------------------------------------------------------------------------- customers


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(content.PHONE_PREFIXES)
    number = f"{rng.randint(1000, 9999)}-{rng.randint(1000, 99999)}"
    # Typed the way people type them: the loader's services normalise to +62….
    return rng.choice([f"{prefix}-{number}", f"+62 {prefix[1:]}-{number}", f"{prefix}{number}"])


def _email(rng: random.Random, name: str, company: str, taken: set[str]) -> str:
    parts = [p for p in slugify(name).split("-") if p] or ["pelanggan"]
    if company:
        domain = slugify(company.removeprefix("PT ").removeprefix("CV "))[:24] + ".example"
        local = parts[0]
    else:
        domain = rng.choice(content.EMAIL_DOMAINS)
        local = rng.choice([".".join(parts), "".join(parts), f"{parts[0]}{rng.randint(1, 99)}"])
    address = f"{local}@{domain}"
    while address in taken:
        address = f"{local}{rng.randint(2, 999)}@{domain}"
    taken.add(address)
    return address


def _handle(rng: random.Random, name: str, taken: set[str]) -> str:
    parts = [p for p in slugify(name).split("-") if p] or ["pelanggan"]
    handle = rng.choice(["_".join(parts), ".".join(parts), f"{parts[0]}{rng.randint(80, 2005)}"])
    while handle in taken:
        handle = f"{handle}{rng.randint(1, 9)}"
    taken.add(handle)
    return handle


def _customer_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    seen = {"Wulan Sari"}
    while len(names) < count:
        if rng.random() < 0.3:
            name, language = rng.choice(content.ENGLISH_NAMES), "en"
        else:
            first = rng.choice(content.INDONESIAN_FIRST)
            name, language = f"{first} {rng.choice(content.INDONESIAN_LAST)}", "id"
        if name not in seen:
            seen.add(name)
            names.append((name, language))
    return names


def _customers(rng: random.Random, count: int, now: datetime) -> list[CustomerPlan]:
    emails: set[str] = set()
    handles: set[str] = set()
    plans: list[CustomerPlan] = []
    # The pair an agent could merge: the same woman, once by email and Instagram, once by
    # phone and the chat widget, typed in lower case.
    plans.append(
        CustomerPlan(
            name="Wulan Sari",
            language="id",
            is_vip=False,
            team="retail",
            company="",
            identities=(
                IdentityPlan("email", _email(rng, "Wulan Sari", "", emails)),
                IdentityPlan("social", _handle(rng, "Wulan Sari", handles), "instagram"),
            ),
            notes="",
            since=now - timedelta(days=400),
        )
    )
    plans.append(
        CustomerPlan(
            name="wulan sari",
            language="id",
            is_vip=False,
            team="retail",
            company="",
            identities=(
                IdentityPlan("phone", "0812-7788-4521"),
                IdentityPlan("chat", f"visitor-{rng.getrandbits(40):010x}"),
            ),
            notes=content.DUPLICATE_NOTE,
            since=now - timedelta(days=20),
        )
    )
    companies = list(content.COMPANIES)
    rng.shuffle(companies)
    b2b_count = min(len(companies), max(2, count // 8))
    names = _customer_names(rng, count - len(plans))
    for index, (name, language) in enumerate(names):
        company = companies[index] if index < b2b_count else ""
        identities: list[IdentityPlan] = []
        if company or rng.random() < 0.9:
            identities.append(IdentityPlan("email", _email(rng, name, company, emails)))
        if company or rng.random() < 0.7:
            identities.append(IdentityPlan("phone", _phone(rng)))
        if not company and rng.random() < 0.45:
            identities.append(IdentityPlan("chat", f"visitor-{rng.getrandbits(40):010x}"))
        if not company and rng.random() < 0.5:
            network = rng.choice(content.SOCIAL_NETWORKS)
            identities.append(IdentityPlan("social", _handle(rng, name, handles), network))
        if not identities:
            identities.append(IdentityPlan("email", _email(rng, name, company, emails)))
        plans.append(
            CustomerPlan(
                name=name,
                language=language,
                # A few loyal buyers and key accounts get VIP treatment.
                is_vip=rng.random() < (0.3 if company else 0.05),
                team="b2b" if company else "retail",
                company=company,
                identities=tuple(identities),
                notes=f"Kontak pengadaan, {company}." if company else "",
                since=now - timedelta(days=rng.randint(HISTORY_DAYS, 900)),
            )
        )
    return plans


# ----------------------------------------------------------------------------- tickets


_CHANNELS = ["email", "chat", "social", "phone", "walk_in"]
_CHANNEL_WEIGHTS = {"retail": [30, 28, 22, 12, 8], "b2b": [62, 8, 0, 25, 5]}


@dataclass
class _Ticket:
    """A ticket being planned: the clock runs forward as steps are added."""

    now: datetime
    rng: random.Random
    language: str
    channel: str
    context: dict[str, str]
    # When the last step happened: the next one comes after it.
    clock: datetime
    steps: list[Step] = field(default_factory=list)
    status: str = NEW
    assignee: str | None = None
    is_out_of_time: bool = False

    def text(self, text: Text) -> str:
        return text.pick(self.language).format_map(self.context)

    def add(self, at: datetime, action: Action, **values: object) -> bool:
        """Add a step at `at`, unless that moment has not come yet."""
        if self.is_out_of_time or at > self.now - timedelta(minutes=1):
            self.is_out_of_time = True
            return False
        self.clock = at
        step = Step(at=at, action=action, **values)  # type: ignore[arg-type]
        self.steps.append(step)
        self.status = _status_after_step(step, self.status)
        return True

    def agent_after(self, low_minutes: float, high_minutes: float) -> datetime:
        delay = timedelta(minutes=self.rng.uniform(low_minutes, high_minutes))
        return _next_agent_time(self.rng, self.clock + delay)

    def customer_after(self, low_minutes: float, high_minutes: float) -> datetime:
        delay = timedelta(minutes=self.rng.uniform(low_minutes, high_minutes))
        return _customer_time(self.rng, self.clock + delay)

    def response_time(self) -> datetime:
        """When an agent answers on this channel; now and then much later than the target."""
        if self.rng.random() < 0.1:
            return self.agent_after(180, 480)
        low, high = {"chat": (0.5, 4), "social": (3, 25)}.get(self.channel, (12, 110))
        return self.agent_after(low, high)

    def customer_time(self) -> datetime:
        low, high = {"chat": (1, 8), "social": (5, 240)}.get(self.channel, (20, 1500))
        return self.customer_after(low, high)


def _status_after(beat: Beat, status: str) -> str:
    """What the services do to the status on each beat (see tickets.services)."""
    if beat.kind == "reply":
        if beat.status is not None:
            return beat.status
        return OPEN if status == NEW else status
    if beat.kind == "customer":
        return OPEN if status in (PENDING_CUSTOMER, RESOLVED) else status
    if beat.kind == "internal":
        return PENDING_INTERNAL
    return status


def _status_after_step(step: Step, status: str) -> str:
    if step.action == "log":
        return RESOLVED if step.on_the_spot else NEW
    if step.action == "status" and step.status is not None:
        return step.status
    if step.action == "reply":
        return _status_after(Beat("reply", content.same(""), step.status), status)
    if step.action == "receive":
        return _status_after(Beat("customer", content.same("")), status)
    return status


def _cut(rng: random.Random, beats: tuple[Beat, ...], target: str, start: str) -> int:
    """How many beats to play so the ticket ends in `target` (or as close as the script goes)."""
    reached: dict[str, list[int]] = {}
    status = start
    for index, beat in enumerate(beats, start=1):
        status = _status_after(beat, status)
        reached.setdefault(status, []).append(index)
    wanted = RESOLVED if target == CLOSED else target
    for candidate in (wanted, OPEN, PENDING_CUSTOMER, RESOLVED):
        if candidate in reached:
            if candidate == RESOLVED:
                return len(beats)  # play the follow-up too
            return rng.choice(reached[candidate])
    return len(beats)


def _live_beats(script: Script) -> tuple[Beat, ...]:
    """A call or visit has no written back-and-forth: keep the notes and the final callbacks."""
    return tuple(
        b
        for b in script.beats
        if b.kind != "customer" and not (b.kind == "reply" and b.status not in (None, RESOLVED))
    )


@dataclass(frozen=True)
class _Staff:
    agents: dict[str, list[str]]
    supervisor: str
    manager: str


def _staff() -> _Staff:
    agents: dict[str, list[str]] = {team.key: [] for team in content.TEAMS}
    supervisor = manager = ""
    for person in content.PEOPLE:
        if person.role == "agent":
            for team in person.teams:
                agents[team].append(person.username)
        elif person.role == "supervisor":
            supervisor = person.username
        else:
            manager = person.username
    return _Staff(agents=agents, supervisor=supervisor, manager=manager)


_FIRST_NAMES = {p.username: p.first_name for p in content.PEOPLE}


def _plan_ticket(
    rng: random.Random,
    now: datetime,
    staff: _Staff,
    customers: list[CustomerPlan],
    weights: list[float],
    forced: tuple[int, str] | None,
) -> TicketPlan:
    script = rng.choices(content.SCRIPTS, [s.weight for s in content.SCRIPTS])[0]
    if forced is not None:
        customer_index, channel = forced
        script = next(s for s in content.SCRIPTS if s.key == "damaged_replacement")
    else:
        channel = rng.choices(_CHANNELS, _CHANNEL_WEIGHTS[script.team])[0]
        written = channel not in LIVE_CHANNELS
        eligible = [
            i
            for i, c in enumerate(customers)
            if (c.team == script.team or (script.team == "retail" and rng.random() < 0.05))
            and (not written or any(identity.kind == channel for identity in c.identities))
        ] or list(range(len(customers)))
        customer_index = rng.choices(eligible, [weights[i] for i in eligible])[0]
    buyer = customers[customer_index]
    language = buyer.language
    identity = next((i for i in buyer.identities if i.kind == channel), None)
    product_list = content.B2B_PRODUCTS if script.team == "b2b" else content.PRODUCTS
    product = rng.choice(product_list).pick(language)
    amount = rng.choice(content.PRICES)
    courier = rng.choice(sorted(content.COURIERS))
    context = {
        "name": buyer.name.split()[0].title() if buyer.name else "",
        "shop": content.SHOP,
        "product": product,
        "order": f"INV/{rng.randint(24, 26)}{rng.randint(1, 12):02d}/{rng.randint(10000, 99999)}",
        "courier": courier,
        "tracking": f"{content.COURIERS[courier]}{rng.randint(10**9, 10**10 - 1)}",
        "amount": f"Rp{amount:,}".replace(",", ".") if language == "id" else f"IDR {amount:,}",
        "company": buyer.company or content.SHOP,
        "quantity": str(rng.choice([10, 20, 25, 40, 50, 100])),
        "city": rng.choice(content.CITIES),
        "agent": "",
    }
    opened = _opened_at(rng, now, channel)
    plan = _Ticket(
        now=now, rng=rng, language=language, channel=channel, context=context, clock=opened
    )
    subject = plan.text(rng.choice(script.subjects))
    subject = subject[:1].upper() + subject[1:]
    team = buyer.team
    # Customers of the corporate desk often write to the general address first.
    first_team = "retail" if team == "b2b" and rng.random() < 0.25 else team
    target = _target_status(rng, now - opened)
    live = channel in LIVE_CHANNELS

    def agent_of(team_key: str, avoid: str | None = None) -> str:
        choices = [a for a in staff.agents[team_key] if a != avoid] or staff.agents[team_key]
        return rng.choice(choices)

    def say(text: Text, by: str) -> str:
        plan.context["agent"] = _FIRST_NAMES.get(by, "")
        said = plan.text(text)
        if channel == "email":
            said += plan.text(content.SIGNATURE)
        return said

    if live:
        first_team = team
        agent = agent_of(team)
        on_the_spot = target in (RESOLVED, CLOSED) and rng.random() < 0.6
        plan.add(
            opened,
            "log",
            by=agent,
            text=plan.text(script.logged),
            on_the_spot=on_the_spot,
            sop_kinds=SPOKEN,
        )
        plan.assignee = agent
        beats: tuple[Beat, ...] = ()
        if not on_the_spot:
            if target in (NEW, OPEN):
                plan.add(plan.agent_after(1, 20), "status", by=agent, status=OPEN)
                text = content.LIVE_FOLLOW_UP
                plan.add(plan.agent_after(1, 10), "note", by=agent, text=text, sop_kinds=DONE)
            elif target == PENDING_CUSTOMER:
                text = say(content.LIVE_WAITING, agent)
                at = plan.agent_after(1, 5)
                plan.add(at, "reply", by=agent, text=text, status=target, sop_kinds=SPOKEN)
            else:
                beats = _live_beats(script)
                beats = beats[: _cut(rng, beats, target, NEW)]
    else:
        plan.add(
            opened, "open", text=plan.text(script.typed if channel != "email" else script.written)
        )
        if first_team != team:
            plan.add(
                plan.agent_after(5, 60),
                "team",
                by=staff.supervisor,
                team=team,
                text=content.REASSIGN_ON_RETURN,
            )
        if target != NEW or rng.random() < 0.4:
            agent = agent_of(team)
            by = agent if rng.random() < 0.6 else staff.supervisor
            if plan.add(plan.agent_after(1, 25), "assign", by=by, assignee=agent):
                plan.assignee = agent
        beats = () if target == NEW else script.beats[: _cut(rng, script.beats, target, NEW)]

    if buyer.is_vip and plan.assignee and plan.status != RESOLVED and rng.random() < 0.8:
        by = plan.assignee
        plan.add(plan.agent_after(1, 10), "priority", by=by, priority="high", text=content.VIP_NOTE)

    handover_at = rng.randint(2, max(2, len(beats))) if rng.random() < 0.12 else -1
    for index, beat in enumerate(beats, start=1):
        if plan.is_out_of_time:
            break
        worker = plan.assignee or agent_of(team)
        if index == handover_at and worker != staff.supervisor:
            colleague = agent_of(team, avoid=worker)
            plan.context["agent"] = _FIRST_NAMES[colleague]
            text = rng.choice(content.HANDOVER_NOTES).format_map(plan.context)
            plan.add(plan.agent_after(5, 90), "note", by=worker, text=text)
            if plan.add(plan.agent_after(1, 5), "assign", by=staff.supervisor, assignee=colleague):
                worker = plan.assignee = colleague
        if beat.kind == "reply":
            after_waiting = plan.status == PENDING_INTERNAL
            at = plan.agent_after(120, 1200) if after_waiting else plan.response_time()
            if plan.status == RESOLVED:  # the follow-up (MISSION F1): one to three days later
                at = plan.agent_after(24 * 60, 72 * 60)
            text = say(beat.text, worker)
            if live:
                text = plan.text(content.CALLBACK_PREFIX) + text
            plan.add(at, "reply", by=worker, text=text, status=beat.status, **_sop(beat, SPOKEN))
        elif beat.kind == "customer":
            plan.add(plan.customer_time(), "receive", text=plan.text(beat.text))
        elif beat.kind == "note":
            text = plan.text(beat.text)
            plan.add(plan.agent_after(4, 60), "note", by=worker, text=text, **_sop(beat, DONE))
        elif beat.kind == "internal":
            text = plan.text(beat.text)
            plan.add(plan.agent_after(3, 40), "note", by=worker, text=text, **_sop(beat, DONE))
            plan.add(plan.agent_after(0.5, 2), "status", by=worker, status=PENDING_INTERNAL)
        elif beat.kind == "urgent":
            text = plan.text(beat.text)
            plan.add(plan.agent_after(2, 20), "note", by=worker, text=text, **_sop(beat, DONE))
            plan.add(plan.agent_after(0.5, 2), "priority", by=worker, priority="urgent")
        elif beat.kind == "escalate":
            text = plan.text(beat.text)
            sop = _sop(beat, ("decision", "escalate"))
            plan.add(plan.agent_after(1, 15), "note", by=worker, text=text, **sop)
            if plan.add(
                plan.agent_after(5, 45), "assign", by=staff.supervisor, assignee=staff.supervisor
            ):
                plan.assignee = staff.supervisor

    if target == CLOSED and plan.status == RESOLVED and not plan.is_out_of_time:
        closer = plan.assignee or staff.supervisor
        plan.add(plan.agent_after(2 * 24 * 60, 6 * 24 * 60), "status", by=closer, status=CLOSED)

    priority = "normal"
    if script.category == "pertanyaan-produk" and rng.random() < 0.3:
        priority = "low"
    return TicketPlan(
        customer=customer_index,
        channel=channel,
        identity=identity if not live else None,
        team=first_team,
        category=script.category,
        subject=subject,
        priority=priority,
        steps=tuple(plan.steps),
        status=plan.status,
        sop_outcome=content.SOP_OUTCOMES.get(script.key, ""),
    )


def demo_plan(*, seed: int, tickets: int, customers: int, now: datetime) -> DemoPlan:
    """The whole demo desk, decided up front. Same arguments, same desk."""
    # Reproducible on purpose; nothing here is a secret.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    staff = _staff()
    people = _customers(rng, max(customers, 2), now)
    # A few customers write again and again; most write once or twice.
    weights = [min(rng.paretovariate(1.2), 12.0) for _ in people]
    # Both halves of the duplicate pair must have a ticket for the merge to be worth doing.
    forced = {1: (0, "email"), 4: (1, "chat")}
    plans = [
        _plan_ticket(rng, now, staff, people, weights, forced.get(index))
        for index in range(tickets)
    ]
    plans.sort(key=lambda p: p.opened_at)
    return DemoPlan(customers=tuple(people), tickets=tuple(plans))
