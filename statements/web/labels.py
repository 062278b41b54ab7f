"""Translated names of states, actions, kinds, urgencies, channels, roles, outcomes and evidence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "changes_requested": _l("Changes requested"),
    "escalated": _l("Escalated to leadership"),
    "approved": _l("Approved"),
    "released": _l("Released"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "retracted": _l("Retracted"),
}
ACTION_LABELS = {
    "submit": _l("Submit for review"),
    "approve": _l("Approve"),
    "escalate": _l("Escalate to leadership"),
    "sign_off": _l("Sign off"),
    "request_changes": _l("Request changes"),
    "reject": _l("Reject"),
    "release": _l("Release"),
    "reopen": _l("Reopen"),
    "schedule_release": _l("Schedule the release"),
    "emergency_release": _l("Release in an emergency"),
    "emergency_agree": _l("Review: agree with the emergency release"),
    "emergency_finding": _l("Review: record a finding on the emergency release"),
    "cancel_schedule": _l("Cancel the scheduled release"),
    "withdraw": _l("Withdraw"),
    "retract": _l("Retract"),
    "clear_sensitivity": _l("Clear sensitivity"),
    "record_consent": _l("Record the consent of the people it identifies"),
    "record_legal_duty": _l("Record the legal duty to publish what identifies people"),
    "create": _l("Created"),
    "revise": _l("New version"),
    "export": _l("Exported a copy"),
    "read": _l("Read unreleased content"),
    "open_case": _l("Opened a disclosure case"),
    "close_case": _l("Closed a disclosure case"),
    "create_unit": _l("Created a unit"),
    "create_user": _l("Created a user account"),
    "grant_role": _l("Gave a role"),
    "revoke_role": _l("Took a role away"),
    "designate_spokesperson": _l("Designated the spokesperson"),
    "remove_spokesperson": _l("Ended the spokesperson's designation"),
    "appoint_acting_spokesperson": _l("Appointed an acting spokesperson"),
    "end_acting_spokesperson": _l("Ended an acting spokesperson's appointment"),
    "create_rule": _l("Added a sensitivity rule"),
    "update_rule": _l("Changed a sensitivity rule"),
    "update_deadlines": _l("Set the unit's deadlines"),
    "deadline_reminder": _l("Reminded whoever must act"),
    "deadline_overdue": _l("Said the step is overdue"),
    "deadline_escalation": _l("Escalated an overdue step to the leaders above"),
    "emergency_review_overdue": _l("Said an emergency release awaits its overdue review"),
    "sign_in_alert": _l("Sign-in alert: an account under attack"),
    "register_press_request": _l("Registered a question from the press"),
    "assign_press_request": _l("Assigned a question from the press"),
    "answer_press_request": _l("Linked the answer to a question from the press"),
    "refuse_press_request": _l("Refused a question from the press"),
    "update_press_policy": _l("Set the unit's time limits for answering the press"),
    "update_figures_policy": _l("Set the unit's policy for figures"),
    "appoint_watch_focal": _l("Named the unit's focal officer for the watch"),
    "record_rumour": _l("Recorded an item seen outside"),
    "assess_rumour": _l("Judged an item seen outside"),
    "link_rumour": _l("Linked statements to an item seen outside"),
    "report_rumour": _l("Reported an item seen outside to the unit above"),
    "issue_letter": _l("Issued an official letter"),
    "issue_report": _l("Issued a periodic report"),
    "continue_numbering": _l("Carried the year's numbers on"),
    "cancel_letter": _l("Cancelled an official letter"),
    "update_letterhead": _l("Set the unit's letterhead"),
    "record_commendation": _l("Recorded a commendation"),
}
#: What each built-in detector looks for, so that whoever reads a rule sees why it fired.
DETECTOR_LABELS = {
    "patient_identity": _l(
        "A private person named with their age, birth year or address within one sentence, or a patient named"
        " outright (bệnh nhân, người bệnh, sản phụ, bé, cháu and a name); a citizen ID or insurance number; a"
        " private phone number; a home address down to the house, lane or hamlet; a hospital bed or room beside"
        " a name. Officials named with their titles, initials (N.V.A.), patient codes (BN 1234), hotlines and"
        " institutions' addresses are not findings. Content with findings is released only once a leader"
        " records the legal basis or a drafter redacts it."
    ),
    "hidden_characters": _l(
        "Characters a reader cannot see (zero-width, direction controls, soft hyphens, variation selectors),"
        " letters of another script inside a Vietnamese or Latin word (a Cyrillic о for an o), and fullwidth"
        " letters. Nobody types these into a health statement by accident; the finding names each one."
    ),
}
#: What an irreversible action does, said before it is confirmed.
CONSEQUENCES = {
    "release": _l(
        "Releasing publishes this exact text in the press room and its feed, for everyone. It cannot be"
        " taken back: a released statement can only be retracted, publicly and with a reason."
    ),
    "emergency_release": _l(
        "Releasing in an emergency publishes this exact text for everyone, in the spokesperson's stead. Everyone"
        " concerned is told at once, and another person must review your release within 24 hours."
    ),
    "reject": _l("Rejecting ends this statement for good: nobody can edit, approve or release it afterwards."),
    "withdraw": _l("Withdrawing ends this statement for good: nobody can edit, approve or release it afterwards."),
    "retract": _l(
        "Retracting marks the released statement as withdrawn in the press room, with your reason shown beside"
        " it. It cannot be released again."
    ),
}
KIND_LABELS = {
    "regular": _l("Regular information"),
    "ad_hoc": _l("Ad hoc information"),
    "correction": _l("Correction"),
    "interview": _l("Interview answer"),
}
ROLE_LABELS = {
    "drafter": _l("drafter"),
    "spokesperson": _l("spokesperson"),
    "acting_spokesperson": _l("acting spokesperson"),
    "leader": _l("leader"),
    "auditor": _l("auditor"),
    "admin": _l("administrator"),
    "author": _l("author"),
    "system": _l("system"),
    "focal_officer": _l("focal officer for the watch"),
}
#: What kind of identifying detail a finding is (workflow.privacy.KINDS).
FINDING_LABELS = {
    "person": _l("A person named with their age or address, or a patient named"),
    "citizen_id": _l("A citizen ID number"),
    "insurance_id": _l("A health or social insurance number"),
    "phone": _l("A private phone number"),
    "home_address": _l("A home address"),
    "bed_with_name": _l("A hospital bed or room beside a name"),
}
#: The legal bases a leader may record for publishing identifying details.
BASIS_LABELS = {
    "consent": _l("the consent of the people identified"),
    "legal_duty": _l("a legal duty to publish"),
}
#: Why a statement is sensitive, where the system gave the reason (a unit's rules give their own labels).
REASON_LABELS = {
    "drafter": _l("The drafter marked it sensitive"),
    "escalation": _l("The spokesperson asked the competent authority to decide"),
}
#: What a list narrowed to an event says it shows (statements.lifecycle.queries.EVENTS).
EVENT_LABELS = {
    "released": _l("released"),
    "escalated": _l("escalated to leadership for sign-off"),
    "emergency_release": _l("released in an emergency"),
    "deadline_escalation": _l("escalated by the deadline sweep"),
}
URGENCY_LABELS = {"normal": _l("Normal"), "urgent": _l("Urgent")}
EMERGENCY_OUTCOME_LABELS = {"agrees": _l("agrees with the release"), "finding": _l("recorded a finding")}
MAIL_MODE_LABELS = {
    "immediate": _l("At once"),
    "digest": _l("Daily digest (7:00)"),
    "off": _l("No email"),
}
LANGUAGE_LABELS = {"vi": "Tiếng Việt", "en": "English"}
CHANNEL_LABELS = {
    "press_conference": _l("Press conference"),
    "website": _l("Website"),
    "press_release": _l("Press release"),
    "written_answer": _l("Written answer"),
    "interview": _l("Interview"),
    "social_media": _l("Social media"),
}
#: The Press Law's grounds for not providing information (statements.pressdesk.models.GROUNDS).
GROUND_LABELS = {
    "state_secret": _l("State secrets"),
    "private_secret": _l("Private or other secrets protected by law"),
    "under_investigation": _l("A case under investigation or not yet tried"),
    "inspection_or_complaint": _l("An inspection not yet concluded, or a complaint or denunciation being settled"),
    "draft_policy": _l("A policy document still being drafted, not yet allowed to be published"),
}
#: The measures of letter 6006 §2 a figures block gives (workflow.figures.MEASURES).
MEASURE_LABELS = {
    "new_cases": _l("New cases"),
    "under_treatment": _l("Under treatment"),
    "recovered": _l("Recovered"),
    "deaths": _l("Deaths"),
    "quarantine": _l("In quarantine"),
    "tests": _l("Tests"),
    "vaccinations": _l("Vaccine doses given"),
    "adverse_events": _l("Adverse events after vaccination"),
}
#: How an item seen outside was judged (statements.rumours.models.ASSESSMENTS).
ASSESSMENT_LABELS = {
    "unassessed": _l("Not judged yet"),
    "true": _l("True"),
    "misleading": _l("Misleading"),
    "false": _l("False"),
    "beyond_authority": _l("Beyond the unit's authority"),
}
#: Where a question from the press stands (statements.pressdesk.service.STATUSES).
PRESS_STATUS_LABELS = {
    "open": _l("Awaiting an answer"),
    "answering": _l("Answer being prepared"),
    "overdue": _l("Overdue"),
    "answered": _l("Answered"),
    "refused": _l("Refused"),
}
OUTCOME_LABELS = {
    "not_a_leak": _l("Not a leak: released content"),
    "leak_attributed": _l("Leak, source established"),
    "leak_unattributed": _l("Leak, source not established"),
    "inconclusive": _l("Inconclusive"),
}
EVIDENCE_LABELS = {
    "fingerprint": _l("The text carries the invisible mark of this person's copy"),
    "variants": _l("The text follows the word, number, date and punctuation forms of this person's copy"),
    "export": _l("Downloaded a copy of the matched version"),
    "read": _l("Read the matched version"),
    "listed": _l("Saw the matched version's title in a list, not its text"),
    "wrote": _l("Wrote the matched version"),
    "decided": _l("Decided on the matched version"),
}
#: What would narrow a group of people that nothing tells apart (statements.disclosure.analysis.NARROWING).
NARROWING_LABELS = {
    "copy_with_marks": _l(
        "The text as it was found, copied or saved from where it was seen: a copy's invisible marks name it"
    ),
    "more_text": _l("More of the text: each further paragraph may carry forms that tell the copies apart"),
    "exact_wording": _l("The exact wording as published, not a summary or a quote retyped by someone else"),
    "when_seen": _l("When it was first seen: only those who had the text before then belong to the group"),
}
