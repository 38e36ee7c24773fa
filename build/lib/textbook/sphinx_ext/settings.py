"""The course's settings in Sphinx: each ``ProjectConfig`` field registered as ``textbook_<name>``.

Registered from the one declaration in ``core/config.py``, checked when the
configuration is read (a bad value stops Sphinx naming ``conf.py``), and read
back by every handler through ``core.config.of_sphinx``.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.errors import ConfigError as SphinxConfigError

from textbook.core.config import PREFIX, ConfigError, ProjectConfig


def register(app: Sphinx) -> None:
    for setting in ProjectConfig.settings():
        app.add_config_value(PREFIX + setting.name, setting.default, "env", types=[type(setting.default)],
                             description=setting.metadata["doc"])  # fmt: skip
    # Not for conf.py: the folder that holds it, recorded for readers of the settings.
    app.add_config_value("textbook_root", "", "", types=[str])


def check_and_record_root(app: Sphinx, config) -> None:
    """``config-inited``, first: every setting of the right type and in range; the root recorded."""
    config.textbook_root = str(app.confdir)
    try:
        ProjectConfig.of(config, root=app.confdir)
    except ConfigError as error:
        raise SphinxConfigError(str(error)) from None
