"""What a build prints: its progress, warnings and errors, not other tools' chatter.

Two kinds of noise would otherwise bury a failed build's error:

* MyST and MyST-NB log their whole configuration, one very long line each,
  at ``builder-inited``; a filter on their loggers drops those two records.
* Every kernel logs ipykernel's warning that it is "running over TCP without
  encryption". The build's kernels listen on the loopback interface and run
  the book's own code, so there is nothing for an author to act on. The
  kernels are started from a ``python3`` kernel spec of our own (the
  installed ipykernel's, told to log errors only), found first because its
  folder leads ``JUPYTER_PATH``; MyST-NB and the execute-ahead workers both
  inherit it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from sphinx.application import Sphinx

from textbook.core.config import of_sphinx

#: The loggers that print a configuration, and the type of the configuration they print.
CONFIG_DUMPS = {"sphinx.myst_parser.sphinx_ext.main": "MdParserConfig", "sphinx.myst_nb.sphinx_ext": "NbParserConfig"}
KERNEL_NAME = "python3"  # the name chapters give in their kernelspec


class _WithoutConfigDump(logging.Filter):
    def __init__(self, config_type: str):
        super().__init__()
        self.config_type = config_type

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not any(type(arg).__name__ == self.config_type for arg in args)


def silence_config_dumps() -> None:
    for name, config_type in CONFIG_DUMPS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WithoutConfigDump) for f in logger.filters):
            logger.addFilter(_WithoutConfigDump(config_type))


def quiet_kernel_spec(app: Sphinx, config) -> None:
    """Write our kernel spec under the cache folder and put it first on ``JUPYTER_PATH``."""
    from ipykernel.kernelspec import get_kernel_dict

    data = of_sphinx(config).cache_dir / "jupyter"
    spec = get_kernel_dict()
    spec["argv"] = [*spec["argv"], "--IPKernelApp.log_level=ERROR"]
    target = data / "kernels" / KERNEL_NAME / "kernel.json"
    text = json.dumps(spec, indent=1) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    search = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
    if search[0] != str(data):
        os.environ["JUPYTER_PATH"] = os.pathsep.join([str(data), *filter(None, search)])
