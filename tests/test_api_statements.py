"""API: statements, versions, diffs, actions, history and exports (the ledger's and the press room's are beside)."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from statements.disclosure.fingerprint import decode_marks
from statements.lifecycle.matching import tokens
from statements.notifications.models import Notification
from tests.test_api_auth_org import assert_error
from workflow.ledger import LedgerEntry

NEW = {
    "unit": "SYT-HN",
    "title": "Bản tin tuần 46",
    "body": "Toàn tỉnh ghi nhận 1.245 ca cúm mùa, giảm 8%.",
    "kind": "regular",
    "urgency": "normal",
    "sensitive": False,
    "topics": ["dịch bệnh"],
}


def create(api, by="author", **fields):
    r = api(by).post("/api/v1/statements", json=NEW | fields)
    assert r.status_code == 201, r.json
    return r.json


def act(api, who, sid, action, version=1, expect=200, **extra):
    r = api(who).post(f"/api/v1/statements/{sid}/actions", json={"action": action, "version": version, **extra})
    if expect == 200:
        assert r.status_code == 200, r.json
    else:
        assert_error(r, expect)
    return r.json


def test_whole_path_to_the_press_room(api, client):
    s = create(api)
    assert s["state"] == "draft" and s["version"] == 1 and s["author"] == "author" and len(s["content_hash"]) == 64
    assert s["allowed_actions"] == ["submit", "withdraw"]
    assert act(api, "author", s["id"], "submit")["state"] == "in_review"
    spokes = api("spokesperson").get(f"/api/v1/statements/{s['id']}").json
    assert spokes["allowed_actions"] == ["approve", "escalate", "request_changes", "reject"]
    approved = act(api, "spokesperson", s["id"], "approve", comment="Đồng ý.")
    assert approved["approved"]["content_hash"] == s["content_hash"] and approved["approved"]["via"] == "approve"
    released = act(api, "spokesperson", s["id"], "release", channels=["website", "press_conference"])
    assert released["state"] == "released" and released["released"]["channels"] == ["website", "press_conference"]
    public = client.get("/api/v1/public/statements").json
    item = next(i for i in public["items"] if i["id"] == s["id"])
    assert item["content_hash"] == s["content_hash"] and item["body"] == NEW["body"] and item["unit"] == "SYT-HN"
    assert item["released_at"].endswith("Z") and item["retracted"] is False
    assert client.get(f"/api/v1/public/statements/{s['id']}").json["title"] == "Bản tin tuần 46"
    page = client.get(f"/press/{s['id']}")
    assert page.status_code == 200 and "Bản tin tuần 46" in page.get_data(as_text=True)
    assert s["content_hash"] in page.get_data(as_text=True)


def test_sensitive_path_through_sign_off(api):
    s = create(api, body="Một công nhân có bệnh nền đã tử vong.")
    assert s["sensitive"] and s["sensitivity_reasons"][0]["rule"] == "deaths"
    act(api, "author", s["id"], "submit")
    body = act(api, "spokesperson", s["id"], "approve", expect=409)
    assert "escalate" in body["message"]
    act(api, "spokesperson", s["id"], "escalate", expect=422)
    escalated = act(api, "spokesperson", s["id"], "escalate", comment="Có ca tử vong, xin ý kiến.")
    assert escalated["state"] == "escalated" and escalated["escalated_by"] == "spokesperson"
    assert "sign_off" in api("ministry_leader").get(f"/api/v1/statements/{s['id']}").json["allowed_actions"]
    signed = act(api, "leader", s["id"], "sign_off")
    assert signed["state"] == "approved" and signed["approved"]["via"] == "sign_off"


def test_action_errors(api):
    s = create(api)
    sid = s["id"]
    assert_error(api("author").post(f"/api/v1/statements/{sid}/actions", json={"action": "fly", "version": 1}), 400)
    assert_error(
        api("author").post(f"/api/v1/statements/{sid}/actions", data="{", content_type="application/json"), 400
    )
    body = assert_error(api("author").post(f"/api/v1/statements/{sid}/actions", json={"action": "submit"}), 422)
    assert "version" in body["errors"]
    assert_error(
        api("author").post(f"/api/v1/statements/{sid}/actions", json={"action": "submit", "version": "1"}), 422
    )
    assert_error(api("author").post(f"/api/v1/statements/{sid}/actions", json=[1, 2]), 422)
    act(api, "author", sid, "submit", version=2, expect=409)
    act(api, "spokesperson", sid, "approve", expect=409)  # still a draft
    act(api, "leader", sid, "submit", expect=403)
    act(api, "outsider", sid, "submit", expect=404)
    act(api, "author", 999999, "submit", expect=404)
    act(api, None, sid, "submit", expect=401)
    act(api, "author", sid, "submit", comment="x" * 5000, expect=422)
    act(api, "author", sid, "submit", channels=["website"], expect=422)
    act(api, "author", sid, "submit", channels=[])  # an empty list names no channel
    body = act(api, "author", sid, "approve", expect=403)
    assert body["rule"] == "spokesperson_of_unit"
    body = act(api, "spokesperson", sid, "reject", expect=422)
    assert "comment" in body["errors"]


def test_create_errors(api):
    author = api("author")
    body = assert_error(author.post("/api/v1/statements", json={"unit": "SYT-HN", "title": "Thiếu nội dung"}), 422)
    assert "body" in body["errors"]
    assert_error(author.post("/api/v1/statements", json=NEW | {"body": "   "}), 422)
    assert_error(author.post("/api/v1/statements", json=NEW | {"title": "x" * 501}), 422)
    assert_error(author.post("/api/v1/statements", json=NEW | {"kind": "rumour"}), 422)
    assert_error(author.post("/api/v1/statements", json=NEW | {"urgency": "yesterday"}), 422)
    assert_error(author.post("/api/v1/statements", json=NEW | {"topics": "not a list"}), 422)
    assert_error(author.post("/api/v1/statements", json=NEW | {"sensitive": "maybe"}), 422)
    assert_error(author.post("/api/v1/statements", json=NEW | {"unit": "NOPE"}), 422)
    assert_error(author.post("/api/v1/statements", json=NEW | {"unit": "SYT-DN"}), 403)
    assert_error(api("spokesperson").post("/api/v1/statements", json=NEW), 403)
    assert_error(
        author.post("/api/v1/statements", data="title=x", content_type="application/x-www-form-urlencoded"), 422
    )
    assert_error(author.post("/api/v1/statements", data=b"\xff\xfe", content_type="application/json"), 400)


def test_versions_and_diff(api):
    s = create(api)
    sid = s["id"]
    author = api("author")
    r = author.post(
        f"/api/v1/statements/{sid}/versions", json={"body": "Toàn tỉnh ghi nhận 1.300 ca cúm mùa, giảm 5%."}
    )
    assert r.status_code == 201 and r.json["version"] == 2 and r.json["title"] == NEW["title"]
    assert r.json["content_hash"] != s["content_hash"]
    assert_error(author.post(f"/api/v1/statements/{sid}/versions", json={"body": "x", "version": 1}), 409)
    assert_error(api("spokesperson").post(f"/api/v1/statements/{sid}/versions", json={"body": "x"}), 403)
    assert_error(api("outsider").post(f"/api/v1/statements/{sid}/versions", json={"body": "x"}), 404)
    assert_error(author.post(f"/api/v1/statements/{sid}/versions", json={"body": ""}), 422)
    versions = author.get(f"/api/v1/statements/{sid}/versions").json
    assert versions["total"] == 2 and [v["number"] for v in versions["items"]] == [1, 2]
    v1 = author.get(f"/api/v1/statements/{sid}/versions/1").json
    assert v1["body"] == NEW["body"] and v1["content_hash"] == s["content_hash"]
    assert_error(author.get(f"/api/v1/statements/{sid}/versions/9"), 404)
    diff = author.get(f"/api/v1/statements/{sid}/versions/1/diff/2").json
    assert diff["from"] == 1 and diff["to"] == 2 and diff["fields_changed"] == ["body"]
    changed = [op for op in diff["body"] if op["op"] != "equal"]
    assert {"op": "replace", "from": "1.245", "to": "1.300"} in changed
    assert "-Toàn tỉnh ghi nhận 1.245" in diff["unified"]
    act(api, "author", sid, "submit", version=2)
    assert_error(author.post(f"/api/v1/statements/{sid}/versions", json={"body": "x"}), 409)


def test_history(api):
    s = create(api)
    act(api, "author", s["id"], "submit", comment="Nhờ anh duyệt.")
    act(api, "spokesperson", s["id"], "request_changes", comment="Thêm phân tích số liệu.")
    history = api("author").get(f"/api/v1/statements/{s['id']}/history").json
    assert history["total"] == 3
    assert [(e["action"], e["actor"], e["role"]) for e in history["items"]] == [
        ("create", "author", "drafter"),
        ("submit", "author", "drafter"),
        ("request_changes", "spokesperson", "spokesperson"),
    ]
    last = history["items"][-1]
    assert last["comment"] == "Thêm phân tích số liệu." and last["from_state"] == "in_review"
    assert set(last) >= {
        "seq",
        "at",
        "kind",
        "action",
        "statement",
        "version",
        "content_hash",
        "from_state",
        "to_state",
        "actor",
        "role",
        "unit",
        "comment",
        "prev_hash",
        "hash",
    }


def test_export_of_unreleased_copy_is_marked_and_logged(api, session):
    s = create(api)
    before = session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    r = api("spokesperson").get(f"/api/v1/statements/{s['id']}/export?format=txt")
    assert r.status_code == 200 and r.content_type.startswith("text/plain")
    text = r.get_data(as_text=True)
    assert "BẢN CHƯA PHÁT HÀNH" in text and "spokesperson" in text
    # The same words as the version, in forms the fingerprint chose, with the fingerprint woven in.
    assert " ".join(tokens(NEW["body"])) in " ".join(tokens(text))
    (code,) = decode_marks(text)
    entry = session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).one()
    assert session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == before + 1
    assert (entry.kind, entry.action, entry.actor, entry.statement_id) == ("access", "export", "spokesperson", s["id"])
    assert entry.data["fingerprint"] == code
    assert_error(api("spokesperson").get(f"/api/v1/statements/{s['id']}/export?format=exe"), 422)
    assert_error(api("outsider").get(f"/api/v1/statements/{s['id']}/export"), 404)


@pytest.mark.parametrize("field", ["title", "body", "topics"])
def test_nul_characters_are_refused_not_stored(api, field):
    value = ["dịch\x00bệnh"] if field == "topics" else "Nội dung\x00ẩn"
    body = assert_error(api("author").post("/api/v1/statements", json=NEW | {field: value}), 422)
    assert field in body["errors"]


def test_nul_in_a_field_the_api_does_not_read_is_ignored_like_the_field(api):
    # The document lets clients send more than the API reads; what it does not read, it does not judge.
    response = api("author").post("/api/v1/statements", json=NEW | {"extra\x00": "x\x00y", "note": ["\x00"]})
    assert response.status_code == 201, response.json


def test_the_document_says_text_refuses_nul(client):
    document = client.get("/api/v1/openapi.json").json
    statement_in = document["components"]["schemas"]["StatementIn"]["properties"]
    assert statement_in["title"]["pattern"] == statement_in["topics"]["items"]["pattern"] == "^[^\\x00]*$"
    assert "pattern" not in statement_in["kind"]  # an enum says enough
    unit = document["paths"]["/api/v1/units/{code}"]["parameters"][0]
    assert unit["schema"]["pattern"] == "^[^\\x00]*$"
    assert "pattern" not in document["components"]["schemas"]["ErrorOut"]["properties"]["message"]


@pytest.mark.parametrize("value", [0, 1, "true", "false", None])
def test_a_flag_in_a_body_is_true_or_false_only(api, value):
    body = assert_error(api("author").post("/api/v1/statements", json=NEW | {"sensitive": value}), 422)
    assert "sensitive" in body["errors"]


def test_a_body_is_documented_as_required_exactly_when_something_in_it_is(client, api):
    operations = client.get("/api/v1/openapi.json").json["paths"]
    assert operations["/api/v1/statements"]["post"]["requestBody"]["required"] is True
    assert operations["/api/v1/statements/{statement_id}/versions"]["post"]["requestBody"]["required"] is False
    s = create(api)
    # Without a body, a new version is the same content again, as {} would make it.
    again = api("author").post(f"/api/v1/statements/{s['id']}/versions")
    assert again.status_code == 201 and again.json["version"] == 2 and again.json["title"] == s["title"]


def test_vietnamese_is_kept_exactly(api, session):
    title = "Thông cáo: Sở Y tế — “ổ dịch” đã được khống chế, tử vong 0 ca"
    nfd_body = unicodedata.normalize(
        "NFD", "Tiếng Việt viết ở dạng tổ hợp (NFD)"
    )  # decomposed input stays as the client wrote it
    s = create(api, title=title, body=nfd_body)
    again = api("author").get(f"/api/v1/statements/{s['id']}").json
    assert again["title"] == title and again["body"] == nfd_body
    stored = session.execute(
        sa.text("SELECT body FROM statement_versions WHERE statement_id = :i"), {"i": s["id"]}
    ).scalar()
    assert stored == nfd_body


def test_outsiders_see_only_the_released_text(api):
    s = create(api, body="Bản nháp đầu tiên, chưa được phép công bố.")
    api("author").post(f"/api/v1/statements/{s['id']}/versions", json={"body": "Nội dung được duyệt."})
    act(api, "author", s["id"], "submit", version=2)
    act(api, "spokesperson", s["id"], "approve", version=2)
    act(api, "spokesperson", s["id"], "release", version=2)
    outsider = api("outsider")
    assert outsider.get(f"/api/v1/statements/{s['id']}").json["body"] == "Nội dung được duyệt."
    versions = outsider.get(f"/api/v1/statements/{s['id']}/versions").json
    assert versions["total"] == 1 and versions["items"][0]["number"] == 2
    assert_error(outsider.get(f"/api/v1/statements/{s['id']}/versions/1"), 404)
    assert_error(outsider.get(f"/api/v1/statements/{s['id']}/versions/1/diff/2"), 404)
    assert_error(outsider.get(f"/api/v1/statements/{s['id']}/history"), 403)
    assert api("leader").get(f"/api/v1/statements/{s['id']}/versions").json["total"] == 2


#: What the sealer runs; in the tests it seals inside the request's transaction, in servers on its own thread.
_SEALING = ("SELECT pg_advisory_xact_lock", "SELECT pg_try_advisory_xact_lock", "UPDATE ledger_entries AS e")


def _request_sql(seen: list[str]) -> list[str]:
    """Return the statements a request sends itself: not the sealer's, nor the notifications' written after it.

    Here the chain grows inside the request's transaction; on PostgreSQL servers, sealing and the
    notifications written from the sealed entries (statements.notifications.fanout) follow the commit.
    """
    sealing = [s for s in seen if s.startswith(_SEALING)]
    # The sealer's two reads: the unsealed entries, and the chain's head.
    reads = [s for s in seen if "WHERE ledger_entries.seq IS NULL" in s or "WHERE ledger_entries.seq IS NOT NULL" in s]
    told = _fanout_sql(seen)
    return [s for s in seen if s not in sealing and s not in reads and s not in told]


def _fanout_sql(seen: list[str]) -> list[str]:
    """Return the statements that wrote notifications from the ledger: from reading its cursor to moving it."""
    starts = [i for i, s in enumerate(seen) if s.startswith("SELECT notification_cursor.seq")]
    ends = [i for i, s in enumerate(seen) if s.startswith("UPDATE notification_cursor")]
    return [s for start, end in zip(starts, ends, strict=True) for s in seen[start : end + 1]]


def test_notifications_from_the_ledger_take_the_same_few_statements_for_one_decision_or_many(
    session, org, statement_in, count_queries
):
    from statements.lifecycle.service import decide
    from statements.notifications.fanout import tell_sealed

    statements = [statement_in("in_review") for _ in range(12)]
    with count_queries() as one:
        decide(session, statements[0].id, org.actor("spokesperson"), "request_changes", version=1, comment="Sửa.")
    connection = session.connection()
    cursor = connection.exec_driver_sql("SELECT seq FROM notification_cursor").scalar()
    for s in statements[1:]:  # eleven more, of two kinds, then told in one go
        decide(session, s.id, org.actor("spokesperson"), "request_changes", version=1, comment="Sửa.")
        decide(session, s.id, org.actor("author"), "submit", version=1)
    connection.exec_driver_sql(f"UPDATE notification_cursor SET seq = {cursor}")
    connection.execute(sa.delete(Notification).where(Notification.statement_id.in_([s.id for s in statements[1:]])))
    with count_queries() as many:
        assert tell_sealed(connection) == (22, False)
    assert len(_fanout_sql(one)) <= 5, _fanout_sql(one)  # no reviewer to look up for a return to the author
    assert len(many) <= 6, many
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.statement_id.in_([s.id for s in statements[1:]]))
        )
        == 22
    )


def test_a_read_and_a_decision_run_few_queries(api, statement_in, count_queries):
    s = statement_in("in_review")
    spokesperson = api("spokesperson")  # issues its token
    with count_queries() as read:
        assert spokesperson.get(f"/api/v1/statements/{s.id}").status_code == 200
    with count_queries() as decision:
        act(api, "spokesperson", s.id, "request_changes", version=s.current_version, comment="Bổ sung số liệu.")
    # Token with roles, statement with its people and versions, the access entry: no more.
    assert len(_request_sql(read)) <= 3, _request_sql(read)
    # ... and for a decision the unit's rules, the state, the decision's entry.
    assert len(_request_sql(decision)) <= 6, _request_sql(decision)


def test_the_hot_queries_stay_within_what_psycopg_caches():
    # psycopg converts a query's text once and keeps it only up to 4,096 bytes (its
    # MAX_CACHED_STATEMENT_LENGTH); longer, each execution parses it again in Python. These run on every
    # request, every decision or every sealer pass.
    from sqlalchemy.dialects import postgresql

    from auth.tokens import TOKEN_GRANT
    from statements.lifecycle.snapshots import LOCKED_STATEMENT, ONE_STATEMENT
    from statements.notifications.fanout import _INSERT
    from workflow.ledger import INSERT_UNSEALED

    dialect = postgresql.psycopg.dialect()
    for query in (LOCKED_STATEMENT["postgresql"], ONE_STATEMENT, TOKEN_GRANT, INSERT_UNSEALED, _INSERT):
        text = str(query.compile(dialect=dialect))
        assert len(text.encode()) <= 4096, text[:200]


def test_statement_answers_are_exactly_what_their_schemas_document(api):
    # The statement, a page of them and a decision's answer skip marshmallow's dump (statements.api.
    # as_documented): each must equal what its schema dumps of it, field for field, in every state.
    from statements.lifecycle.schemas import StatementOut
    from statements.schemas import page_of

    one, page = StatementOut(), page_of(StatementOut)()
    seen = []

    def check(answer):
        assert one.dump(answer) == answer
        seen.append(answer)
        return answer

    plain = check(create(api))
    check(act(api, "author", plain["id"], "submit"))
    # Each decision's answer names who took it (the names it changed load again, statements.lifecycle.service.decide).
    approved = check(act(api, "spokesperson", plain["id"], "approve", comment="Đồng ý."))
    released = check(act(api, "spokesperson", plain["id"], "release", channels=["website"]))
    assert approved["approved"]["by"] == released["released"]["by"] == "spokesperson"
    retracted = check(act(api, "leader", plain["id"], "retract", comment="Số liệu đã được đính chính."))
    assert retracted["retracted"]["by"] == "leader" and retracted["approved"]["by"] == "spokesperson"
    sensitive = check(create(api, body="Một công nhân có bệnh nền đã tử vong."))
    check(act(api, "author", sensitive["id"], "submit"))
    check(act(api, "spokesperson", sensitive["id"], "escalate", comment="Có ca tử vong, xin ý kiến."))
    cleared = check(act(api, "leader", sensitive["id"], "clear_sensitivity", comment="Số liệu đã công bố."))
    assert cleared["sensitivity_cleared"]["by"] == "leader" and cleared["escalated_by"] == "spokesperson"
    assert cleared["author"] == "author"
    check(api("spokesperson").get(f"/api/v1/statements/{sensitive['id']}").json)
    for who in ("spokesperson", "leader", "author", "outsider"):
        listed = api(who).get("/api/v1/statements?per_page=100").json
        assert page.dump(listed) == listed and listed["total"] == len(listed["items"])
    assert any(a["sensitivity_reasons"] for a in seen) and any(a["sensitivity_cleared"] for a in seen)
    assert any(a["approved"] for a in seen) and any(a["released"] for a in seen) and any(a["retracted"] for a in seen)


def test_half_a_character_is_refused_in_words_not_a_500(api):
    import json

    # JSON may carry a lone surrogate ("\\ud800"); no text holds one, and it failed deep in the driver.
    def sent(who: str, method: str, path: str, body: dict):
        raw = json.dumps(body)  # ASCII escapes, as a client's encoder writes them
        return getattr(api(who), method)(path, data=raw, content_type="application/json")

    body = assert_error(sent("author", "post", "/api/v1/statements", NEW | {"title": "Tin \ud800 sai"}), 422)
    assert body["errors"] == {"title": ["Contains a NUL character or half a character."]}
    letterhead = {"full_name": "Sở Y tế", "symbol": "SYT-NV", "place": "Hà Nội",
                  "signers": [{"mark": "GIÁM ĐỐC", "name": "Trần \udc00 Bảo"}]}  # fmt: skip
    assert sent("admin", "put", "/api/v1/units/SYT-HN/letterhead", letterhead).status_code == 422
