from __future__ import annotations

from sigap.sops.document import Keywords, Triggers
from sigap.sops.matching import Candidate, TicketTopic, choose

DAMAGED = Candidate(
    "damaged-product",
    Triggers(
        categories=["damaged-product"],
        keywords=Keywords(id=["rusak", "pecah"], en=["damaged", "broken"]),
        precedence=50,
    ),
)
COMPLAINT = Candidate(
    "complaint",
    Triggers(keywords=Keywords(id=["kecewa", "komplain"], en=["complaint"]), precedence=10),
)
CHAT_GREETING = Candidate("chat-greeting", Triggers(channels=["chat"]))
GENERAL = Candidate("general-enquiry", Triggers())
ALL = [GENERAL, CHAT_GREETING, COMPLAINT, DAMAGED]


def _ticket(text: str, channel: str = "email", category: str | None = None) -> TicketTopic:
    return TicketTopic(channel=channel, priority="normal", category=category, text=text)


def test_keyword_in_either_language_picks_the_damaged_product_sop() -> None:
    indonesian = choose(ALL, _ticket("Paket saya datang RUSAK dan layarnya pecah"))
    english = choose(ALL, _ticket("The vase arrived broken"))

    assert indonesian is not None
    assert indonesian.key == "damaged-product"
    assert indonesian.reasons == [("keyword", "rusak"), ("keyword", "pecah")]
    assert english is not None
    assert english.key == "damaged-product"


def test_keywords_match_whole_words_only() -> None:
    match = choose(ALL, _ticket("Saya ingin memperusak harga? tidak, hanya tanya"))

    assert match is not None
    assert match.key == "general-enquiry"
    assert match.reasons == [("fallback", "")]


def test_higher_precedence_wins_when_several_match() -> None:
    match = choose(ALL, _ticket("Saya kecewa, barangnya rusak"))

    assert match is not None
    assert match.key == "damaged-product"


def test_category_alone_is_enough() -> None:
    match = choose(ALL, _ticket("Tolong bantu", category="damaged-product"))

    assert match is not None
    assert match.reasons == [("category", "damaged-product")]


def test_a_channel_specific_fallback_beats_the_general_one() -> None:
    match = choose(ALL, _ticket("Halo", channel="chat"))

    assert match is not None
    assert match.key == "chat-greeting"
    assert match.reasons == [("channel", "chat"), ("fallback", "")]


def test_ties_are_broken_by_key_so_the_choice_never_wobbles() -> None:
    twins = [Candidate("b-sop", Triggers()), Candidate("a-sop", Triggers())]

    assert [choose(twins, _ticket("x")) for _ in range(3)] == [
        choose(twins[::-1], _ticket("x"))
    ] * 3
    chosen = choose(twins, _ticket("x"))
    assert chosen is not None
    assert chosen.key == "a-sop"


def test_accents_and_case_do_not_matter() -> None:
    candidate = Candidate("cafe", Triggers(keywords=Keywords(en=["café crème"])))

    match = choose([candidate], _ticket("CAFE CREME was cold"))

    assert match is not None


def test_nothing_matches_without_a_fallback() -> None:
    assert choose([DAMAGED, COMPLAINT], _ticket("Jam buka toko?")) is None
