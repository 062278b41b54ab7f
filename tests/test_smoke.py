def test_create_and_read_statement(api, org):
    drafter = api("author")
    r = drafter.post(
        "/api/v1/statements", json={"unit": "SYT-HN", "title": "Tiêu đề có dấu", "body": "Nội dung tử vong"}
    )
    assert r.status_code == 201, r.json
    body = r.json
    assert body["state"] == "draft" and body["version"] == 1 and body["sensitive"] is True
    r = drafter.get(f"/api/v1/statements/{body['id']}")
    assert r.status_code == 200 and r.json["title"] == "Tiêu đề có dấu"
    assert api("outsider").get(f"/api/v1/statements/{body['id']}").status_code == 404
