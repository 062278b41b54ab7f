"""The access-control matrix: every route of the URL map × every kind of person, against a table.

Each route names who gets through (a 2xx or a redirect to where they were going); everyone else must
be refused: 401 from the API or a redirect to sign-in for nobody signed in, 403 or 404 for the rest.
The people stand for roles in the statement's own unit (SYT-HN), above it (BYT), and in another unit
(SYT-DN). A route missing from the table fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from auth.tokens import issue_token
from statements.disclosure.service import open_case
from statements.letters import service as letters
from statements.notifications.models import Notification
from statements.org.acting import appoint
from statements.pressdesk import service as pressdesk
from statements.reports import service as reports
from statements.rumours import service as rumours
from tests.conftest import PASSWORD
from tests.test_web import login
from workflow.sensitivity import SensitivityRule

PERSONS = {
    "anonymous": None,
    "author": "author",  # drafter of SYT-HN who wrote the statement
    "drafter": "drafter2",  # another drafter of SYT-HN
    "spokesperson": "spokesperson",  # SYT-HN's designated spokesperson
    "leader": "leader",  # leader of SYT-HN
    "ministry_leader": "ministry_leader",  # leader of BYT, above SYT-HN
    "other_drafter": "outsider",  # drafter of SYT-DN
    "other_spokesperson": "dn_spokesperson",  # SYT-DN's spokesperson
    "auditor": "auditor",
    "admin": "admin",
}
EVERYONE = set(PERSONS)
SIGNED_IN = EVERYONE - {"anonymous"}
DRAFTERS = {"author", "drafter"}
UNIT_READERS = {"author", "drafter", "spokesperson", "leader", "ministry_leader", "auditor"}
COMPETENT_LEADERS = {"leader", "ministry_leader"}
INVESTIGATORS = COMPETENT_LEADERS | {"auditor"}
RULE_EDITORS = COMPETENT_LEADERS | {"admin"}
#: A unit's rules, and what a draft would match of them, are the unit's: one rule for the API and the page.
RULE_READERS = UNIT_READERS | {"admin"}
LEDGER_READERS = {"auditor", "admin"}
#: Who registers and answers a unit's questions from the press, and who may refuse one.
PRESS_DESK = DRAFTERS | {"spokesperson"} | COMPETENT_LEADERS
PRESS_REFUSERS = {"spokesperson"} | COMPETENT_LEADERS
LETTER_ISSUERS = {"spokesperson", "leader"}  # the unit's own: its head signs its letters
REPORT_READERS = {"spokesperson"} | COMPETENT_LEADERS | {"auditor"}
LETTERHEAD = {
    "full_name": "Sở Y tế Hà Nội",
    "parent_name": "UBND thành phố Hà Nội",
    "symbol": "SYT-NV",
    "place": "Hà Nội",
    "recipients": ["Các cơ quan báo chí"],
    "copies_to": ["Như trên"],
    "archive": "NV",
    "signers": [{"mark": "GIÁM ĐỐC", "name": "Trần Quốc Bảo"}],
}
SEEN = {"unit": "SYT-HN", "platform": "Zalo", "address": "https://zalo.me/g/abc", "summary": "Tin đồn về dịch sởi."}
QUESTION = {"unit": "SYT-HN", "outlet": "Báo Tuổi Trẻ", "journalist": "Lê Minh", "contact": "minh@tuoitre.vn",
            "question": "Có bao nhiêu ca mắc sởi?"}  # fmt: skip

# (endpoint, method) -> (path, body, who gets through). Paths name {s}: a statement in review, {d}: a
# draft, {r}: a released statement, {case}: a disclosure case about {s}, {rule}: one of SYT-HN's rules.
MATRIX: dict[tuple[str, str], tuple[str, dict | None, set[str]]] = {
    # public or anyone's
    ("api-docs.openapi_json", "GET"): ("/api/v1/openapi.json", None, EVERYONE),
    ("pages.api_docs", "GET"): ("/api/v1/docs", None, EVERYONE),
    ("pages.home", "GET"): ("/", None, EVERYONE),
    ("static", "GET"): ("/static/pressgate.css", None, EVERYONE),
    ("i18n.switch", "GET"): ("/lang/en", None, EVERYONE),
    ("auth.login", "GET"): ("/login", None, EVERYONE),
    ("auth.login", "POST"): ("/login", {"username": "nobody", "password": "wrong"}, EVERYONE),
    ("auth.logout", "POST"): ("/logout", {}, EVERYONE),
    ("ledger.workflow", "GET"): ("/api/v1/workflow", None, EVERYONE),
    ("public.released", "GET"): ("/api/v1/public/statements", None, EVERYONE),
    ("public.one", "GET"): ("/api/v1/public/statements/{r}", None, EVERYONE),
    ("press.index", "GET"): ("/press", None, EVERYONE),
    ("press.show", "GET"): ("/press/{r}", None, EVERYONE),
    ("press.feed", "GET"): ("/press/feed.atom", None, EVERYONE),
    ("press.figures_csv", "GET"): ("/press/figures.csv", None, EVERYONE),
    ("rumours.focal", "GET"): ("/api/v1/units/SYT-HN/watch-focal", None, UNIT_READERS),
    ("rumours.set_focal", "PUT"): (
        "/api/v1/units/SYT-HN/watch-focal",
        {"username": "author"},
        COMPETENT_LEADERS | {"admin"},
    ),
    ("web.watch_focal", "POST"): ("/rumours/focal/SYT-HN", {"username": "author"}, COMPETENT_LEADERS | {"admin"}),
    # is this statement genuine? anyone may ask, about released statements only (issue 30)
    ("press.verify_page", "GET"): ("/press/verify", None, EVERYONE),
    ("press.verify_page", "POST"): (
        "/press/verify",
        {"text": "Một đoạn văn bản bất kỳ được dán vào để kiểm tra."},
        EVERYONE,
    ),
    ("press.verify_link", "GET"): ("/press/verify/{rh}", None, EVERYONE),
    ("press.short_link", "GET"): ("/press/v/{rh}", None, EVERYONE),
    ("press.checkpoint", "GET"): ("/press/checkpoint", None, EVERYONE),
    ("press.checkpoint_json", "GET"): ("/press/checkpoint.json", None, EVERYONE),
    ("press.ledger_key", "GET"): ("/press/ledger-key.pem", None, EVERYONE),
    ("public.verify_text", "POST"): (
        "/api/v1/public/verify",
        {"text": "Một đoạn văn bản bất kỳ để kiểm tra."},
        EVERYONE,
    ),
    ("public.verify_hash", "GET"): ("/api/v1/public/verify/{rh}", None, EVERYONE),
    # tokens and the organisation
    ("tokens.create_token", "POST"): ("/api/v1/tokens", {"username": "{me}", "password": PASSWORD}, SIGNED_IN),
    ("tokens.CurrentToken", "DELETE"): ("/api/v1/tokens/current", None, SIGNED_IN),
    ("tokens.Me", "GET"): ("/api/v1/me", None, SIGNED_IN),
    ("organisation.Units", "GET"): ("/api/v1/units", None, SIGNED_IN),
    ("organisation.Units", "POST"): ("/api/v1/units", {"code": "TT-MOI", "name": "Trung tâm mới"}, {"admin"}),
    ("organisation.UnitResource", "GET"): ("/api/v1/units/SYT-HN", None, SIGNED_IN),
    ("organisation.Spokesperson", "PUT"): ("/api/v1/units/SYT-HN/spokesperson", {"username": "drafter2"}, {"admin"}),
    ("organisation.Rules", "GET"): ("/api/v1/units/SYT-HN/rules", None, RULE_READERS),
    ("organisation.Rules", "POST"): (
        "/api/v1/units/SYT-HN/rules",
        {"code": "thu-nghiem", "label": "Thử nghiệm", "keywords": ["thử nghiệm"]},
        RULE_EDITORS,
    ),
    ("organisation.RuleResource", "PATCH"): ("/api/v1/units/SYT-HN/rules/{rule}", {"active": False}, RULE_EDITORS),
    ("organisation.sensitivity_preview", "POST"): (
        "/api/v1/units/SYT-HN/sensitivity-preview",
        {"title": "Tin", "body": "Một ca tử vong."},
        RULE_READERS,
    ),
    ("organisation.Users", "GET"): ("/api/v1/users", None, SIGNED_IN),
    ("organisation.Users", "POST"): (
        "/api/v1/users",
        {"username": "nguoi-moi", "full_name": "Người mới", "password": "mat-khau-dai-du-12"},
        {"admin"},
    ),
    ("organisation.UserResource", "GET"): ("/api/v1/users/author", None, SIGNED_IN),
    # statements through the API
    ("statements.Statements", "GET"): ("/api/v1/statements", None, SIGNED_IN),
    ("statements.Statements", "POST"): (
        "/api/v1/statements",
        {"unit": "SYT-HN", "title": "Tin mới", "body": "Nội dung tin mới."},
        DRAFTERS,
    ),
    ("statements.StatementResource", "GET"): ("/api/v1/statements/{s}", None, UNIT_READERS),
    ("statements.Versions", "GET"): ("/api/v1/statements/{s}/versions", None, UNIT_READERS),
    ("statements.Versions", "POST"): (
        "/api/v1/statements/{d}/versions",
        {"version": 1, "title": "Tin đã sửa", "body": "Nội dung đã sửa."},
        DRAFTERS,
    ),
    ("statements.get_version", "GET"): ("/api/v1/statements/{s}/versions/1", None, UNIT_READERS),
    # where the text identifies people, and its redaction: whoever may read the text (issue 30)
    ("statements.Privacy", "GET"): ("/api/v1/statements/{s}/privacy", None, UNIT_READERS),
    # its figures as the spokesperson reviews them: whoever may read the text (issue 30)
    ("statements.Figures", "GET"): ("/api/v1/statements/{s}/figures", None, UNIT_READERS),
    ("statements.diff", "GET"): ("/api/v1/statements/{s}/versions/1/diff/1", None, UNIT_READERS),
    ("statements.act", "POST"): (
        "/api/v1/statements/{s}/actions",
        {"action": "request_changes", "version": 1, "comment": "Bổ sung số liệu."},
        {"spokesperson"},
    ),
    ("statements.history", "GET"): ("/api/v1/statements/{s}/history", None, UNIT_READERS),
    ("statements.export", "GET"): ("/api/v1/statements/{s}/export?format=txt", None, UNIT_READERS),
    # ledger and disclosures
    ("ledger.entries", "GET"): ("/api/v1/ledger", None, LEDGER_READERS),
    ("ledger.verify", "GET"): ("/api/v1/ledger/verify", None, LEDGER_READERS),
    ("disclosures.open_case", "POST"): (
        "/api/v1/disclosures",
        {"text": "Nội dung lan truyền trên mạng xã hội.", "seen_where": "Facebook", "seen_at": "{now}"},
        INVESTIGATORS,
    ),
    ("disclosures.list_cases", "GET"): ("/api/v1/disclosures", None, INVESTIGATORS),
    ("disclosures.get_case", "GET"): ("/api/v1/disclosures/{case}", None, INVESTIGATORS),
    ("disclosures.close_case", "POST"): (
        "/api/v1/disclosures/{case}/finding",
        {"outcome": "inconclusive", "finding": "Chưa đủ căn cứ."},
        INVESTIGATORS,
    ),
    ("disclosures.violations", "GET"): ("/api/v1/violations", None, INVESTIGATORS),
    # pages
    ("web.inbox", "GET"): ("/inbox", None, SIGNED_IN),
    ("web.statements", "GET"): ("/statements", None, SIGNED_IN),
    ("web.new_statement", "GET"): ("/statements/new", None, SIGNED_IN),
    ("web.new_statement", "POST"): (
        "/statements/new",
        {"unit": "SYT-HN", "title": "Tin mới", "body": "Nội dung.", "kind": "regular", "urgency": "normal"},
        DRAFTERS,
    ),
    ("web.statement", "GET"): ("/statements/{s}", None, UNIT_READERS),
    ("web.edit", "GET"): ("/statements/{d}/edit", None, DRAFTERS),  # the form opens only for whom saving it is allowed
    ("web.edit", "POST"): (
        "/statements/{d}/edit",
        {"version": "1", "title": "Tin sửa", "body": "Nội dung sửa.", "kind": "regular", "urgency": "normal"},
        DRAFTERS,
    ),
    ("web.act", "POST"): (
        "/statements/{s}/act",
        {"action": "request_changes", "version": "1", "comment": "Bổ sung số liệu."},
        {"spokesperson"},
    ),
    ("web.sensitivity_preview", "POST"): (
        "/statements/sensitivity-preview",
        {"unit": "SYT-HN", "title": "Tin", "body": "Một ca tử vong."},
        RULE_READERS,
    ),
    # compare only redirects to the diff, which decides
    ("web.compare", "GET"): ("/statements/{s}/compare?a=1&b=1", None, SIGNED_IN),
    ("web.diff", "GET"): ("/statements/{s}/versions/1/diff/1", None, UNIT_READERS),
    ("web.export", "GET"): ("/statements/{s}/export?format=txt", None, UNIT_READERS),
    # where copies differ: for the unit's drafters, who vet the choices, and auditors (issue 29)
    ("web.variant_choices", "GET"): ("/statements/{s}/variants", None, DRAFTERS | {"auditor"}),
    ("web.audit_ledger", "GET"): ("/audit/ledger", None, LEDGER_READERS),
    ("web.audit_verify", "GET"): ("/audit/verify", None, LEDGER_READERS),
    ("web.audit_export", "GET"): ("/audit/export.csv", None, LEDGER_READERS),
    ("web.admin", "GET"): ("/admin", None, {"admin"}),
    ("web.admin_units", "GET"): ("/admin/units", None, {"admin"}),
    ("web.admin_people", "GET"): ("/admin/people", None, {"admin"}),
    ("web.admin_remove_spokesperson", "POST"): (
        "/admin/units/SYT-DN/spokesperson/remove",
        {"confirmed": "1"},
        {"admin"},
    ),
    ("organisation.Spokesperson", "DELETE"): ("/api/v1/units/SYT-DN/spokesperson", None, {"admin"}),
    ("web.admin_create_unit", "POST"): ("/admin/units", {"code": "TT-MOI", "name": "Trung tâm mới"}, {"admin"}),
    ("web.admin_create_user", "POST"): (
        "/admin/users",
        {"username": "nguoi-moi", "full_name": "Người mới", "password": "mat-khau-dai-du-12"},
        {"admin"},
    ),
    ("web.admin_designate", "POST"): ("/admin/units/SYT-HN/spokesperson", {"username": "drafter2"}, {"admin"}),
    ("web.admin_grant_role", "POST"): ("/admin/users/bv_drafter/roles", {"unit": "BV-HN", "role": "leader"}, {"admin"}),
    ("web.unit_rules", "GET"): ("/units/SYT-HN/rules", None, RULE_READERS),
    # To one's own unit's rules: everyone with a role in a unit (the auditor and the admin have none to go to).
    ("web.my_rules", "GET"): ("/rules", None, SIGNED_IN - {"auditor", "admin"}),
    ("web.unit_rules", "POST"): (
        "/units/SYT-HN/rules",
        {"code": "thu-nghiem", "label": "Thử nghiệm", "keywords": "thử nghiệm"},
        RULE_EDITORS,
    ),
    ("web.toggle_rule", "POST"): ("/units/SYT-HN/rules/{rule}/toggle", {"active": "0"}, RULE_EDITORS),
    ("web.disclosures", "GET"): ("/disclosures", None, INVESTIGATORS),
    ("web.disclosures", "POST"): (
        "/disclosures",
        {"text": "Nội dung lan truyền trên mạng.", "seen_where": "Zalo", "seen_at": "{local_now}"},
        INVESTIGATORS,
    ),
    ("web.disclosure", "GET"): ("/disclosures/{case}", None, INVESTIGATORS),
    ("web.disclosure", "POST"): (
        "/disclosures/{case}",
        {"outcome": "inconclusive", "finding": "Chưa rõ."},
        INVESTIGATORS,
    ),
    ("web.violations", "GET"): ("/violations", None, INVESTIGATORS),
    ("organisation.Deadlines", "GET"): ("/api/v1/units/SYT-HN/deadlines", None, RULE_READERS),
    ("organisation.Deadlines", "PUT"): (
        "/api/v1/units/SYT-HN/deadlines",
        {"hours": {"normal": {"review": {"regular": 8}}}, "days_off": []},
        COMPETENT_LEADERS | {"admin"},
    ),
    ("organisation.FiguresPolicy", "GET"): ("/api/v1/units/SYT-HN/figures-policy", None, RULE_READERS),
    ("organisation.FiguresPolicy", "PUT"): (
        "/api/v1/units/SYT-HN/figures-policy",
        {"min_analysis_words": 10, "raw_share_percent": 40},
        COMPETENT_LEADERS | {"admin"},
    ),
    ("web.unit_figures", "GET"): ("/units/SYT-HN/figures", None, RULE_READERS),
    ("web.unit_figures", "POST"): (
        "/units/SYT-HN/figures",
        {"min_analysis_words": "10", "raw_share_percent": "40"},
        COMPETENT_LEADERS | {"admin"},
    ),
    ("web.unit_deadlines", "GET"): ("/units/SYT-HN/deadlines", None, RULE_READERS),
    ("web.unit_deadlines", "POST"): (
        "/units/SYT-HN/deadlines",
        {"normal.review.regular": "8"},
        COMPETENT_LEADERS | {"admin"},
    ),
    # acting spokespersons ({a}: an appointment in BV-HN, below SYT-HN, so that SYT-HN's own is free)
    ("organisation.ActingSpokespersons", "GET"): ("/api/v1/units/SYT-HN/acting-spokespersons", None, RULE_READERS),
    ("organisation.ActingSpokespersons", "POST"): (
        "/api/v1/units/SYT-HN/acting-spokespersons",
        {"username": "drafter2", "reason": "Nghỉ phép.", "ends_at": "{later}"},
        RULE_EDITORS,
    ),
    ("organisation.end_acting", "POST"): ("/api/v1/acting-spokespersons/{a}/end", {"reason": "Xong."}, RULE_EDITORS),
    ("web.unit_acting", "GET"): ("/units/SYT-HN/acting", None, RULE_READERS),
    ("web.unit_acting_appoint", "POST"): (
        "/units/SYT-HN/acting",
        {"username": "drafter2", "reason": "Nghỉ phép.", "ends_at": "{local_later}"},
        RULE_EDITORS,
    ),
    ("web.acting_end", "POST"): ("/acting/{a}/end", {"unit": "BV-HN", "reason": "Xong."}, RULE_EDITORS),
    # the leaders' dashboard: leaders of the units they lead, auditors of every unit
    ("dashboard.dashboard", "GET"): ("/api/v1/dashboard", None, COMPETENT_LEADERS | {"auditor"}),
    ("web.dashboard", "GET"): ("/dashboard", None, COMPETENT_LEADERS | {"auditor"}),
    # each person's own notifications ({n}: the spokesperson's, about {s})
    ("notifications.list_notifications", "GET"): ("/api/v1/notifications", None, SIGNED_IN),
    ("notifications.mark_read", "POST"): ("/api/v1/notifications/read", {}, SIGNED_IN),
    ("notifications.settings", "GET"): ("/api/v1/notifications/settings", None, SIGNED_IN),
    ("notifications.change_settings", "PATCH"): ("/api/v1/notifications/settings", {"language": "en"}, SIGNED_IN),
    ("web.notifications", "GET"): ("/notifications", None, SIGNED_IN),
    ("web.open_notification", "GET"): ("/notifications/{n}", None, {"spokesperson"}),
    ("web.mark_all_read", "POST"): ("/notifications/read", {}, SIGNED_IN),
    ("web.notification_settings", "GET"): ("/notifications/settings", None, SIGNED_IN),
    ("web.notification_settings", "POST"): ("/notifications/settings", {"language": "en"}, SIGNED_IN),
    # questions from the press ({pq}: SYT-HN's, open; {iv}: an interview draft of SYT-HN to answer it)
    ("press_requests.register", "POST"): ("/api/v1/press-requests", QUESTION | {"received_at": "{now}"}, PRESS_DESK),
    ("press_requests.listed", "GET"): ("/api/v1/press-requests", None, SIGNED_IN),
    ("press_requests.one", "GET"): ("/api/v1/press-requests/{pq}", None, UNIT_READERS),
    ("press_requests.assign", "POST"): ("/api/v1/press-requests/{pq}/assign", {"assignee": "author"}, PRESS_DESK),
    ("press_requests.answer", "POST"): ("/api/v1/press-requests/{pq}/answer", {"statement": "{iv}"}, PRESS_DESK),
    ("press_requests.refuse", "POST"): (
        "/api/v1/press-requests/{pq}/refusal",
        {"ground": "state_secret", "reason": "Bí mật nhà nước."},
        PRESS_REFUSERS,
    ),
    ("press_requests.policy", "GET"): ("/api/v1/units/SYT-HN/press-policy", None, RULE_READERS),
    ("press_requests.set_policy", "PUT"): (
        "/api/v1/units/SYT-HN/press-policy",
        {"normal_days": 20, "urgent_days": 2},
        COMPETENT_LEADERS | {"admin"},
    ),
    ("web.press_requests", "GET"): ("/press-requests", None, SIGNED_IN),
    ("web.press_requests", "POST"): ("/press-requests", QUESTION | {"received_at": "{local_now}"}, PRESS_DESK),
    ("web.press_request", "GET"): ("/press-requests/{pq}", None, UNIT_READERS),
    ("web.press_request", "POST"): ("/press-requests/{pq}", {"do": "assign", "assignee": "author"}, PRESS_DESK),
    ("web.write_answer", "GET"): ("/press-requests/{pq}/answer/new", None, DRAFTERS),
    ("web.refusal_notice", "GET"): ("/press-requests/{pr}/refusal-notice", None, UNIT_READERS),
    ("web.write_answer", "POST"): (
        "/press-requests/{pq}/answer/new",
        {"title": "Trả lời Báo Tuổi Trẻ", "body": "Có 12 ca.", "urgency": "normal", "kind": "interview"},
        DRAFTERS,
    ),
    # items seen outside ({ru}: SYT-HN's, judged beyond its authority; {rf}: one judged false)
    ("rumours.record", "POST"): ("/api/v1/rumours", SEEN | {"first_seen_at": "{now}"}, PRESS_DESK),
    ("rumours.listed", "GET"): ("/api/v1/rumours", None, SIGNED_IN),
    ("rumours.one", "GET"): ("/api/v1/rumours/{ru}", None, UNIT_READERS),
    ("rumours.assess", "POST"): (
        "/api/v1/rumours/{ru}/assessment",
        {"assessment": "false", "note": "Sai."},
        PRESS_REFUSERS,
    ),
    ("rumours.link", "POST"): ("/api/v1/rumours/{ru}/links", {"concerns": "{d}"}, PRESS_DESK),
    ("rumours.report", "POST"): ("/api/v1/rumours/{ru}/report", {"note": "Thẩm quyền của Bộ."}, PRESS_REFUSERS),
    ("web.rumours", "GET"): ("/rumours", None, SIGNED_IN),
    ("web.rumours", "POST"): ("/rumours", SEEN | {"first_seen_at": "{local_now}"}, PRESS_DESK),
    ("web.rumour", "GET"): ("/rumours/{ru}", None, UNIT_READERS),
    ("web.rumour", "POST"): ("/rumours/{ru}", {"do": "link", "concerns": "{d}"}, PRESS_DESK),
    ("web.write_correction", "GET"): ("/rumours/{rf}/correction/new", None, DRAFTERS),
    ("web.write_correction", "POST"): (
        "/rumours/{rf}/correction/new",
        {"title": "Đính chính", "body": "Số ca đúng là 12.", "urgency": "urgent"},
        DRAFTERS,
    ),
    # the record: commendations beside the violations
    ("record.commend", "POST"): (
        "/api/v1/commendations",
        {"unit": "SYT-HN", "person": "author", "description": "Thông cáo kịp thời."},
        COMPETENT_LEADERS,
    ),
    ("record.listed", "GET"): ("/api/v1/commendations", None, INVESTIGATORS),
    ("web.record", "GET"): ("/record", None, INVESTIGATORS),
    ("web.record", "POST"): (
        "/record",
        {"do": "commend", "person": "SYT-HN/author", "description": "Thông cáo kịp thời."},
        COMPETENT_LEADERS,
    ),
    # periodic reports: the unit's figures, its leaders' and spokesperson's and auditors' to read
    ("reports.report", "GET"): ("/api/v1/reports/SYT-HN?period=2026-Q1", None, REPORT_READERS),
    ("reports.report_file", "GET"): ("/api/v1/reports/SYT-HN/file?period=2026-Q1&format=csv", None, REPORT_READERS),
    ("web.reports", "GET"): ("/reports?unit=SYT-HN&period=2026-Q1", None, REPORT_READERS),
    ("web.report_print", "GET"): ("/reports/print?unit=SYT-HN&period=2026-Q1", None, REPORT_READERS),
    ("web.report_file", "GET"): ("/reports/file?unit=SYT-HN&period=2026-Q1&format=xlsx", None, REPORT_READERS),
    # {ir}: a report SYT-HN issued under its number, issued as its letters are
    ("reports.issue", "POST"): ("/api/v1/reports/SYT-HN/issue", {"period": "2026-Q2"}, LETTER_ISSUERS),
    ("reports.issued_of", "GET"): ("/api/v1/reports/SYT-HN/issued", None, REPORT_READERS),
    ("reports.issued_file", "GET"): ("/api/v1/issued-reports/{ir}/file?format=csv", None, REPORT_READERS),
    ("web.report_issue", "POST"): ("/reports/issue", {"unit": "SYT-HN", "period": "2026-Q2"}, LETTER_ISSUERS),
    ("web.issued_report_file", "GET"): ("/issued-reports/{ir}/file?format=xlsx", None, REPORT_READERS),
    # official letters ({ap}: an approved statement of SYT-HN; {lt}: a letter issued from it)
    ("letters.issue", "POST"): ("/api/v1/statements/{ap}/letters", {"subject": "thông tin dịch bệnh"}, LETTER_ISSUERS),
    ("letters.of_statement", "GET"): ("/api/v1/statements/{ap}/letters", None, UNIT_READERS),
    ("letters.one", "GET"): ("/api/v1/letters/{lt}", None, UNIT_READERS),
    ("letters.document", "GET"): ("/api/v1/letters/{lt}/document?format=docx", None, LETTER_ISSUERS | {"auditor"}),
    ("letters.cancel", "POST"): ("/api/v1/letters/{lt}/cancel", {"reason": "Nhầm nơi nhận."}, LETTER_ISSUERS),
    ("letters.letterhead", "GET"): ("/api/v1/units/SYT-HN/letterhead", None, RULE_READERS),
    ("letters.numbering", "GET"): ("/api/v1/units/SYT-HN/numbering", None, RULE_READERS),
    ("letters.continue_numbering", "PUT"): (
        "/api/v1/units/SYT-HN/numbering",
        {"last": 500, "reason": "Sổ giấy."},
        {"admin"},
    ),
    ("letters.set_letterhead", "PUT"): ("/api/v1/units/SYT-HN/letterhead", LETTERHEAD, {"admin"}),
    ("web.issue_letter", "GET"): ("/statements/{ap}/letters/new", None, UNIT_READERS),
    ("web.issue_letter", "POST"): ("/statements/{ap}/letters/new", {"subject": "thông tin dịch bệnh"}, LETTER_ISSUERS),
    ("web.letter", "GET"): ("/letters/{lt}", None, UNIT_READERS),
    ("web.letter", "POST"): ("/letters/{lt}", {"do": "cancel", "reason": "Nhầm nơi nhận."}, LETTER_ISSUERS),
    ("web.letter_document", "GET"): ("/letters/{lt}/document?format=pdf", None, LETTER_ISSUERS | {"auditor"}),
    ("web.letterhead", "GET"): ("/units/SYT-HN/letterhead", None, RULE_READERS),
    ("web.letterhead", "POST"): (
        "/units/SYT-HN/letterhead",
        {k: v for k, v in LETTERHEAD.items() if k != "signers"}
        | {
            "recipients": "Các cơ quan báo chí",
            "copies_to": "Như trên",
            "signer_mark": "GIÁM ĐỐC",
            "signer_name": "Trần Quốc Bảo",
        },
        {"admin"},
    ),
    ("web.press_policy", "POST"): (
        "/press-requests/policy/SYT-HN",
        {"normal_days": "20", "urgent_days": "2"},
        COMPETENT_LEADERS | {"admin"},
    ),
}


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - MATRIX.keys() == set(), "routes without a row in the access-control matrix"
    assert MATRIX.keys() - routes == set(), "rows for routes that no longer exist"


@pytest.fixture
def world(app, session, org, statement_in, make_statement, tmp_path):
    import json

    from statements.i18n import LOCAL_ZONE
    from workflow.ledger import checkpoints

    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; here the question is who
    s = statement_in("in_review", body="Dự thảo: 312 ca sốt xuất huyết tại hai huyện ven sông trong tuần 46.")
    d, r = make_statement(), statement_in("released")
    case = open_case(session, org.actor("auditor"), s.current.body, "Facebook", dt.datetime.now(dt.UTC))
    # Its submission told the spokesperson (written from its ledger entry, in its transaction here).
    n = session.scalar(sa.select(Notification.id).where(Notification.statement_id == s.id))
    assert n is not None
    rule = session.scalar(
        sa.select(SensitivityRule.code).where(SensitivityRule.unit_id == s.unit_id).order_by(SensitivityRule.id)
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    a = appoint(session, org.actor("leader"), "BV-HN", "bv_drafter", "Trực dịch.", later).id
    pq = pressdesk.register(session, org.actor("author"), "SYT-HN", outlet="Báo Tuổi Trẻ", journalist="Lê Minh",
                            contact="minh@tuoitre.vn", question="Có bao nhiêu ca?",
                            received_at=dt.datetime.now(dt.UTC)).id  # fmt: skip
    refused = pressdesk.register(session, org.actor("author"), "SYT-HN", outlet="Báo Thanh Niên", journalist="Hà An",
                                 contact="an@thanhnien.vn", question="Ai là người bệnh?",
                                 received_at=dt.datetime.now(dt.UTC)).id  # fmt: skip
    pressdesk.refuse(session, org.actor("spokesperson"), refused, "private_secret", "Bí mật đời tư của người bệnh.")
    iv = make_statement(kind="interview").id
    seen = {"platform": "Zalo", "address": "https://zalo.me/g/abc", "summary": "Tin đồn.",
            "first_seen_at": dt.datetime.now(dt.UTC)}  # fmt: skip
    ru = rumours.record(session, org.actor("author"), "SYT-HN", **seen)
    rumours.assess(session, org.actor("spokesperson"), ru.id, "beyond_authority", "Thẩm quyền của Bộ.")
    ap = statement_in("approved").id
    letters.update_letterhead(session, org.actor("admin"), "SYT-HN", LETTERHEAD)
    lt = letters.issue(session, org.actor("spokesperson"), ap, subject="thông tin dịch bệnh").id
    ir = reports.issue(session, org.actor("spokesperson"), "SYT-HN", "2026-Q1").id
    rf = rumours.record(session, org.actor("author"), "SYT-HN", **seen)
    rumours.assess(session, org.actor("spokesperson"), rf.id, "false", "Sai sự thật.")
    session.commit()
    # A signed checkpoint for the press room to publish, with the key it was signed with.
    app.config["LEDGER_KEY"] = str(tmp_path / "ledger.pem")
    app.config["CHECKPOINT_DIR"] = str(tmp_path / "checkpoints")
    checkpoints.generate_key(tmp_path / "ledger.pem")
    signed = checkpoints.make_checkpoint(session, checkpoints.load_private(tmp_path / "ledger.pem"))
    session.commit()
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / checkpoints.default_name(signed)).write_text(json.dumps(signed), "utf-8")
    yield {
        "a": a,
        "later": later.isoformat(),
        "local_later": later.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M"),
        "s": s.id,
        "d": d.id,
        "r": r.id,
        "rh": r.released_hash,
        "case": case.id,
        "n": n,
        "rule": rule,
        "pq": pq,
        "pr": refused,
        "ap": ap,
        "lt": lt,
        "ir": ir,
        "ru": ru.id,
        "rf": rf.id,
        "iv": iv,
        "now": dt.datetime.now(dt.UTC).isoformat(),
        "local_now": dt.datetime.now(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M"),
    }
    app.config["WTF_CSRF_ENABLED"] = True


def _fill(value, names: dict):
    if isinstance(value, str) and value[1:-1] in names and isinstance(names[value[1:-1]], int) and value[0] == "{":
        return names[value[1:-1]]  # a body's id stays a number
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _request(app, session, org, person: str, method: str, path: str, body):
    username = PERSONS[person]
    is_api = path.startswith("/api/")
    if is_api:
        client, headers = app.test_client(), {}
        if username and path != "/api/v1/tokens":
            token, _ = issue_token(session, org.users[username], dt.timedelta(hours=1))
            session.commit()
            headers = {"Authorization": f"Bearer {token}"}
        kwargs = {"json": body} if body is not None else {}
        return client.open(path, method=method, headers=headers, **kwargs)
    client = login(app.test_client(), username) if username else app.test_client()
    return client.open(path, method=method, data=body or {})


@pytest.mark.parametrize("person", sorted(PERSONS))
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[1]} {r[0]}")
def test_route_lets_through_exactly_whom_the_table_says(route, person, app, session, org, world):
    path, body, allowed = MATRIX[route]
    names = world | {"me": PERSONS[person] or "nobody"}
    r = _request(app, session, org, person, route[1], _fill(path, names), _fill(body, names))
    location = r.headers.get("Location", "")
    if person in allowed:
        assert (r.status_code < 400 and "/login" not in location) or route[0].startswith("auth."), (
            r.status_code,
            r.get_data(as_text=True)[:300],
        )
    elif person == "anonymous" and not path.startswith("/api/"):
        assert r.status_code == 302 and "/login" in location, r.status_code
    else:
        expected = {401} if person == "anonymous" else {403, 404}
        assert r.status_code in expected, (r.status_code, r.get_data(as_text=True)[:300])
