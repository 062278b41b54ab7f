"""Every route that shows unreleased text logs the read; every other route says why it shows none.

The two tables below cover the application's whole URL map: a new route that is in neither fails
`test_every_route_is_classified`, so nobody can add a way to read drafts that leaves no trace.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.test_web import login
from workflow.ledger import LedgerEntry

#: Routes that show unreleased text, how to call them for statement `s` (as a GET), and the versions shown.
LOGGED = {
    "statements.StatementResource": ("api", "/api/v1/statements/{s}", [2]),
    "statements.Statements": ("api", "/api/v1/statements?q=phong+chong", [2]),
    "statements.Versions": ("api", "/api/v1/statements/{s}/versions", [1, 2]),
    "statements.get_version": ("api", "/api/v1/statements/{s}/versions/1", [1]),
    "statements.Privacy": ("api", "/api/v1/statements/{s}/privacy", [2]),
    "statements.Figures": ("api", "/api/v1/statements/{s}/figures", [2]),
    "statements.diff": ("api", "/api/v1/statements/{s}/versions/1/diff/2", [1, 2]),
    "statements.export": ("api", "/api/v1/statements/{s}/export?format=txt", [2]),
    "web.statement": ("web", "/statements/{s}", [2]),
    # A list shows titles and finds statements by their body: read like the API's list (issue 25).
    "web.statements": ("web", "/statements?q=phong+chong", [2]),
    "web.inbox": ("web", "/inbox", [2]),
    "web.edit": ("web", "/statements/{s}/edit", [2]),
    "web.diff": ("web", "/statements/{s}/versions/1/diff/2", [1, 2]),
    "web.export": ("web", "/statements/{s}/export?format=pdf", [2]),
    "web.variant_choices": ("web", "/statements/{s}/variants", [2]),
}

#: Routes that show no unreleased text, and why.
NOT_CONTENT = {
    "api-docs.openapi_json": "the API's description",
    "auth.login": "sign-in",
    "auth.logout": "sign-out",
    "i18n.switch": "language choice",
    "pages.api_docs": "the API's description",
    "pages.home": "a welcome page",
    "static": "style sheet and script",
    "tokens.CurrentToken": "token revocation",
    "tokens.Me": "the caller's own account",
    "tokens.create_token": "sign-in",
    "press.feed": "released statements only",
    "press.figures_csv": "released statements only",
    "rumours.focal": "who keeps a unit's watch",
    "rumours.set_focal": "who keeps a unit's watch",
    "web.watch_focal": "who keeps a unit's watch",
    "press.verify_page": "released statements only",
    "press.verify_link": "released statements only",
    "press.short_link": "a redirect",
    "press.checkpoint": "the ledger's signed head",
    "press.checkpoint_json": "the ledger's signed head",
    "press.ledger_key": "a public key",
    "public.verify_text": "released statements only",
    "public.verify_hash": "released statements only",
    "press.index": "released statements only",
    "press.show": "released statements only",
    "public.one": "released statements only",
    "public.released": "released statements only",
    "ledger.entries": "ledger entries: who did what, never the text",
    "ledger.verify": "the chain's verification",
    "ledger.workflow": "the lifecycle's description",
    "statements.history": "ledger entries: who did what, never the text",
    "statements.act": "answers the decider, whose decision entry records the version",
    "organisation.RuleResource": "sensitivity rules",
    "organisation.Rules": "sensitivity rules",
    "organisation.Spokesperson": "designation",
    "organisation.UnitResource": "units",
    "organisation.Units": "units",
    "organisation.UserResource": "people",
    "organisation.Users": "people",
    "organisation.sensitivity_preview": "the rules the sender's own text matches",
    "web.sensitivity_preview": "the rules the sender's own text matches",
    "web.act": "redirects after the decision, whose entry records the version; a release's preview logs its read",
    "web.compare": "redirects to web.diff, which logs",
    "web.new_statement": "the drafter's own new text, recorded by its content entry",
    "web.admin": "units and people",
    "web.admin_units": "units",
    "web.admin_people": "people",
    "web.admin_remove_spokesperson": "designation",
    "web.admin_create_unit": "units",
    "web.admin_create_user": "people",
    "web.admin_designate": "designation",
    "web.admin_grant_role": "people",
    "web.toggle_rule": "sensitivity rules",
    "web.unit_rules": "sensitivity rules",
    "web.my_rules": "a redirect to one's own unit's rules",
    "web.audit_export": "ledger entries: who did what, never the text",
    "web.audit_ledger": "ledger entries: who did what, never the text",
    "web.audit_verify": "the chain's verification",
    "disclosures.open_case": "the investigator's own pasted text, and titles within their scope; logged as a case",
    "disclosures.close_case": "a finding, logged as such",
    "disclosures.get_case": "a case: pasted text and titles within the investigator's scope",
    "disclosures.list_cases": "cases",
    "disclosures.violations": "the register of violations",
    "web.disclosure": "a case: pasted text and titles within the investigator's scope",
    "web.disclosures": "cases",
    "web.violations": "the register of violations",
    # Counts, units and names of people: no statement's title or text (test_dashboard checks).
    "dashboard.dashboard": "figures about statements, never their text",
    "web.dashboard": "figures about statements, never their text",
    # A notification names a statement by number and unit, never its text (test_notifications checks).
    "notifications.list_notifications": "notifications",
    "notifications.mark_read": "notifications",
    "notifications.settings": "notification settings",
    "notifications.change_settings": "notification settings",
    "web.notifications": "notifications",
    "web.open_notification": "a redirect to the statement, whose page logs its reading",
    "web.mark_all_read": "notifications",
    "web.notification_settings": "notification settings",
    "organisation.Deadlines": "a unit's deadlines",
    "organisation.FiguresPolicy": "a unit's policy for figures",
    "web.unit_deadlines": "a unit's deadlines",
    "web.unit_figures": "a unit's policy for figures",
    "organisation.ActingSpokespersons": "who stands in for a unit's spokesperson",
    "organisation.end_acting": "an acting appointment",
    "web.unit_acting": "who stands in for a unit's spokesperson",
    "web.unit_acting_appoint": "an acting appointment",
    "web.acting_end": "an acting appointment",
    # A question from the press names its answer by number and state, never its title or text.
    "press_requests.register": "a question from the press",
    "press_requests.listed": "questions from the press",
    "press_requests.one": "a question from the press",
    "press_requests.assign": "a question from the press",
    "press_requests.answer": "a question from the press",
    "press_requests.refuse": "a question from the press",
    "press_requests.policy": "a unit's time limits for answering the press",
    "press_requests.set_policy": "a unit's time limits for answering the press",
    "web.press_requests": "questions from the press",
    "web.press_request": "a question, and the unit's interview statements by number, author and date",
    "web.write_answer": "a question, and an empty editor for its answer",
    # A letter names its statement by number; its subject, recipients and signer are the issuer's words.
    "letters.issue": "a letter: its number, subject, recipients and signer",
    "letters.of_statement": "letters: their numbers, subjects, recipients and signers",
    "letters.one": "a letter: its number, subject, recipients and signer",
    "letters.cancel": "a letter: its number, subject, recipients and signer",
    "letters.letterhead": "a unit's letterhead",
    "record.commend": "a commendation: who, for what, statements by number",
    "record.listed": "commendations: who, for what, statements by number",
    "web.record": "commendations and violations: who, for what, statements and cases by number",
    "letters.set_letterhead": "a unit's letterhead",
    "letters.numbering": "a unit's last number of the year",
    "letters.continue_numbering": "a unit's last number of the year",
    # A report counts and times; it names units, never a statement's text or title.
    "reports.report": "a unit's figures for a period",
    "reports.report_file": "a unit's figures for a period",
    "web.reports": "a unit's figures for a period",
    "web.report_print": "a unit's figures for a period",
    "web.report_file": "a unit's figures for a period",
    "reports.issue": "an issued report: its number and a unit's figures for a period",
    "reports.issued_of": "issued reports: their numbers, periods and signers",
    "reports.issued_file": "an issued report: its number and a unit's figures for a period",
    "web.report_issue": "an issued report: its number and a unit's figures for a period",
    "web.issued_report_file": "an issued report: its number and a unit's figures for a period",
    "web.issue_letter": "the form to issue a letter: the unit's letterhead",
    "web.letter": "a letter: its number, subject, recipients and signer",
    "web.letterhead": "a unit's letterhead",
    "web.refusal_notice": "a refused question's notice: the question, the ground and reason, who refused",
    "web.press_policy": "a unit's time limits for answering the press",
    # An item seen outside is public text; it names the unit's statements by number and state, and what it
    # matched of the released ones (public).
    "rumours.record": "an item seen outside, matched with released statements",
    "rumours.listed": "items seen outside",
    "rumours.one": "an item seen outside",
    "rumours.assess": "an item seen outside",
    "rumours.link": "an item seen outside",
    "rumours.report": "an item seen outside",
    "web.rumours": "items seen outside",
    "web.rumour": "an item seen outside and what it matched of the released statements",
    "web.write_correction": "an item seen outside, and an empty editor for its correction",
}


#: Routes that log their reads, checked where their own fixtures are (they need more than a statement).
LOGGED_ELSEWHERE = {
    "letters.document": "tests/test_letters.py: a letter's file of unreleased content is a logged read",
    "web.letter_document": "tests/test_letters.py: a letter's file of unreleased content is a logged read",
}


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = endpoints - LOGGED.keys() - NOT_CONTENT.keys() - LOGGED_ELSEWHERE.keys()
    assert not unclassified, f"routes that may show unreleased text without logging it: {sorted(unclassified)}"
    assert not (LOGGED.keys() & NOT_CONTENT.keys())
    named = LOGGED.keys() | NOT_CONTENT.keys() | LOGGED_ELSEWHERE.keys()
    assert not (named - endpoints), "the tables name routes that no longer exist"


@pytest.fixture
def revised(api, make_statement, session, org):
    """An unreleased statement at version 2."""
    from statements.lifecycle.service import add_version

    s = make_statement(title="Phòng chống sốt xuất huyết", body="Phiên bản đầu tiên của thông cáo.")
    add_version(
        session,
        s.id,
        org.actor("author"),
        {"title": "Phòng chống sốt xuất huyết", "body": "Phiên bản thứ hai, đã bổ sung số liệu 1.245 ca."},
        version=1,
    )
    session.commit()
    return s


def reads(session, after: int) -> list[tuple]:
    return session.execute(
        sa.select(LedgerEntry.actor, LedgerEntry.action, LedgerEntry.statement_id, LedgerEntry.version)
        .where(LedgerEntry.seq > after, LedgerEntry.kind == "access")
        .order_by(LedgerEntry.seq)
    ).all()


def head(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(LedgerEntry.seq), 0)))


@pytest.mark.parametrize("endpoint", sorted(LOGGED))
def test_route_logs_each_unreleased_version_it_shows(endpoint, app, api, revised, session):
    via, path, versions = LOGGED[endpoint]
    if endpoint == "web.inbox":  # what awaits the spokesperson: submitted
        submitted = api("author").post(
            f"/api/v1/statements/{revised.id}/actions", json={"action": "submit", "version": 2}
        )
        assert submitted.status_code == 200
    # The edit form, and where copies differ, open for drafters only.
    reader = "drafter2" if endpoint in ("web.edit", "web.variant_choices") else "spokesperson"
    client = api(reader) if via == "api" else login(app.test_client(), reader)
    before = head(session)
    r = client.get(path.format(s=revised.id))
    assert r.status_code == 200, (endpoint, r.status_code)
    action = "export" if endpoint.endswith("export") else "read"
    assert reads(session, before) == [(reader, action, revised.id, v) for v in versions], endpoint


@pytest.mark.parametrize("endpoint", ["statements.StatementResource", "web.statement", "statements.export"])
def test_released_content_is_not_logged(endpoint, app, api, statement_in, session):
    s = statement_in("released")
    via, path, _ = LOGGED[endpoint]
    client = api("outsider") if via == "api" else login(app.test_client(), "outsider")
    before = head(session)
    assert client.get(path.format(s=s.id)).status_code == 200
    assert reads(session, before) == []


def test_refused_reads_log_nothing(api, revised, session):
    before = head(session)
    assert api("outsider").get(f"/api/v1/statements/{revised.id}").status_code == 404
    assert reads(session, before) == []


def test_reads_are_in_the_chain(api, revised, session):
    from workflow.ledger.verification import verify

    api("leader").get(f"/api/v1/statements/{revised.id}/versions/1")
    entry = session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).one()
    assert (entry.kind, entry.actor, entry.version, entry.data["how"]) == ("access", "leader", 1, "api_version")
    assert entry.content_hash == revised.versions[0].content_hash
    assert verify(session).ok
