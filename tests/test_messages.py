"""Every refusal speaks the person's language: each rule the code raises has a translated message."""

from __future__ import annotations

import ast
from pathlib import Path

from statements.web.messages import RULE_MESSAGES
from workflow import errors

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("auth", "statements", "workflow")
REFUSALS = {n for n, value in vars(errors).items() if isinstance(value, type) and issubclass(value, errors.Refusal)}


def raised_rules() -> dict[str, str]:
    """Return each rule named by a refusal in the code, with where it is raised."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in REFUSALS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_search_finds_the_refusals():
    rules = raised_rules()
    assert {"four_eyes", "stale_version", "nul_in_form", "auditor_only"} <= set(rules)


def test_every_refusal_rule_has_a_translated_message():
    missing = {rule: where for rule, where in raised_rules().items() if rule not in RULE_MESSAGES}
    assert not missing, f"refusals without a message in statements/web/messages.py RULE_MESSAGES: {missing}"
