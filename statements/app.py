"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from auth import passwords, ratelimit
from statements import config as config_module
from statements import errors, web_session
from statements.db import make_engine, make_sessionmaker
from statements.extensions import Api, csrf
from workflow import sealing
from workflow.db import MAX_ID


class BoundedIntConverter(IntegerConverter):
    """Flask's int converter, bounded to the range of the id columns."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Create the Flask application; `config` overrides what the environment gives."""
    instance_path = os.environ.get("PRESSGATE_INSTANCE_PATH")
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

    web_session.init_app(app)
    # Ids beyond the columns' range match no route (404) instead of reaching the database.
    app.url_map.converters["int"] = BoundedIntConverter
    api = Api(app)
    api.register_converter(
        BoundedIntConverter, lambda c: {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    )  # one per app: the OpenAPI spec belongs to the app it describes
    app.extensions["pressgate"]["api"] = api
    csrf.init_app(app)
    ratelimit.init_app(app)

    from auth import login
    from statements import i18n, security
    from statements.api import register_blueprints
    from statements.press import bp as press_bp
    from statements.views import bp as views_bp
    from statements.web import bp as web_bp

    i18n.init_app(app)
    security.init_app(app)
    login.init_app(app, web_session.db)
    register_blueprints(app, api)
    app.register_blueprint(press_bp)
    app.register_blueprint(views_bp)
    app.register_blueprint(web_bp)
    errors.register(app)

    from statements.cli import register_commands

    register_commands(app)
    app.jinja_env.filters["reject_page"] = lambda args: {k: v for k, v in args.items() if k != "page"}
    return app
