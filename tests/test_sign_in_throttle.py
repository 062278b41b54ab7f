"""Sign-in throttling stops guessing and never hands an attacker the power to lock a user out (issue 25).

The probe from outside: fourteen wrong passwords for a known username, and the real owner's correct
password then got 429 for 15 minutes; with two workers ten guesses were evaluated instead of five; and
twenty usernames tried from one address were each answered 401. Each test below is that probe.
"""

from __future__ import annotations

import threading
from collections import Counter

import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.serving import call, two_servers
from tests.test_web import csrf
from workflow.ledger import LedgerEntry

HOME, ELSEWHERE = "10.0.0.7", "203.0.113.66"


def _token(client, username: str, password: str, address: str):
    return client.post(
        "/api/v1/tokens", json={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _web(app, username: str, password: str, address: str):
    client = app.test_client()
    env = {"REMOTE_ADDR": address}
    token = csrf(client.get("/login", environ_base=env))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, environ_base=env
    )


def test_failures_from_elsewhere_do_not_lock_the_owner_out(app, client, org):
    for _ in range(14):
        assert _token(client, "spokesperson", "sai-mat-khau", ELSEWHERE).status_code in (401, 429)
    assert _token(client, "spokesperson", "sai-mat-khau", ELSEWHERE).status_code == 429
    # The owner, at their own desk, gets in on the API and in the browser alike.
    assert _token(client, "spokesperson", PASSWORD, HOME).status_code == 201
    assert _web(app, "spokesperson", PASSWORD, HOME).status_code == 302


def test_guessing_one_account_from_one_address_stops_after_five(client, org):
    statuses = [_token(client, "leader", f"doan-{i}", ELSEWHERE).status_code for i in range(5)]
    assert statuses == [401] * 5
    r = _token(client, "leader", PASSWORD, ELSEWHERE)  # even the right password: it is not even read
    assert r.status_code == 429 and r.json["rule"] == "sign_in_throttled"
    assert 0 < int(r.headers["Retry-After"]) <= 15 * 60


def test_one_address_cannot_try_every_account(client, org):
    names = [f"nguoi-{i}" for i in range(20)]
    statuses = [_token(client, name, "sai", ELSEWHERE).status_code for name in names]
    assert statuses[:15] == [401] * 15 and set(statuses[15:]) == {429}
    r = _token(client, "author", PASSWORD, ELSEWHERE)
    assert r.status_code == 429 and r.json["rule"] == "sign_in_address_throttled"
    assert _token(client, "author", PASSWORD, HOME).status_code == 201  # another address is not affected


def test_an_ipv6_host_is_counted_by_its_64_network(client, org):
    # One host may take any address of its /64: guesses spread over them are one place's guesses.
    statuses = [_token(client, "leader", f"doan-{i}", f"2001:db8:7:1::{i + 1:x}").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    assert _token(client, "leader", PASSWORD, "2001:db8:7:2::1").status_code == 201  # the next /64 is elsewhere


def test_counting_places(org):
    from auth.throttle import place_of

    assert place_of("2001:db8:7:1:a:b:c:d") == place_of("2001:db8:7:1::1") == "2001:db8:7:1::/64"
    assert place_of("::ffff:203.0.113.66") == place_of("203.0.113.66") == "203.0.113.66"
    assert place_of("10.0.0.7") != place_of("10.0.0.8")


def test_a_successful_sign_in_gives_its_attempt_back(client, org):
    for _ in range(3):
        _token(client, "author", "sai", HOME)
    for _ in range(10):  # a busy morning of scripts signing in: none of these count against anyone
        assert _token(client, "author", PASSWORD, HOME).status_code == 201
    assert [_token(client, "author", "sai", HOME).status_code for _ in range(5)] == [401] * 5


def test_an_attack_from_many_addresses_raises_an_alert_and_spares_the_owners_usual_address(app, client, org, session):
    app.config["SIGN_IN_ACCOUNT_LIMIT"] = "12 per hour"
    try:
        assert _token(client, "leader", PASSWORD, HOME).status_code == 201  # where the owner signs in from
        statuses = [_token(client, "leader", "doan", f"198.51.100.{i}").status_code for i in range(20)]
        assert statuses[:12] == [401] * 12 and set(statuses[12:]) == {429}  # the owner's success was given back
        alerts = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "sign_in_alert")).all()
        assert len(alerts) == 1 and alerts[0].data["username"] == "leader" and alerts[0].data["attempts"] == 12
        assert _token(client, "leader", PASSWORD, HOME).status_code == 201
        assert _web(app, "leader", PASSWORD, HOME).status_code == 302
        r = _token(client, "leader", PASSWORD, "192.0.2.1")  # a place the owner never signed in from
        assert r.status_code == 429 and r.json["rule"] == "sign_in_account_throttled"
    finally:
        app.config["SIGN_IN_ACCOUNT_LIMIT"] = "100 per hour"


def test_the_alert_is_shown_to_the_administrator(app, client, org, browser):
    from tests.test_web import login

    app.config["SIGN_IN_ACCOUNT_LIMIT"] = "3 per hour"
    try:
        for i in range(5):
            _token(client, "auditor", "doan", f"198.51.100.{i}")
    finally:
        app.config["SIGN_IN_ACCOUNT_LIMIT"] = "100 per hour"
    page = login(browser(), "admin").get("/admin").get_data(as_text=True)
    assert 'data-sign-in-alert="auditor"' in page


def test_the_refusal_speaks_the_users_language(app, org):
    for _ in range(5):
        _web(app, "leader", "sai", ELSEWHERE)
    r = _web(app, "leader", PASSWORD, ELSEWHERE)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Quá nhiều lần thử đăng nhập" in r.get_data(as_text=True)


def test_two_server_processes_evaluate_exactly_five_guesses(tmp_path):
    """Two gunicorn servers (two workers each) on one database: twenty guesses at once, five evaluated."""
    with two_servers(tmp_path) as (ports, _seeded):
        barrier = threading.Barrier(20)
        statuses: list[int] = []

        def guess(i: int) -> None:
            barrier.wait()
            base = f"http://127.0.0.1:{ports[i % 2]}"
            statuses.append(call(base, "/api/v1/tokens", body={"username": "spokesperson", "password": f"g{i}"})[0])

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert Counter(statuses) == {401: 5, 429: 15}
