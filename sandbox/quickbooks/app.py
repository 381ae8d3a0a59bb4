"""The Flask application factory of the QuickBooks Online sandbox."""

import logging
from dataclasses import dataclass

from flask import Flask

from ..same_origin import refuse_cross_site
from . import catalog
from .accounting import api
from .attachments import attachments_api, attachments_control
from .batch import batch_api
from .behaviour import behaviour_control
from .changes import cdc_api, changes_control
from .control import control
from .list_control import list_control
from .oauth import blueprint as oauth_blueprint
from .payments import payment_control
from .store import Settings, Store
from .webhook_control import webhook_control
from .webhooks import Notifier


@dataclass
class Sandbox:
    """What the routes share: the locked store and the webhook notifier."""

    store: Store
    notifier: Notifier


def create_app(seed=True, **config):
    """Build the sandbox app; config keys are Settings fields, e.g. time_scale=0.01, webhook_url=..."""
    settings = Settings()
    unknown = set(config) - set(vars(settings))
    if unknown:
        raise TypeError(f"unknown sandbox settings: {', '.join(sorted(unknown))}")
    settings.update(config)
    store = Store(settings)
    if seed:
        catalog.seed(store.add_realm(settings.realm_id))
    app = Flask(__name__)
    app.extensions["qbo_sandbox"] = Sandbox(store=store, notifier=Notifier(store))
    app.register_blueprint(oauth_blueprint)
    app.register_blueprint(api)
    app.register_blueprint(batch_api)
    app.register_blueprint(cdc_api)
    app.register_blueprint(changes_control)
    app.register_blueprint(control)
    app.register_blueprint(list_control)
    app.register_blueprint(behaviour_control)
    app.register_blueprint(webhook_control)
    app.register_blueprint(payment_control)
    app.register_blueprint(attachments_api)
    app.register_blueprint(attachments_control)
    # Its control API pays, deletes and reconfigures: no other site's page may (sandbox/same_origin.py).
    refuse_cross_site(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app
