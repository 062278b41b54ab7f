"""Browser sign-in: flask-login over server-side session records, so logout really ends a session."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy.orm import Session

from auth.throttle import Policy, after_sign_in, before_sign_in
from auth.tokens import Grant, authenticate, issue_token, resolve_grant, revoke_token

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"
# flask-login's own message is English; it is flashed as the string of a lazy translation (str, at flash time).
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.localize_callback = str

#: The request's database session, given by the application at init (auth does not import it).
_db: Callable[[], Session] | None = None
#: The session-cookie key holding the secret of the server-side session record.
SESSION_KEY = "pg_session"


class SignedIn:
    """Who the session cookie names, as flask-login keeps them for the request: the grant its record gives."""

    #: What flask-login asks of a signed-in user (a live session's holder is active).
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, grant: Grant) -> None:
        self.grant = grant
        self.full_name = grant.full_name

    def get_id(self) -> str:
        """Return the user's id, as flask-login keeps it in the session."""
        return str(self.grant.actor.user_id)


def _load_user(user_id: str) -> SignedIn | None:
    secret = session.get(SESSION_KEY)
    if not secret or _db is None:
        return None
    grant = resolve_grant(_db(), secret, via="web", kind="web")
    if grant is None or str(grant.actor.user_id) != user_id:
        return None  # revoked, expired or not this user's: the cookie is dead
    return SignedIn(grant)


login_manager.user_loader(_load_user)


def _session() -> Session:
    """Return the request's database session (given by the application at init)."""
    if _db is None:
        raise RuntimeError("auth.login.init_app has not been called")
    return _db()


#: A path on this site: browsers read //host and /\host as another site, and a control character
#: cannot go into a Location header (a newline there would be a header of the attacker's own).
_SAME_SITE = re.compile(r"/(?![/\\])[^\x00-\x1f\x7f]*")


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the inbox: no link can bounce people elsewhere."""
    if target and _SAME_SITE.fullmatch(target):
        return target
    return url_for("web.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form, or sign in."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    guard_sign_in(username)  # the same counters as the API's: one policy for both
    user = authenticate(_session(), username, password) if username and password else None
    if user is None:
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", next=request.form.get("next", ""), username=username), 401
    hours = current_app.config["WEB_SESSION_HOURS"]
    secret, _record = issue_token(_session(), user, dt.timedelta(hours=hours), kind="web")
    signed_in(_session(), username)
    lang = session.get("lang")
    session.clear()  # a new session at every sign-in: nothing from before it survives (fixation)
    if lang:
        session["lang"] = lang
    session[SESSION_KEY] = secret
    login_user(user, remember=False)
    return redirect(safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """End the session on the server and in the browser."""
    secret = session.get(SESSION_KEY)
    if secret:
        grant = resolve_grant(_session(), secret, via="web", kind="web")
        if grant is not None:
            revoke_token(_session(), grant.token_id)
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


# --- sign-in throttling: the API's token endpoint and the form call the same two functions -------------


def client_address() -> str:
    """Return the client's address as the request sees it (behind trusted proxies, the one they name)."""
    return (request.remote_addr or "unknown")[:64]


def guard_sign_in(username: str) -> None:
    """Count a sign-in attempt from this request and refuse it past a limit (429)."""
    # A transaction of its own, committed before the password is checked: the request's own work is
    # rolled back when it is refused, and the count must stand whatever the answer.
    with current_app.extensions["pressgate"]["sessionmaker"].begin() as session:
        refusal = before_sign_in(session, Policy.from_config(current_app.config), username[:128], client_address())
    if refusal is not None:
        raise refusal


def signed_in(session: Session, username: str) -> None:
    """Record a successful sign-in from this request (the caller commits)."""
    after_sign_in(session, username[:128], client_address())


def init_app(app: Flask, db: Callable[[], Session]) -> None:
    """Wire flask-login to the app and give the loader the request's database session."""
    global _db
    _db = db
    app.config.setdefault("WEB_SESSION_HOURS", 10)
    login_manager.init_app(app)
    app.register_blueprint(bp)
