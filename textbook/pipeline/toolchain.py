"""System tools the build needs beyond Python: TeX Live for the PDF editions, EPUBCheck for the EPUB.

When a tool is missing and we run as root on Debian/Ubuntu, we install it
with apt-get (once; later builds find it). Otherwise we stop with one line
that says exactly what to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

#: Debian packages that give Sphinx's xelatex route everything it loads:
#: the engine, latexmk, the LaTeX packages sphinx.sty needs and the FreeFont
#: and TeX Gyre fonts it uses by default.
TEX_PACKAGES = (
    "texlive-xetex",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "tex-gyre",
    "fonts-freefont-otf",
    "latexmk",
    "dvisvgm",  # math in the HTML edition, drawn as SVG (sphinx.ext.imgmath)
)
TEX_COMMANDS = ("xelatex", "latexmk", "dvisvgm")
#: Poppler reads PDFs back: text for the tests, pages as PNG for looking at them.
POPPLER_PACKAGES = ("poppler-utils",)
POPPLER_COMMANDS = ("pdftotext", "pdftoppm", "pdffonts")
#: The browser the web gate drives (Playwright cannot download its own here).
CHROMIUM_PACKAGES = ("chromium",)
CHROMIUM_COMMANDS = ("chromium",)
#: EPUBCheck validates the EPUB edition (Java; Debian's package brings a JRE).
EPUBCHECK_PACKAGES = ("epubcheck",)
EPUBCHECK_COMMANDS = ("epubcheck", "java")
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")


class ToolchainError(Exception):
    """A required system tool is missing and cannot be installed here."""


def _apt_command(packages) -> list[str]:
    return ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]


def ensure_commands(commands, packages, what: str, log=print) -> None:
    """Make sure every command in ``commands`` is on PATH, installing ``packages`` if not."""
    missing = [command for command in commands if shutil.which(command) is None]
    if not missing:
        return
    install = " ".join(_apt_command(packages))
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ToolchainError(
            f"{what} is missing ({', '.join(missing)} not found); install it with: sudo {install}"
        )
    log(f"textbook: {what} is missing ({', '.join(missing)}); installing it with apt-get, once")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], _apt_command(packages)):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise ToolchainError(
                f"installing {what} failed ({' '.join(command)} exited {result.returncode}):\n"
                + result.stderr.strip()[-2000:]
            )
    still_missing = [command for command in commands if shutil.which(command) is None]
    if still_missing:
        raise ToolchainError(f"{what} was installed but {', '.join(still_missing)} is still not on PATH")


def ensure_tex(log=print) -> None:
    ensure_commands(TEX_COMMANDS, TEX_PACKAGES, "TeX Live", log)


def ensure_poppler(log=print) -> None:
    ensure_commands(POPPLER_COMMANDS, POPPLER_PACKAGES, "Poppler", log)


def ensure_chromium(log=print) -> None:
    ensure_commands(CHROMIUM_COMMANDS, CHROMIUM_PACKAGES, "Chromium", log)


def ensure_epubcheck(log=print) -> None:
    ensure_commands(EPUBCHECK_COMMANDS, EPUBCHECK_PACKAGES, "EPUBCheck", log)


def epubcheck_command() -> list[str]:
    """How to run EPUBCheck: Debian's ``/usr/bin/epubcheck`` is the jar itself, run through
    binfmt_misc, which containers often lack, so its jar is given to ``java``."""
    return ["java", "-jar", str(EPUBCHECK_JAR)] if EPUBCHECK_JAR.is_file() else ["epubcheck"]
