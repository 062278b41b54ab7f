"""Translated refusals and HTTP errors: what the pages say when something is refused (field messages: fields.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workflow.guards import MAX_COMMENT

#: What a refusal means, for the person who met it.
RULE_MESSAGES = {
    "drafter_of_unit": _l("Only a drafter of the statement's unit may do this."),
    "spokesperson_of_unit": _l("Only the unit's designated spokesperson may do this."),
    "competent_leader": _l("Only a leader of the unit or of a parent unit may do this."),
    "spokesperson_or_leader": _l("Only the unit's spokesperson or a competent leader may do this."),
    "author": _l("Only the statement's author may do this."),
    "four_eyes": _l("Four-eyes rule: you wrote this statement or one of its versions, so you may not decide on it."),
    "four_eyes_escalation": _l("Four-eyes rule: you escalated this statement, so you may not sign it off."),
    "four_eyes_own_escalation": _l(
        "Four-eyes rule: you escalated this statement, so another leader must decide on its sensitivity."
    ),
    "four_eyes_clearance": _l(
        "Four-eyes rule: you cleared the sensitivity of this content, so you may not approve it as well;"
        " escalate it for another leader's sign-off."
    ),
    "four_eyes_release": _l(
        "Four-eyes rule: you signed this statement off as a leader, so another person must release it."
    ),
    "four_eyes_rule_change": _l(
        "Four-eyes rule: you changed one of this unit's rules so that it no longer holds this statement for a"
        " leader; another reviewer must approve it, or escalate it."
    ),
    "four_eyes_rules": _l(
        "Four-eyes rule: you review this unit's statements as its spokesperson, so you may not change the rules"
        " that decide which of them need a leader's sign-off."
    ),
    "rules_reader": _l(
        "A unit's sensitivity rules are internal to it: only its own people, the leaders above it, auditors and"
        " administrators may read them."
    ),
    "sign_in_throttled": _l("Too many sign-in attempts for this username from your address; wait and try again."),
    "sign_in_address_throttled": _l("Too many sign-in attempts from your address; wait and try again."),
    "sign_in_account_throttled": _l(
        "This account is under attack: sign-in is open only from addresses it has signed in from before."
        " Wait and try again, or ask an administrator."
    ),
    "idempotency_key_reused": _l(
        "This form already created a statement, with other text. Save again to create a new statement, or"
        " open your statements to find the first one."
    ),
    "idempotency_key": _l("The request's idempotency key is not valid."),
    "idempotency_in_progress": _l("The same request is still being saved; wait a moment and reload."),
    "unknown_action": _l("There is no such action."),
    "invalid_fields": _l("Some fields are not valid: see the message beside each."),
    "no_reviewer": _l(
        "Nobody can review this unit's statements: it has no spokesperson and no leader, nor has any unit above it."
        " Ask an administrator to designate a spokesperson."
    ),
    "sensitive_requires_sign_off": _l(
        "This statement is sensitive: escalate it to the competent authority for sign-off instead of approving it."
    ),
    "not_sensitive": _l("This statement is not sensitive; there is nothing to clear."),
    "privacy_basis_required": _l(
        "This statement identifies people: a leader must record the legal basis (the person's consent or a legal"
        " duty) for this exact text, or a drafter must redact it, before it is released (Law on Medical"
        " Examination and Treatment 2023, Art. 10; Law 91/2025/QH15 on personal data)."
    ),
    "no_identifying_details": _l("This statement identifies nobody; there is no basis to record."),
    "copy_unreadable": _l("Upload the copy as PDF, DOCX or UTF-8 text, at most 5 MB."),
    "copy_too_large": _l("Upload the copy as PDF, DOCX or UTF-8 text, at most 5 MB."),
    "text_too_short": _l("Paste at least a sentence of the statement (five words or more)."),
    "bad_content_hash": _l("A content hash is 64 hexadecimal characters (the link may give its first 12)."),
    "checkpoint": _l("No checkpoint of the ledger has been signed yet."),
    "ledger_key": _l("No ledger signing key has been made yet."),
    "stale_version": _l("A newer version exists than the one you read."),
    "state": _l("The statement's state does not allow this action now."),
    "statement": _l("No such statement, or it is not visible to you."),
    "version": _l("No such version."),
    "unit_internal": _l("Earlier versions and the decision history are internal to the unit."),
    "comment_required": _l("A comment giving the reason is required for this action."),
    "approved_content_changed": _l("The content differs from what was approved; it cannot be released."),
    "investigators_only": _l("Only auditors and leaders investigate disclosures."),
    "case": _l("No such disclosure case, or it is not visible to you."),
    "case_closed": _l("This case is already closed."),
    "not_own_case": _l("Nobody records a violation against themselves."),
    "notification": _l("No such notification."),
    "notification_settings": _l("The notification settings are not valid."),
    "deadline_policy": _l("The deadlines are not valid."),
    "deadlines_reader": _l("A unit's deadlines are internal to it."),
    "deadlines_editor": _l("Only a leader of the unit (or above) or an administrator sets its deadlines."),
    "days_off": _l("Too many days off."),
    "mandatory_mail": _l("Unknown kind of notification."),
    "invalid_disclosure": _l("The disclosure report is incomplete."),
    "invalid_finding": _l("The finding is incomplete."),
    "pdf_font": _l("PDF copies cannot be made on this server (its font is missing); choose DOCX or text."),
    "nul_in_form": _l(
        "The form holds an invisible NUL character, which cannot be saved. Nothing was changed. Remove it (it"
        " usually comes from text pasted from another program) and try again."
    ),
    "admin_only": _l("Only an administrator may change the organisation."),
    "auditor_only": _l("Only auditors and administrators may read the ledger."),
    "dashboard_viewer": _l("Only leaders (for the units they lead) and auditors see the dashboard."),
    "rules_editor": _l("Only a leader of the unit (or above) or an administrator may edit its rules."),
    "rule": _l("The rule is not valid."),
    "rule_empty": _l("A rule needs keywords, topics or a detector."),
    "rule_code": _l("A rule code is lowercase letters, digits, '-' or '_'."),
    "rule_exists": _l("The unit already has a rule with that code."),
    "content": _l("The statement's content is not valid."),
    "channels": _l("Choose release channels from the list."),
    "action": _l("There is no such action."),
    "version_required": _l("The form did not say which version you read; open the statement again."),
    "corrects": _l("A correction must name a released statement."),
    "format": _l("The ledger is exported as CSV or JSON Lines."),
    "comment_type": _l("The comment must be text."),
    "comment_too_long": _l("The comment is longer than %(n)d characters.", n=MAX_COMMENT),
    "conflict": _l("This conflicts with data written meanwhile; read it again and retry."),
    "role": _l("The person does not hold that role in that unit."),
    # The organisation's refusals, flashed on the administration page.
    "unit": _l("No unit with that code."),
    "user": _l("No user with that username."),
    "unit_code": _l("A unit code is 1-64 capital letters, digits, '-' or '_'."),
    "unit_name": _l("A unit needs a name."),
    "unit_exists": _l("A unit with that code already exists."),
    "user_fields": _l("The user's details are not valid."),
    "user_exists": _l("A user with that username already exists."),
    "spokesperson_exists": _l("The unit already has a spokesperson: designate the new one instead."),
    "use_designation": _l("Designate a spokesperson through the designation form."),
    "role_exists": _l("The person already holds that role in that unit."),
    "auditor_not_spokesperson": _l(
        "An auditor reads everything and changes nothing, so an auditor cannot be a unit's spokesperson."
    ),
    "spokesperson": _l("The unit has no designated spokesperson."),
    "acting_reader": _l(
        "A unit's acting spokespersons are internal to it: only its own people, the leaders above it, auditors and"
        " administrators may read them."
    ),
    "acting_appointer": _l("Only a leader of the unit (or above) or an admin may appoint its acting spokesperson."),
    "acting_overlap": _l(
        "Someone is already acting spokesperson of this unit for part of that period; end that appointment first."
    ),
    "acting_period": _l("The period is not valid: it must end after it starts, and last at most 90 days."),
    "appointment_over": _l("This appointment has already ended."),
    "not_scheduled": _l("This statement has no scheduled release to cancel."),
    "not_urgent": _l("Only an urgent statement may be released in an emergency; this one waits for its spokesperson."),
    "release_scheduled": _l(
        "This statement is scheduled for release; cancel the schedule first if it must go out now."
    ),
    "no_emergency_review": _l("This statement has no emergency release awaiting review."),
    "four_eyes_emergency_review": _l(
        "Four-eyes rule: you released this statement in an emergency, so another person must review it."
    ),
    "release_at": _l("Give the time of the release: a time to come, at most 30 days ahead."),
    "scheduler_gone": _l("Whoever scheduled the release can no longer release it."),
    "appointment": _l("There is no such acting appointment."),
    "reason_required": _l("Give the reason in writing."),
    "reason_too_long": _l("The reason is too long."),
    "user_inactive": _l("This person's account is deactivated."),
    "press_internal": _l("A unit's questions from the press are internal to the unit."),
    "press_desk": _l("Only the unit's drafters, spokesperson and leaders handle its questions from the press."),
    "press_refusal": _l("Only the unit's spokesperson or a leader may refuse a question from the press."),
    "press_policy": _l("The time limits are not valid."),
    "figures": _l("The figures are not valid: see the fields marked below."),
    "figures_policy": _l("The figures policy is not valid."),
    "confirm": _l("Tick the box to confirm the refusal: it cannot be undone."),
    "analysis_required": _l(
        "This statement carries figures: write their analysis (what the figures mean and why they changed), at"
        " least as long as the unit asks, before it is submitted; figures are never given raw (letter"
        " 6006/BYT-TT-KT §2)."
    ),
    "press_request": _l("There is no such question, or it belongs to another unit."),
    "press_request_closed": _l("The question was refused: it is closed."),
    "answered": _l("The question is answered: its answer was released."),
    "answer": _l("A question is answered by an interview statement of its unit that is not rejected or withdrawn."),
    "answer_taken": _l("That statement already answers another question."),
    "refusal": _l("A refusal names its ground in the Press Law and says why."),
    "assignee": _l("The question goes to one of the unit's drafters, spokesperson or leaders."),
    "received_at": _l("A question is received now or within the past year."),
    "do": _l("Unknown step."),
    "status": _l("Unknown status."),
    "watch_keeper": _l("Only the unit's drafters, spokesperson and leaders record what is seen outside about it."),
    "watch_judge": _l(
        "Only the unit's spokesperson, a leader or its focal officer for the watch judges an item seen outside or"
        " reports it up."
    ),
    "focal_appointer": _l("Only a leader of the unit (or above) or an admin names its focal officer."),
    "watch_focal": _l("The focal officer is one of the unit's drafters, spokesperson or leaders."),
    "rumour": _l("There is no such item, or it belongs to another unit."),
    "first_seen_at": _l("An item is first seen now or within the past year."),
    "assessment": _l("A judgement says what the item is and why."),
    "not_false": _l("Only an item judged false or misleading is answered by a correction."),
    "correction_taken": _l("That correction already answers another item."),
    "not_beyond": _l("Only an item judged beyond the unit's authority is reported up."),
    "report": _l("Say why the item goes to the unit above."),
    "no_unit_above": _l("The unit holding the item has no unit above it."),
    "answer_exists": _l("The question already has its answer: revise that one, or withdraw it first."),
    "correction_exists": _l("The item already has its correction: revise that one, or withdraw it first."),
    "kind": _l("The statement's kind is fixed by what it answers."),
    "letterhead": _l("The letterhead is not valid: see the fields marked."),
    "not_issuable": _l("Only an approved or released statement is issued as a letter."),
    "letterhead_incomplete": _l(
        "The unit's letterhead is not set yet: an administrator sets its place, symbol and signers first."
    ),
    "letter": _l("The letter is not valid: see the fields marked."),
    "letter_cancelled": _l("The letter is already cancelled."),
    "issued_report": _l("There is no such issued report."),
    "report_signer": _l("The report is not valid: see the fields marked."),
    "report_remarks": _l("The report is not valid: see the fields marked."),
    "period_not_ended": _l("A report is issued once its period has ended."),
    "letterhead_reader": _l(
        "Only the unit's own people, the leaders above it, auditors and administrators read its letterhead."
    ),
    "numbers_given": _l("That number has already been given this year: numbers only move forward."),
    "numbering": _l("The numbering is not valid: see the fields marked."),
    "report_issued": _l("A report of this unit already covers this period; a correction goes out as a letter."),
    "reason": _l("Say why."),
    "letter_issuer": _l("Only the unit's spokesperson or a leader may issue its official letters."),
    "commendation": _l("The commendation is not valid: see the fields marked."),
    "commender": _l("Only a leader of the unit (or above) records commendations of its people."),
    "report_reader": _l("Only the unit's leaders, its spokesperson and auditors read its reports."),
    "period": _l("The period is not understood: see the field marked."),
    "letter_unreleased": _l("Before its release, only those who issue the unit's letters download it."),
    "letter_before_release": _l("Its release is scheduled: issue the letter once it is released."),
    "nobody_above": _l("Nobody on PressGate speaks for or leads the units above: tell them by other means."),
}


def refusal_message(rule: str, message: str) -> str:
    """Return what a refusal means in the person's language when its rule is a known one, else its message."""
    return str(RULE_MESSAGES.get(rule, message))


#: The heading of an error page.
HTTP_TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in required"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Invalid input"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
    503: _l("Service unavailable"),
}
#: What a plain HTTP error means, for pages (the API keeps its own JSON messages).
HTTP_MESSAGES = {
    400: _l("The request could not be understood (for example, the form had expired). Go back and try again."),
    401: _l("Please sign in first."),
    403: _l("You are not allowed to do this."),
    404: _l("There is nothing at this address, or it is not visible to you."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone changed this meanwhile. Read it again before deciding."),
    413: _l("What was sent is larger than PressGate accepts. Nothing was changed. Shorten it and try again."),
    422: _l("Some of what was sent is not valid."),
    429: _l("Too many failed attempts. Wait a while and try again."),
    500: _l("Something went wrong on the server. Nothing was changed."),
    503: _l("The database is not available right now. Nothing was changed. Try again in a few seconds."),
}
#: A 503 from a database without this code's schema: no retry helps until someone migrates it.
NOT_SET_UP_MESSAGE = _l(
    "PressGate's database is not set up for this version. Nothing was changed. An administrator must run"
    " `pressgate init-db`."
)
#: A 503 whose connection died during COMMIT: the server may have recorded the change or not.
IN_DOUBT_MESSAGE = _l(
    "The connection to the database was lost while your change was being saved: it may or may not have"
    " been recorded. Open the page again to see, before you retry."
)
