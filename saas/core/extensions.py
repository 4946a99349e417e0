"""Unbound extension singletons; `create_app` binds them with `init_app`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from saas.core.database_roles import RoleSession
from saas.core.db import Base

# The session picks the web role's engine or the platform role's (saas.core.database_roles).
db = SQLAlchemy(model_class=Base, session_options={"class_": RoleSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
