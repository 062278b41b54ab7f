"""API: tokens, the caller, units, users, designation, rules, and the error shapes."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from auth.models import Membership, User
from tests.conftest import PASSWORD
from workflow.ledger import LedgerEntry


def assert_error(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, "errors are always JSON"
    body = response.json
    assert body["code"] == status and isinstance(body["message"], str) and body["message"]
    return body


def test_token_lifecycle(client, org):
    r = client.post("/api/v1/tokens", json={"username": "author", "password": PASSWORD})
    assert r.status_code == 201
    token, user = r.json["token"], r.json["user"]
    assert user["username"] == "author" and user["roles"] == [{"unit": "SYT-HN", "role": "drafter"}]
    assert r.json["expires_at"].endswith("Z")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json["username"] == "author"
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert_error(client.get("/api/v1/me", headers=headers), 401)


def test_expired_tokens_and_deactivated_holders_are_refused(client, org, session):
    def token_for(name):
        r = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD})
        return {"Authorization": f"Bearer {r.json['token']}"}

    expired, holder, roleless = token_for("author"), token_for("leader"), token_for("auditor")
    session.execute(sa.text("UPDATE api_tokens SET expires_at = :t WHERE id = (SELECT min(id) FROM api_tokens)"),
                    {"t": dt.datetime(2020, 1, 1)})  # fmt: skip
    session.commit()
    assert_error(client.get("/api/v1/me", headers=expired), 401)
    assert_error(client.get("/api/v1/statements", headers=expired), 401)
    assert client.get("/api/v1/statements", headers=holder).status_code == 200
    session.execute(sa.update(User).where(User.username == "leader").values(active=False))
    session.commit()
    assert_error(client.get("/api/v1/statements", headers=holder), 401)
    # A holder without roles is still someone: no membership rows joins to the token's row as NULLs.
    session.execute(sa.delete(Membership).where(Membership.user_id == org.users["auditor"].id))
    session.commit()
    assert client.get("/api/v1/me", headers=roleless).json["roles"] == []
    assert client.get("/api/v1/statements", headers=roleless).status_code == 200


def test_tokens_are_stored_hashed(client, org, session):
    token = client.post("/api/v1/tokens", json={"username": "author", "password": PASSWORD}).json["token"]
    stored = session.execute(sa.text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert token not in stored and len(stored[-1]) == 64


def test_bad_credentials(client, org):
    assert_error(client.post("/api/v1/tokens", json={"username": "author", "password": "wrong"}), 401)
    assert_error(client.post("/api/v1/tokens", json={"username": "nobody", "password": "wrong"}), 401)
    body = assert_error(client.post("/api/v1/tokens", json={"username": "author"}), 422)
    assert "password" in body["errors"]
    assert_error(client.post("/api/v1/tokens", data="not json", content_type="application/json"), 400)


def test_failed_logins_are_rate_limited_per_username(client, org):
    for _ in range(5):
        assert_error(client.post("/api/v1/tokens", json={"username": "author", "password": "wrong"}), 401)
    r = client.post("/api/v1/tokens", json={"username": "author", "password": PASSWORD})
    assert_error(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    # Another username is not locked out by these failures.
    assert client.post("/api/v1/tokens", json={"username": "leader", "password": PASSWORD}).status_code == 201


def test_successful_logins_are_not_counted(client, org):
    for _ in range(8):
        assert client.post("/api/v1/tokens", json={"username": "author", "password": PASSWORD}).status_code == 201


def test_no_or_bad_credentials(api, client):
    assert_error(client.get("/api/v1/statements"), 401)
    r = client.get("/api/v1/statements", headers={"Authorization": "Bearer nonsense"})
    assert_error(r, 401)
    assert "Bearer" in r.headers["WWW-Authenticate"]
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401)


def test_unknown_route_and_method_are_json(api):
    assert_error(api("author").get("/api/v1/nothing-here"), 404)
    assert_error(api("author").delete("/api/v1/statements"), 405)


def test_units(api, session):
    admin = api("admin")
    r = admin.get("/api/v1/units")
    assert r.status_code == 200 and r.json["total"] == 4
    hn = next(u for u in r.json["items"] if u["code"] == "SYT-HN")
    assert hn == {
        "id": hn["id"],
        "code": "SYT-HN",
        "name": "Sở Y tế Hà Nội",
        "parent_code": "BYT",
        "spokesperson": "spokesperson",
    }
    r = admin.post("/api/v1/units", json={"code": "BV-DN", "name": "Bệnh viện Đà Nẵng", "parent_code": "SYT-DN"})
    assert r.status_code == 201 and r.json["parent_code"] == "SYT-DN"
    assert admin.get("/api/v1/units/BV-DN").json["name"] == "Bệnh viện Đà Nẵng"
    assert admin.get("/api/v1/units/BV-DN/rules").json["total"] >= 4, "a new unit starts with the default rules"
    assert_error(admin.post("/api/v1/units", json={"code": "BV-DN", "name": "Trùng"}), 409)
    # A unit named in the body, not the address: invalid input, wherever it is named.
    orphan = {"code": "X", "name": "Cha không có", "parent_code": "NOPE"}
    body = assert_error(admin.post("/api/v1/units", json=orphan), 422)
    assert body["errors"] == {"parent_code": ["Unknown unit."]}
    roles = [{"unit": "NOPE", "role": "drafter"}]
    person = {"username": "moi", "full_name": "M", "password": PASSWORD, "roles": roles}
    body = assert_error(admin.post("/api/v1/users", json=person), 422)
    assert body["errors"] == {"roles": ["Unknown unit."]}
    assert_error(admin.post("/api/v1/units", json={"code": "bad code", "name": "x"}), 422)
    assert_error(admin.post("/api/v1/units", json={"name": "Thiếu mã"}), 422)
    assert_error(api("leader").post("/api/v1/units", json={"code": "Y", "name": "Không phải admin"}), 403)
    assert_error(admin.get("/api/v1/units/NOPE"), 404)


def test_users(api):
    admin = api("admin")
    r = admin.post(
        "/api/v1/users",
        json={
            "username": "nguyen.van.b",
            "full_name": "Nguyễn Văn B",
            "password": "mật khẩu đủ dài",
            "email": "b@example.org",
            "roles": [{"unit": "SYT-DN", "role": "drafter"}],
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["full_name"] == "Nguyễn Văn B" and r.json["roles"] == [{"unit": "SYT-DN", "role": "drafter"}]
    assert "password" not in r.json and "password_hash" not in r.json
    assert_error(
        admin.post("/api/v1/users", json={"username": "nguyen.van.b", "full_name": "x", "password": "mật khẩu đủ dài"}),
        409,
    )
    body = assert_error(
        admin.post(
            "/api/v1/users",
            json={
                "username": "ccc",
                "full_name": "C",
                "password": "mật khẩu đủ dài",
                "roles": [{"unit": "SYT-HN", "role": "spokesperson"}],
            },
        ),
        409,
    )
    assert "designation" in body["message"]
    assert_error(admin.post("/api/v1/users", json={"username": "d1", "full_name": "D", "password": "short"}), 422)
    assert_error(
        admin.post(
            "/api/v1/users",
            json={
                "username": "d2",
                "full_name": "D",
                "password": "mật khẩu đủ dài",
                "roles": [{"unit": "SYT-HN", "role": "king"}],
            },
        ),
        422,
    )
    assert_error(
        api("auditor").post("/api/v1/users", json={"username": "eee", "full_name": "E", "password": "mật khẩu đủ dài"}),
        403,
    )
    r = admin.get("/api/v1/users?per_page=1000")
    assert r.status_code == 200 and r.json["total"] >= 11
    assert admin.get("/api/v1/users/nguyen.van.b").json["email"] == "b@example.org"
    assert_error(admin.get("/api/v1/users/nobody"), 404)


def test_spokesperson_role_allowed_where_unit_has_none(api):
    r = api("admin").post(
        "/api/v1/users",
        json={
            "username": "bv.phatngon",
            "full_name": "Phát ngôn BV",
            "password": "mật khẩu đủ dài",
            "roles": [{"unit": "BV-HN", "role": "spokesperson"}],
        },
    )
    assert r.status_code == 201
    assert api("admin").get("/api/v1/units/BV-HN").json["spokesperson"] == "bv.phatngon"


def test_designation(api, session):
    admin = api("admin")
    r = admin.put("/api/v1/units/SYT-HN/spokesperson", json={"username": "drafter2"})
    assert r.status_code == 200 and r.json["spokesperson"] == "drafter2"
    roles = admin.get("/api/v1/users/spokesperson").json["roles"]
    assert {"unit": "SYT-HN", "role": "spokesperson"} not in roles, "the previous spokesperson loses the role"
    entry = session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).one()
    assert entry.action == "designate_spokesperson" and entry.data["previous"] == "spokesperson"
    assert_error(api("leader").put("/api/v1/units/SYT-HN/spokesperson", json={"username": "author"}), 403)
    # Named in the body, not the address: invalid input (422), as an unknown unit in a new statement is.
    body = assert_error(admin.put("/api/v1/units/SYT-HN/spokesperson", json={"username": "nobody"}), 422)
    assert body["errors"] == {"username": ["Unknown user."]}
    assert_error(admin.put("/api/v1/units/SYT-HN/spokesperson", json={}), 422)


def test_a_designation_can_end(api, session):
    admin = api("admin")
    r = admin.delete("/api/v1/units/SYT-HN/spokesperson")
    assert r.status_code == 200 and r.json["spokesperson"] is None
    assert admin.get("/api/v1/units/SYT-HN").json["spokesperson"] is None
    roles = admin.get("/api/v1/users/spokesperson").json["roles"]
    assert {"unit": "SYT-HN", "role": "spokesperson"} not in roles
    entry = session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.action == "remove_spokesperson").order_by(LedgerEntry.id.desc())
    ).first()
    assert entry.unit == "SYT-HN" and entry.data == {"username": "spokesperson"}
    assert_error(admin.delete("/api/v1/units/SYT-HN/spokesperson"), 404)
    assert_error(api("leader").delete("/api/v1/units/SYT-DN/spokesperson"), 403)


def test_an_auditor_is_never_a_spokesperson(api, count_ledger, session, org):
    from auth.service import grant_role
    from workflow.errors import Conflict

    admin = api("admin")
    before = count_ledger()
    body = assert_error(admin.put("/api/v1/units/SYT-HN/spokesperson", json={"username": "auditor"}), 409)
    assert "auditor" in body["message"]
    with pytest.raises(Conflict, match="auditor"):
        grant_role(session, org.actor("admin"), "spokesperson", "BYT", "auditor")
    new = {"username": "hai.vai", "full_name": "Hai Vai", "password": "một mật khẩu dài"}
    roles = [{"unit": "SYT-DN", "role": "spokesperson"}, {"unit": "BYT", "role": "auditor"}]
    assert_error(admin.post("/api/v1/users", json=new | {"roles": roles}), 409)
    assert count_ledger() == before, "nothing was changed"
    assert admin.get("/api/v1/units/SYT-HN").json["spokesperson"] == "spokesperson"


def test_rules_api(api):
    leader = api("leader")
    r = leader.post(
        "/api/v1/units/SYT-HN/rules",
        json={"code": "rabies", "label": "Bệnh dại", "keywords": ["bệnh dại"], "source": "Quyết định Sở"},
    )
    assert r.status_code == 201 and r.json["keywords"] == ["bệnh dại"]
    assert_error(
        leader.post("/api/v1/units/SYT-HN/rules", json={"code": "rabies", "label": "x", "keywords": ["y"]}), 409
    )
    assert_error(leader.post("/api/v1/units/SYT-HN/rules", json={"code": "empty", "label": "Rỗng"}), 422)
    assert_error(
        api("author").post("/api/v1/units/SYT-HN/rules", json={"code": "x", "label": "x", "keywords": ["x"]}), 403
    )
    assert_error(leader.post("/api/v1/units/SYT-DN/rules", json={"code": "x", "label": "x", "keywords": ["x"]}), 403)
    r = leader.patch("/api/v1/units/SYT-HN/rules/rabies", json={"active": False})
    assert r.status_code == 200 and r.json["active"] is False
    assert_error(leader.patch("/api/v1/units/SYT-HN/rules/nope", json={"active": False}), 404)
    preview = api("author").post(
        "/api/v1/units/SYT-HN/sensitivity-preview", json={"title": "Tin", "body": "Có 1 ca tử vong", "topics": []}
    )
    assert preview.status_code == 200 and preview.json["items"][0]["rule"] == "deaths"


def test_openapi_and_docs(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json["paths"]
    for path in (
        "/api/v1/statements",
        "/api/v1/statements/{statement_id}/actions",
        "/api/v1/ledger/verify",
        "/api/v1/tokens",
        "/api/v1/public/statements",
    ):
        assert path in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"/api/v1/statements" in docs.data
    wf = client.get("/api/v1/workflow").json
    assert {a["action"] for a in wf["actions"]} >= {"submit", "approve", "sign_off", "retract"}
    assert wf["mermaid"].startswith("stateDiagram-v2")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/units", {"code": "SYT-XY\n", "name": "Sở Y tế"}, "code"),
        (
            "/api/v1/users",
            {"username": "nguoi.moi\n", "full_name": "Người Mới", "password": "mật-khẩu-dài-đủ"},
            "username",
        ),
        ("/api/v1/units/SYT-HN/rules", {"code": "tu-vong\n", "label": "Tử vong", "keywords": ["tử vong"]}, "code"),
    ],
)
def test_codes_and_usernames_match_whole_as_the_document_says(api, client, path, body, field):
    # Python's "$" matches before a final newline; JSON Schema's pattern (and so the document) does not.
    response = api("admin").post(path, json=body)
    assert response.status_code == 422 and field in response.json["errors"], response.json


def test_a_rules_code_is_not_changed_by_a_patch_and_the_document_does_not_offer_it(api, client):
    schema = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/units/{code}/rules/{rule_code}"]["patch"]
    ref = schema["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "code" not in client.get("/api/v1/openapi.json").json["components"]["schemas"][ref]["properties"]
    r = api("admin").patch("/api/v1/units/SYT-HN/rules/deaths", json={"code": "×ø", "label": "Tử vong (sửa)"})
    assert r.status_code == 200 and r.json["code"] == "deaths" and r.json["label"] == "Tử vong (sửa)"
