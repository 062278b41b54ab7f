"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, UnicodeConverter

from auth import passwords
from statements import config as config_module
from statements import errors, web_session
from statements.db import make_engine, make_sessionmaker
from statements.extensions import Api, csrf
from statements.schemas import NO_NUL, no_nul_pattern
from workflow.db import MAX_ID
from workflow.ledger import sealing


class BoundedIntConverter(IntegerConverter):
    """Flask's int converter, bounded to the range of the id columns."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Create the Flask application; `config` overrides what the environment gives."""
    # Flask takes only an absolute folder: a relative one means the working directory's, an empty one the default.
    given = os.environ.get("PRESSGATE_INSTANCE_PATH")
    instance_path = os.path.abspath(given) if given else None
    # Flask as it comes: overriding `ensure_sync` and caching the session's signing serializer was
    # measured (2026-12-04, 2,400 API reads in process, alternating) at 4.16 ms a request with the
    # overrides and 3.99 and 4.22 without each, within the noise; they were removed.
    app = Flask("statements", instance_path=instance_path, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config_module.from_environment(Path(app.instance_path)))
    app.config.update(
        API_TITLE="PressGate API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH=None,
        OPENAPI_REDOC_PATH=None,
        JSON_SORT_KEYS=False,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "info": {"description": "PressGate: approval of health press statements, on a verifiable ledger."},
        },
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False  # Vietnamese stays readable in responses

    if app.config.get("ARGON2_TIME_COST") or app.config.get("ARGON2_MEMORY_COST"):
        passwords.configure(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"))

    engine = app.config.get("ENGINE")
    if engine is None:
        engine = make_engine(app.config["DATABASE_URL"])
        # An engine passed in is configured by whoever made it (the tests choose their sealing).
        sealing.configure(engine, mode=app.config["LEDGER_SEALING"])
        sweep = app.config["SEAL_SWEEP_SECONDS"]

        @app.before_request
        def _keep_sweeping() -> None:
            # Started by the first request, in the process that serves it (a forked worker starts its
            # own); CLI commands serve none, and seal what they wrote when they exit.
            sealing.keep_sweeping(engine, sweep)

    app.extensions["pressgate"] = {
        "engine": engine,
        "sessionmaker": app.config.get("SESSIONMAKER") or make_sessionmaker(engine),
    }

    # Ids beyond the columns' range match no route (404) instead of reaching the database.
    app.url_map.converters["int"] = BoundedIntConverter
    api = Api(app)
    api.register_converter(
        BoundedIntConverter, lambda c: {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    )  # one per app: the OpenAPI spec belongs to the app it describes
    # No text the API takes may hold NUL (errors.py refuses it in addresses, Lenient in bodies and queries).
    api.register_converter(UnicodeConverter, lambda c: {"type": "string", "pattern": NO_NUL})
    api.ma_plugin.converter.add_attribute_function(no_nul_pattern)
    app.extensions["pressgate"]["api"] = api
    csrf.init_app(app)
    if proxies := app.config.get("TRUSTED_PROXIES", 0):
        # Behind reverse proxies the client's address is the one they add to X-Forwarded-For: sign-in
        # limits per address would otherwise count every client as the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from auth import login
    from statements import i18n, jobs, navigation, security

    i18n.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    login.init_app(app, web_session.db)
    _register_features(app, api)
    jobs.init_app(app)
    errors.register(app)
    # Last, so that its commit runs before every other after-request function: a failed commit's error
    # response gets the security headers like any other.
    web_session.init_app(app)

    _register_commands(app)
    app.jinja_env.filters["reject_page"] = lambda args: {k: v for k, v in args.items() if k != "page"}
    return app


def _register_features(app: Flask, api: Api) -> None:
    """Register every feature's API resources and pages.

    A feature's modules add their routes to the shared blueprints when imported (its pages to the web
    shell's `bp`, a copy's export to the statements resource), so all are imported before any is registered.
    """
    from statements import pages, web
    from statements.audit import api as ledger_api
    from statements.audit import web as audit_web
    from statements.copies import api as copies_api
    from statements.copies import web as copies_web
    from statements.dashboard import api as dashboard_api
    from statements.dashboard import web as dashboard_web
    from statements.disclosure import api as disclosure_api
    from statements.disclosure import web as disclosure_web
    from statements.letters import api as letters_api
    from statements.letters import web as letters_web
    from statements.lifecycle import actions, figures_web
    from statements.lifecycle import api as lifecycle_api
    from statements.lifecycle import web as lifecycle_web
    from statements.notifications import api as notifications_api
    from statements.notifications import web as notifications_web
    from statements.org import acting_web, deadlines_web, rules_web, tokens
    from statements.org import api as org_api
    from statements.org import web as org_web
    from statements.press import api as press_api
    from statements.press import feeds as press_feeds
    from statements.press import web as press_web
    from statements.pressdesk import api as pressdesk_api
    from statements.pressdesk import web as pressdesk_web
    from statements.record import api as record_api
    from statements.record import web as record_web
    from statements.reports import api as reports_api
    from statements.reports import web as reports_web
    from statements.rumours import api as rumours_api
    from statements.rumours import web as rumours_web

    del (
        acting_web,
        actions,
        audit_web,
        copies_api,
        copies_web,
        dashboard_web,
        deadlines_web,
        disclosure_web,
        letters_web,
        lifecycle_web,
        notifications_web,
        org_web,
        press_feeds,
        pressdesk_web,
        record_web,
        reports_web,
        rules_web,
        rumours_web,
    )
    figures_web.init_app(app)
    # The API authenticates by bearer token, so CSRF does not apply to it.
    apis = (
        tokens,
        org_api,
        lifecycle_api,
        ledger_api,
        disclosure_api,
        notifications_api,
        dashboard_api,
        press_api,
        pressdesk_api,
        letters_api,
        record_api,
        reports_api,
        rumours_api,
    )
    for module in apis:
        csrf.exempt(module.bp)
        api.register_blueprint(module.bp)
    for blueprint in (press_web.bp, pages.bp, web.bp):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    """Attach PressGate's commands to the app's CLI: the shell's and each feature's."""
    from statements.audit.cli import ledger_group
    from statements.cli.commands import COMMANDS
    from statements.org.cli import acting_group
    from statements.reports.cli import report_command

    for command in (*COMMANDS, ledger_group, acting_group, report_command):
        app.cli.add_command(command)
