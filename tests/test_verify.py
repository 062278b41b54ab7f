"""Is this statement genuine? (issue 30): anyone holds a text, a copy or a printed link to what was released."""

from __future__ import annotations

import html as html_text
import io
import subprocess

import pytest

from tests.test_api_statements import act, create

BODY = (
    "Trong tuần 46 toàn tỉnh ghi nhận 1.245 ca mắc cúm mùa, giảm 8% so với tuần trước. Sở Y tế khuyến cáo người"
    " dân tiêm vắc xin cúm hằng năm, nhất là người trên 60 tuổi.\n"
    "Số ca sốt xuất huyết tăng tập trung tại hai huyện ven sông do mưa kéo dài; ngành y tế đã phun hóa chất diệt"
    " muỗi tại 14 xã và sẽ tiếp tục giám sát trong tháng tới."
)


@pytest.fixture
def released(api):
    s = create(api, title="Tình hình dịch bệnh tuần 46", body=BODY)
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "approve")
    return act(api, "spokesperson", s["id"], "release", channels=["website"])


def verdict(client, text: str) -> dict:
    r = client.post("/api/v1/public/verify", json={"text": text})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def test_the_released_text_or_a_part_of_it_is_genuine(client, released):
    whole = verdict(client, f"{released['title']}\n{released['body']}")
    assert whole["verdict"] == "genuine" and whole["whole"] and whole["statement"]["id"] == released["id"]
    assert whole["statement"]["content_hash"] == released["content_hash"] and whole["differences"] == []
    assert whole["release"]["action"] == "release" and whole["release"]["content_hash"] == released["content_hash"]
    part = verdict(client, BODY.split("\n")[1])
    assert part["verdict"] == "genuine" and not part["whole"]  # a paragraph, word for word: a part, and said so
    assert verdict(client, " \n".join(BODY.split(" ")))["verdict"] == "genuine"  # line breaks anywhere
    assert verdict(client, BODY)["whole"]  # the body without its title is the whole statement


def test_an_excerpt_is_said_to_be_one_not_the_whole_statement(app, released):
    from tests.test_web import csrf

    client = app.test_client()
    client.get("/lang/en")
    page = client.get("/press/verify")
    html = client.post("/press/verify", data={"text": BODY.split("\n")[1], "csrf_token": csrf(page)}).get_data(
        as_text=True
    )
    assert 'data-verdict="genuine"' in html and "data-whole" not in html
    assert "They are not the whole statement" in html and "This is the text of" not in html
    assert "Part of a genuine statement" in html


def test_an_altered_text_shows_what_it_changed(client, released):
    fake = BODY.replace("1.245 ca", "12.450 ca").replace("giảm 8%", "tăng 80%")
    answer = verdict(client, fake)
    assert answer["verdict"] == "altered" and answer["statement"]["id"] == released["id"]
    changes = {(d["released"], d["text"]) for d in answer["differences"]}
    assert ("1.245", "12.450") in changes and ("giảm 8%", "tăng 80%") in changes, changes
    # An excerpt whose last figure was changed shows that figure changed, not the rest of the statement struck.
    first = "Trong tuần 46 toàn tỉnh ghi nhận 1.245 ca mắc cúm mùa, giảm 8% so với tuần trước."
    cut = verdict(client, first.replace("giảm 8% so với tuần trước.", "giảm 8% so với tuần 44."))
    assert [(d["released"], d["text"]) for d in cut["differences"]] == [("trước.", "44.")], cut["differences"]


def test_a_text_never_released_is_not_issued_and_a_draft_is_never_revealed(api, client, released):
    draft = create(api, title="Dự thảo nội bộ", body="Dự thảo: " + BODY.replace("46", "47"))
    assert draft["state"] == "draft"
    answer = verdict(client, "Dự thảo: " + BODY.replace("46", "47").replace("1.245", "2.000"))
    # It follows the released statement of week 46 (so says it is altered), never the draft of week 47.
    assert answer["verdict"] in ("altered", "not_issued") and (answer["statement"] or {}).get("id") != draft["id"]
    unrelated = verdict(client, "Bộ Y tế thông báo phát hiện biến chủng mới nguy hiểm lây qua không khí ở mọi nơi.")
    assert unrelated == {"verdict": "not_issued", "whole": False, "statement": None, "similarity": 0.0,
                         "differences": [], "release": None, "contact": unrelated["contact"]}  # fmt: skip
    assert "1900 9095" in unrelated["contact"]
    short = client.post("/api/v1/public/verify", json={"text": "Tin giả"})
    assert short.status_code == 422 and short.json["errors"]


def test_a_retracted_statement_says_so(api, client, released):
    act(api, "spokesperson", released["id"], "retract", comment="Số liệu sai, sẽ đính chính.")
    answer = verdict(client, BODY)
    assert (
        answer["verdict"] == "retracted"
        and answer["statement"]["retraction"]["reason"] == "Số liệu sai, sẽ đính chính."
    )


def test_the_printed_link_and_the_qr_code_of_a_released_copy_lead_to_its_verdict(api, client, released, tmp_path):
    import zxingcpp
    from PIL import Image

    pdf = api("author").get(f"/api/v1/statements/{released['id']}/export?format=pdf").data
    (tmp_path / "copy.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "copy.pdf"), str(tmp_path / "page")], check=True)
    codes = [c.text for page in sorted(tmp_path.glob("page*.png")) for c in zxingcpp.read_barcodes(Image.open(page))]
    link = f"http://127.0.0.1:5000/press/v/{released['content_hash'][:12]}"
    assert codes == [link]
    followed = client.get(link.removeprefix("http://127.0.0.1:5000"), follow_redirects=True)
    # The link says which statement was released; it cannot say the paper it is printed on says the same.
    html = followed.get_data(as_text=True)
    assert followed.status_code == 200 and 'data-verdict="released"' in html and "Chính thức" not in html
    assert "ai cũng có thể in một đường liên kết lên văn bản giả mạo" in html and 'name="text"' in html
    by_hash = client.get(f"/api/v1/public/verify/{released['content_hash']}").json
    assert by_hash["verdict"] == "released" and by_hash["statement"]["id"] == released["id"]
    assert client.get("/api/v1/public/verify/" + "0" * 64).json["verdict"] == "not_issued"
    # A link nobody released, or one mistyped from the paper, says so and asks for the text instead.
    for mistyped in ("/press/verify/nothex", "/press/v/" + "0" * 12):
        unknown = client.get(mistyped, follow_redirects=True)
        said = unknown.get_data(as_text=True)
        assert unknown.status_code == 404 and 'data-verdict="unknown_link"' in said, said
        assert "Không có văn bản nào mang đường liên kết này" in said and 'name="text"' in said
    docx = api("author").get(f"/api/v1/statements/{released['id']}/export?format=docx").data
    import docx as python_docx

    document = python_docx.Document(io.BytesIO(docx))
    assert any(link in p.text for p in document.paragraphs) and document.inline_shapes
    # An unreleased copy carries no link: it is not the authority's to verify.
    draft = create(api, body=BODY)
    assert b"/press/v/" not in api("author").get(f"/api/v1/statements/{draft['id']}/export?format=txt").data


@pytest.mark.parametrize("fmt", ["pdf", "docx", "txt"])
def test_an_uploaded_copy_is_held_to_the_release(app, api, released, fmt):
    from tests.test_web import csrf

    data = api("author").get(f"/api/v1/statements/{released['id']}/export?format={fmt}").data
    client = app.test_client()
    page = client.get("/press/verify")
    r = client.post(
        "/press/verify",
        data={"text": "", "file": (io.BytesIO(data), f"copy.{fmt}"), "csrf_token": csrf(page)},
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-verdict="genuine"' in html, html[-1500:]
    bad = client.post(
        "/press/verify",
        data={"file": (io.BytesIO(b"%PDF-1.4 broken"), "x.pdf"), "csrf_token": csrf(page)},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "aria-invalid" in bad.get_data(as_text=True)
    # An empty form lands on an alert where the answer would be, not on nothing.
    empty = client.post("/press/verify", data={"text": "", "csrf_token": csrf(page)}).get_data(as_text=True)
    assert 'id="verdict" tabindex="-1" role="alert" data-verdict-error' in empty and "Chưa kiểm tra được gì" in empty


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_answers_in_the_readers_language(app, released, lang, tmp_path):
    from tests.test_web import csrf

    app.config["CHECKPOINT_DIR"] = str(tmp_path / "none")
    client = app.test_client()
    if lang != "vi":
        client.get(f"/lang/{lang}")
    page = client.get("/press/verify")
    fake = BODY.replace("1.245", "12.450")
    html = client.post("/press/verify", data={"text": fake, "csrf_token": csrf(page)}).get_data(as_text=True)
    assert ("Đã bị sửa đổi" if lang == "vi" else "Altered") in html
    # Struck and inserted words are also said in words, for a reader who hears the page.
    said = ("bản công bố:", "văn bản này:") if lang == "vi" else ("released:", "this text:")
    # The hidden words are in the reader's language; the statement's words around them are Vietnamese.
    assert f'<del><span class="visually-hidden" lang="{lang}">{said[0]} </span>1.245</del>' in html, html
    assert f'<ins><span class="visually-hidden" lang="{lang}">{said[1]} </span>12.450</ins>' in html
    assert '<ul class="differences" lang="vi">' in html
    contact = "đường dây nóng của Bộ Y tế 1900 9095" if lang == "vi" else "the Ministry of Health's hotline 1900 9095"
    unrelated = "Bộ Y tế thông báo phát hiện biến chủng mới nguy hiểm lây qua không khí ở mọi nơi."
    answer = html_text.unescape(client.post("/press/verify", data={"text": unrelated, "csrf_token": csrf(page)}).text)
    assert f"call {contact}" in answer if lang == "en" else f"hãy gọi {contact}" in answer, answer[-800:]
    missing = client.get("/press/checkpoint.json")
    # Machines read these addresses: the JSON is in English like every API error, the plain file in both.
    assert missing.status_code == 404 and missing.json["rule"] == "checkpoint"
    assert missing.json["message"] == "No checkpoint of the ledger has been signed yet."
    text = client.get("/press/checkpoint").get_data(as_text=True)
    assert text.splitlines() == [
        "Chưa có điểm kiểm tra nào của sổ nhật ký được ký.", "No checkpoint of the ledger has been signed yet.",
    ]  # fmt: skip


def test_a_release_is_proven_offline_by_its_merkle_path_to_a_signed_checkpoint(app, api, client, runner, tmp_path):
    import json

    from statements.web_session import db
    from workflow.ledger.sealing import seal_before_reading

    app.config["LEDGER_KEY"] = str(tmp_path / "keys" / "ledger.pem")
    app.config["CHECKPOINT_DIR"] = str(tmp_path / "checkpoints")
    assert client.get("/press/checkpoint").status_code == 404
    assert runner.invoke(args=["ledger", "keygen"]).exit_code == 0
    s = create(api, title="Tình hình dịch bệnh tuần 46", body=BODY)
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "approve")
    released = act(api, "spokesperson", s["id"], "release", channels=["website"])
    for _ in range(3):  # more entries after the release: the proof is of one leaf among many
        create(api, body=BODY.replace("46", "47"))
    with app.app_context():
        seal_before_reading(db())
    answer = client.get(f"/api/v1/public/verify/{released['content_hash']}").json
    assert answer["release"]["proof"] is None  # no checkpoint holds it yet
    made = runner.invoke(args=["ledger", "checkpoint"])
    assert made.exit_code == 0 and "root" in made.output, made.output
    note = client.get("/press/checkpoint").get_data(as_text=True)
    assert note.startswith("pressgate/ledger\n") and "\n\n— pressgate/ledger " in note
    key = tmp_path / "ledger.pub.pem"
    key.write_bytes(client.get("/press/ledger-key.pem").data)
    answer = client.get(f"/api/v1/public/verify/{released['content_hash']}").json
    proof = answer["release"]["proof"]
    assert proof["format"] == "pressgate.inclusion/1" and proof["entry"]["action"] == "release"
    assert proof["tree_size"] > proof["leaf_index"] + 3 and 1 <= len(proof["path"]) <= proof["tree_size"].bit_length()
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(answer), "utf-8")
    ok = runner.invoke(args=["ledger", "verify-release", str(saved), "--key", str(key)])
    assert ok.exit_code == 0 and "Proven: entry" in ok.output, ok.output
    # A changed figure, a changed entry, a changed path or another key: nothing is proven.
    for change in ("body", "entry", "path"):
        forged = json.loads(json.dumps(answer))
        if change == "body":
            forged["statement"]["body"] = forged["statement"]["body"].replace("1.245", "12.450")
        elif change == "entry":
            forged["release"]["proof"]["entry"]["content_hash"] = "0" * 64
        else:
            forged["release"]["proof"]["path"][0] = forged["release"]["proof"]["path"][-1][::-1]
        saved.write_text(json.dumps(forged), "utf-8")
        refused = runner.invoke(args=["ledger", "verify-release", str(saved), "--key", str(key)])
        assert refused.exit_code == 1 and "NOT PROVEN" in refused.output, (change, refused.output)
    other = tmp_path / "other.pem"
    from workflow.ledger.checkpoints import generate_key

    saved.write_text(json.dumps(answer), "utf-8")
    refused = runner.invoke(args=["ledger", "verify-release", str(saved), "--key", str(generate_key(other))])
    assert refused.exit_code == 1 and "not signed by the trusted key" in refused.output


def test_production_refuses_to_start_without_the_address_printed_on_released_copies(monkeypatch, tmp_path):
    from statements.config import from_environment

    monkeypatch.setenv("PRESSGATE_ENV", "production")
    monkeypatch.setenv("PRESSGATE_SECRET_KEY", "k")
    monkeypatch.delenv("PRESSGATE_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PRESSGATE_BASE_URL"):
        from_environment(tmp_path)
    monkeypatch.setenv("PRESSGATE_BASE_URL", "https://pressgate.syt.example.vn/")
    assert from_environment(tmp_path)["BASE_URL"] == "https://pressgate.syt.example.vn"
