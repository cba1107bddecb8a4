"""Extensions, created unbound and bound to an app in create_app. The rate limiter is the exception: Flask-Limiter
keeps its storage on the Limiter object rather than per app, so rate_limits.py builds one for each app."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .errors import ErrorSchema

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# expire_on_commit=False: generated ids and values stay readable after commit without a re-select.
# create_savepoint: when the session is bound to a connection already in a transaction (the tests),
# a commit only releases a savepoint, so each test can be rolled back whole.
db = SQLAlchemy(
    model_class=Base,
    session_options={"expire_on_commit": False, "join_transaction_mode": "create_savepoint"},
)
migrate = Migrate()


class CatalogueApi(Api):
    ERROR_SCHEMA = ErrorSchema  # the OpenAPI "Error" component is the catalogue's shape


api = CatalogueApi()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
