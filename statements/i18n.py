"""Languages (Vietnamese by default, English on request) and local times (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Blueprint, Flask, has_request_context, redirect, request, session
from flask_babel import Babel, format_decimal
from flask_babel import gettext as _

from auth.login import safe_next
from workflow.deadlines import ZONE

LANGUAGES = ("vi", "en")
#: Vietnam's time, in which deadlines are counted (workflow.deadlines) and every time is shown.
LOCAL_ZONE = ZONE
TIMEZONE = ZONE.key

bp = Blueprint("i18n", __name__)
babel = Babel()


def select_locale() -> str:
    """Use the language the person chose (kept in their session cookie), else Vietnamese (the CLI's too)."""
    chosen = session.get("lang") if has_request_context() else None
    return chosen if chosen in LANGUAGES else "vi"


@bp.route("/lang/<code>")
def switch(code: str):
    """Switch the interface language and go back where the person was."""
    if code in LANGUAGES:
        session["lang"] = code
        session.permanent = True  # the choice outlives the browser session
    return redirect(safe_next(request.args.get("next")))


#: One form in both languages: day first, a four-digit year and a 24-hour clock, as the statements
#: themselves write dates; a locale's own short form would read 12/3/26 as 3 December in English.
_TIME_FORMAT = "%d/%m/%Y %H:%M"


def local_time(value: dt.datetime | str | None) -> str:
    """Format a UTC time in Hanoi time (day first, 24-hour clock), naming the zone in the person's language."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    return _("%(when)s (Hanoi time)", when=_formatted(value))


def day_text(day: dt.date | str) -> str:
    """Format a day (or its ISO form) as the time formats do, day first."""
    return (dt.date.fromisoformat(day) if isinstance(day, str) else day).strftime("%d/%m/%Y")


def local_input_now() -> str:
    """Return now as a datetime-local field holds it (Hanoi time), a form's default: the next whole minute.

    The field keeps minutes only; rounding down would put a copy made earlier in this same minute after the
    time the text was seen.
    """
    return (dt.datetime.now(LOCAL_ZONE) + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")


def from_local_input(value: str) -> dt.datetime | None:
    """Read a form's local date and time (a datetime-local field, Hanoi time) as a UTC time; None if not one."""
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=LOCAL_ZONE).astimezone(dt.UTC) if value else None
    except (ValueError, OverflowError):  # OverflowError: year 1 in Hanoi is before year 1 in UTC
        return None


@lru_cache(maxsize=8192)
def _formatted(iso: str) -> str:
    # A list page formats a hundred times at once, the same times page after page.
    value = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if value.tzinfo is None:  # stored times are UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_ZONE).strftime(_TIME_FORMAT)


def return_path() -> str:
    """Return where the language switch goes back to: this page, or after a form was sent, the page it was on.

    A form's address may take no GET (a 405 after switching), and its answer cannot be shown again anyway.
    """
    if request.method == "GET":
        return request.full_path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return "/"


def init_app(app: Flask) -> None:
    """Set up Flask-Babel, the switch and the template helpers."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["day"] = day_text
    app.jinja_env.filters["decimal"] = lambda value: format_decimal(value, format="#,##0.0")
    app.jinja_env.globals["current_lang"] = select_locale
    app.jinja_env.globals["return_path"] = return_path
