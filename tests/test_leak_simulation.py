"""Leak simulations: copies exported to several people, then pasted, retyped, edited, cut and mixed.

Each generated case knows who really had the copy that leaked; the investigation's answer is
compared with it. The measured accuracy is printed at the end of the run (and kept in
docs/disclosure-tracing.md); the assertions hold the floor we promise.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections import defaultdict
from pathlib import Path

import pytest

from statements.copies import exports
from statements.disclosure.service import open_case
from statements.lifecycle.queries import get_statement
from statements.lifecycle.reads import log_reads
from statements.lifecycle.service import add_version, create_statement, decide
from workflow.guards import identifies_people
from workflow.text import strip_diacritics, strip_invisible

CASES = 40
READERS = ["author", "drafter2", "spokesperson", "leader", "ministry_leader", "auditor"]
SAMPLES = json.loads((Path(__file__).parent.parent / "statements/demo_data/statements.json").read_text("utf-8"))
POOL = [p for s in SAMPLES["statements"] for p in s["body"].split("\n\n") if len(p.split()) >= 12]

#: Filled by the tests, printed by conftest's terminal summary.
REPORT: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))


def _figures(text: str, rng: random.Random) -> str:
    """Give every figure a new value of the same shape, so each generated statement is its own."""

    def new(m: re.Match) -> str:
        digits = m.group()
        return str(rng.randrange(10 ** (len(digits) - 1) if len(digits) > 1 else 1, 10 ** len(digits))).zfill(
            len(digits)
        )

    return re.sub(r"(?<![/\d])\d+(?![/\d])", new, text)  # dates keep their values, so they stay dates


def _statement_text(rng: random.Random) -> tuple[str, str]:
    paragraphs = [_figures(p, rng) for p in rng.sample(POOL, 3)]
    title = f"Thông cáo số {rng.randrange(100, 999)}: {' '.join(paragraphs[0].split()[:8])}"
    return title, "\n\n".join(paragraphs)


def _retype(text: str, rng: random.Random, *, edit: bool) -> str:
    """Retype a copy as a person would: no invisible marks, often no diacritics, paragraphs reordered, words changed."""
    text = strip_invisible(text)
    if rng.random() < 0.5:
        text = strip_diacritics(text)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    rng.shuffle(paragraphs)
    if edit:
        if len(paragraphs) > 2:
            paragraphs.pop(rng.randrange(len(paragraphs)))
        words = " \n ".join(paragraphs).split(" ")
        for _ in range(3):
            words[rng.randrange(len(words))] = rng.choice(["theo", "ghi nhận", "thêm", "cũng"])
        paragraphs = " ".join(words).split(" \n ")
    # A typist now and then writes a form their own way.
    return "\n\n".join(p.replace(" %", "%") if rng.random() < 0.2 else p for p in paragraphs)


@pytest.fixture
def world(session, org):
    """Make statements of SYT-HN, give copies to some readers and let others read on screen."""
    rng = random.Random(20261123)

    def statement(state: str = "in_review"):
        title, body = _statement_text(rng)
        fields = {"title": title, "body": body, "kind": "regular", "urgency": "normal", "topics": []}
        s = create_statement(session, org.actor("author"), "SYT-HN", fields)
        decide(session, s.id, org.actor("author"), "submit", version=1)
        if state == "released":
            if s.sensitive:
                decide(session, s.id, org.actor("spokesperson"), "escalate", version=1, comment="Cần ý kiến.")
                decide(session, s.id, org.actor("leader"), "sign_off", version=1)
            else:
                decide(session, s.id, org.actor("spokesperson"), "approve", version=1)
            if identifies_people(s):  # a sample paragraph names a patient: released on a leader's recorded basis
                decide(session, s.id, org.actor("leader"), "record_legal_duty", version=1, comment="Luật định.")
            decide(session, s.id, org.actor("spokesperson"), "release", version=1)
        session.commit()
        return s

    def hand_out(s, recipients: list[str], screen: list[str]) -> dict[str, str]:
        copies = {}
        for who in recipients:
            copy = exports.make_copy(session, s.id, org.actor(who), "txt")
            copies[who] = f"{copy.title}\n{copy.body}"
        for who in screen:
            log_reads(session, org.actor(who), get_statement(session, s.id, org.actor(who)), [s.current], "test")
        session.commit()
        return copies

    def investigate(text: str):
        seen = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        case = open_case(session, org.actor("auditor"), text, "mạng xã hội", seen)
        session.commit()
        return case.analysis

    ns = type("World", (), {})()
    ns.rng, ns.statement, ns.hand_out, ns.investigate = rng, statement, hand_out, investigate
    return ns


def _split(readers: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    people = rng.sample(readers, len(readers))
    k = rng.randrange(3, 5)
    return people[:k], people[k : k + 2]


def _rank(analysis: dict, who: str) -> int | None:
    """Return where the evidence ranks `who` (1: first), or None: only evidence that tells people apart ranks."""
    names = [p["username"] for p in analysis["suspects"] if p["distinguished"]]
    return names.index(who) + 1 if who in names else None


def _innocents(analysis: dict, leaker: str) -> tuple[bool, bool]:
    """Return whether an innocent came first, and whether one was credited by variants."""
    first = analysis["suspects"][0] if analysis["suspects"] else None
    innocent_first = first is not None and first["username"] != leaker and first["distinguished"]
    credited = any(
        e["type"] == "variants" for p in analysis["suspects"] if p["username"] != leaker for e in p["evidence"]
    )
    return innocent_first, credited


def test_pasted_paragraph_names_its_recipient(world, backend):
    report = REPORT[f"pasted paragraph [{backend}]"]
    for _ in range(CASES):
        s = world.statement()
        recipients, screen = _split(READERS, world.rng)
        copies = world.hand_out(s, recipients, screen)
        leaker = world.rng.choice(recipients)
        paragraph = world.rng.choice([p for p in copies[leaker].split("\n") if len(p.split()) > 5])
        analysis = world.investigate(paragraph)
        report["recipient ranked first"].append(_rank(analysis, leaker) == 1)
        report["copy identified"].append([e["recipient"] for e in analysis["exports"]] == [leaker])
        report["statement found"].append(bool(analysis["matches"]) and analysis["matches"][0]["statement"] == s.id)
    assert all(report["recipient ranked first"]) and all(report["copy identified"])


@pytest.mark.parametrize("edit", [False, True], ids=["retyped", "retyped-and-edited"])
def test_retyped_copy_finds_the_version_and_ranks_its_readers(world, backend, edit):
    report = REPORT[f"{'retyped and edited' if edit else 'retyped'}, no marks [{backend}]"]
    for _ in range(CASES):
        s = world.statement()
        recipients, screen = _split(READERS, world.rng)
        copies = world.hand_out(s, recipients, screen)
        leaker = world.rng.choice(recipients)
        analysis = world.investigate(_retype(copies[leaker], world.rng, edit=edit))
        best = analysis["matches"][0] if analysis["matches"] else {}
        report["version found first"].append((best.get("statement"), best.get("version")) == (s.id, 1))
        report["recipient named first by evidence"].append(_rank(analysis, leaker) == 1)
        innocent_first, credited = _innocents(analysis, leaker)
        report["an innocent first"].append(innocent_first)
        report["an innocent credited by variants"].append(credited)
        report["nobody ranked: the group shown"].append(not analysis["distinguished"])
        everyone = set(recipients) | set(screen) | {"author"}
        report["every reader listed"].append(everyone <= {p["username"] for p in analysis["suspects"]})
        # Without evidence that tells them apart, nobody stands above the rest of the group.
        assert analysis["distinguished"] or analysis["narrowing"], analysis["suspects"][:3]
        assert not analysis["exports"]
    assert sum(report["version found first"]) >= 0.95 * len(report["version found first"])
    assert all(report["every reader listed"])
    # Never an innocent first, never an innocent credited by variants (issue 29).
    assert not any(report["an innocent first"]) and not any(report["an innocent credited by variants"])
    # Three paragraphs carry about ten vetted choices among three or four copies (50-57% named when retyped,
    # about a quarter when also edited, in the runs recorded in docs/disclosure-tracing.md); the floor, two
    # standard deviations of 40 trials below, leaves room for chance and fails if the variants stop working.
    named = report["recipient named first by evidence"]
    assert sum(named) >= (0.1 if edit else 0.35) * len(named)


def test_cut_and_mixed_copies_find_both_sources(world, backend):
    report = REPORT[f"cut and mixed from two statements [{backend}]"]
    for _ in range(CASES // 2):
        a, b = world.statement(), world.statement()
        people = world.rng.sample(READERS, 2)
        copy_a = world.hand_out(a, [people[0]], [])[people[0]]
        copy_b = world.hand_out(b, [people[1]], [])[people[1]]
        pick = lambda c: world.rng.choice([p for p in c.split("\n")[1:] if len(p.split()) > 5])  # noqa: E731
        analysis = world.investigate(pick(copy_a) + "\n\n" + pick(copy_b))
        found = {m["statement"] for m in analysis["matches"]}
        report["both statements found"].append({a.id, b.id} <= found)
        report["both recipients named by their copies"].append(
            {e["recipient"] for e in analysis["exports"]} == set(people)
        )
        top = {p["username"] for p in analysis["suspects"][:2]}
        report["both recipients ranked in the top 2"].append(top == set(people))
    assert all(report["both statements found"]) and all(report["both recipients named by their copies"])


def test_released_text_is_reported_as_released(world, backend):
    report = REPORT[f"released text [{backend}]"]
    for i in range(CASES // 2):
        s = world.statement("released")
        text = s.current.body if i % 2 else _retype(s.current.body, world.rng, edit=False)
        analysis = world.investigate(text)
        report["reported as released"].append(analysis["released"] and not analysis["matches"])
    assert all(report["reported as released"])


def test_an_earlier_draft_is_told_from_the_later_one(world, session, org, backend):
    report = REPORT[f"earlier draft after revision [{backend}]"]
    for _ in range(CASES // 2):
        s = world.statement()
        decide(session, s.id, org.actor("spokesperson"), "request_changes", version=1, comment="Sửa số liệu.")
        copies = world.hand_out(s, ["leader"], [])
        _title, body = _statement_text(world.rng)
        first = s.current.body.split("\n\n")
        add_version(
            session,
            s.id,
            org.actor("author"),
            {"title": s.current.title, "body": "\n\n".join([first[0], body.split("\n\n")[1], first[2]])},
            version=1,
        )
        session.commit()
        analysis = world.investigate(_retype(copies["leader"], world.rng, edit=False))
        scores = {m["version"]: m["score"] for m in analysis["matches"] if m["statement"] == s.id}
        # Equal scores happen only when the new paragraph reads like the old one; then both are right.
        report["earlier version scored highest"].append(scores.get(1, 0) >= max(scores.values(), default=1))
    assert all(report["earlier version scored highest"])
