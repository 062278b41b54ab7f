"""A walk through every page each person sees, in both languages: no string in the wrong one.

A Vietnamese page must not show an English string of the interface (a catalogue msgid left
untranslated, or a library's own English), and an English page must not show the interface's
Vietnamese. Statements' own text is data and is left out: the walk looks only at the interface.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.test_web import csrf, login

ROOT = Path(__file__).resolve().parent.parent
#: English that libraries write on their own; none of it may reach a Vietnamese page.
LIBRARY_ENGLISH = [
    "Please log in",
    "Longer than",
    "Shorter than",
    "Not a valid",
    "Missing data",
    "Unknown field",
    "No such",
    "Field may not",
    "Only ",
]
#: Pages each person reads; {s} is a statement of their unit in review, {r} a released one.
PAGES = {
    "author": [
        "/inbox",
        "/statements",
        "/statements/new",
        "/statements/{s}",
        "/statements/{r}",
        "/statements/{r}/edit",
        "/press",
        "/",
        "/notifications",
        "/notifications/settings",
    ],
    "spokesperson": ["/inbox", "/statements?q=tiem", "/statements/{s}", "/statements/{r}", "/notifications"],
    "leader": [
        "/inbox",
        "/statements/{s}",
        "/units/SYT-HN/rules",
        "/units/SYT-HN/deadlines",
        "/disclosures",
        "/violations",
    ],
    "auditor": [
        "/statements",
        "/statements/{s}",
        "/audit/ledger",
        "/audit/ledger?statement=abc&since=2026-13-45",
        "/audit/verify",
        "/audit/export.csv",
        "/disclosures",
    ],
    "admin": ["/admin", "/admin/units", "/admin/people", "/audit/ledger", "/units/SYT-HN/rules"],
    "outsider": ["/statements/{s}", "/audit/ledger", "/no-such-page"],
}


@cache
def _catalogue() -> list[tuple[str, str]]:
    with (ROOT / "statements/translations/vi/LC_MESSAGES/messages.po").open("rb") as f:
        return [(m.id, m.string) for m in read_po(f) if isinstance(m.id, str) and m.id and m.string]


def _fixed_parts(message: str) -> list[str]:
    """Return the pieces of a message between its placeholders that are long enough to be telling."""
    parts = re.split(r"%\(\w+\)[sd]|%[sd]", message)
    return [p.strip() for p in parts if len(p.strip().split()) >= 3]


def _interface_text(page: str, data: list[str]) -> str:
    """Return what the page shows of the interface: visible text without the statements' own words."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    for value in data:
        text = text.replace(value, " ")
    return " ".join(text.split())


def wrong_language(page: str, lang: str, data: list[str]) -> list[str]:
    """Return the strings of the other language that the page shows."""
    text = _interface_text(page, data)
    found = []
    for msgid, msgstr in _catalogue():
        if msgid == msgstr:
            continue  # the same in both (a name, a format)
        other = msgid if lang == "vi" else msgstr
        found += [part for part in _fixed_parts(other) if part in text]
    if lang == "vi":
        found += [phrase for phrase in LIBRARY_ENGLISH if phrase in text]
    return sorted(set(found))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_speaks_one_language(browser, org, statement_in, lang):
    in_review = statement_in("in_review")
    released = statement_in("released")
    data = [v for s in (in_review, released) for v in (s.current.title, s.current.body)]
    problems = {}
    for who, paths in PAGES.items():
        c = login(browser(), who, lang)
        for path in paths:
            r = c.get(path.format(s=in_review.id, r=released.id))
            if found := wrong_language(r.get_data(as_text=True), lang, data):
                problems[f"{who} {path} ({r.status_code})"] = found
    assert not problems, problems


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_messages_after_actions_speak_one_language(browser, org, statement_in, lang):
    s = statement_in("in_review")
    data = [s.current.title, s.current.body]
    problems = {}
    anonymous = browser()
    if lang != "vi":
        anonymous.get(f"/lang/{lang}")
    # Sent to sign in: the message on the sign-in page.
    page = anonymous.get(f"/statements/{s.id}", follow_redirects=True).get_data(as_text=True)
    problems["sign-in required"] = wrong_language(page, lang, data)
    spokes = login(browser(), "spokesperson", lang)
    token = csrf(spokes.get(f"/statements/{s.id}"))
    steps = {
        "a refusal": {"action": "approve", "version": "7"},
        "a missing reason": {"action": "reject", "version": "1"},
        "a decision": {"action": "request_changes", "version": "1", "comment": "Bổ sung số liệu."},
    }
    for name, form in steps.items():
        r = spokes.post(f"/statements/{s.id}/act", data={"csrf_token": token, **form}, follow_redirects=True)
        problems[name] = wrong_language(r.get_data(as_text=True), lang, data)
    author = login(browser(), "author", lang)
    r = author.post(
        "/statements/new",
        data={"csrf_token": csrf(author.get("/statements/new")), "unit": "SYT-HN", "title": "Ồ" * 501, "body": ""},
    )
    problems["field errors"] = wrong_language(r.get_data(as_text=True), lang, data)
    assert not {k: v for k, v in problems.items() if v}, problems


def test_the_walk_finds_english_on_a_vietnamese_page():
    assert wrong_language("<p>Please log in to access this page.</p>", "vi", []) == ["Please log in"]
    assert wrong_language("<p>Only auditors and administrators may read the ledger.</p>", "vi", [])
    assert wrong_language("<p>Chỉ thanh tra và quản trị viên mới được xem sổ nhật ký.</p>", "en", [])
    assert not wrong_language("<p>Chỉ thanh tra và quản trị viên mới được xem sổ nhật ký.</p>", "vi", [])
