"""System tools the build needs beyond Python, and how they get installed.

Each tool is declared once, as the commands that show it is there and the
Debian packages that bring it; each edition (``layout.EDITION_TOOLS``) and
each command that needs one names the tools it uses. A command makes sure of
all of them before it does any work: as root on Debian/Ubuntu with one
``apt-get install`` of every missing package (``apt-get update`` only if that
install fails, since the package lists may be missing or stale); otherwise it
stops at once with the one ``sudo apt-get install ...`` line to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SystemTool:
    """A tool from the operating system: found by its commands, installed from its packages."""

    name: str
    commands: tuple[str, ...]
    packages: tuple[str, ...]

    def missing_commands(self) -> list[str]:
        return [command for command in self.commands if shutil.which(command) is None]


#: Poppler reads PDFs back: the page-layout gate's text rows, fonts, pages as PNG for proof sheets.
POPPLER = SystemTool("Poppler (reading PDFs back)", ("pdftotext", "pdftoppm", "pdffonts"), ("poppler-utils",))
#: EPUBCheck validates the EPUB edition (Java; Debian's package brings a JRE).
EPUBCHECK = SystemTool("EPUBCheck (EPUB validation)", ("epubcheck", "java"), ("epubcheck",))
#: The browser the web gate drives (Playwright cannot download its own here).
CHROMIUM = SystemTool("Chromium (the web gate)", ("chromium",), ("chromium",))

EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
#: EPUBCheck runs once and briefly: the quick compiler alone and one collector thread take less
#: than half the CPU time of Java's defaults (3.4 s against 8.3 s on this book's EPUB), time
#: the PDFs being printed beside it need.
SHORT_RUN_JAVA = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


class ToolchainError(Exception):
    """A required system tool is missing and cannot be installed here."""


def apt_install_command(packages: Iterable[str]) -> list[str]:
    return ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]


def missing(tools: Iterable[SystemTool]) -> list[SystemTool]:
    """The tools among ``tools`` (each once, in order) with a command not on PATH."""
    return [tool for tool in dict.fromkeys(tools) if tool.missing_commands()]


def packages_of(tools: Iterable[SystemTool]) -> list[str]:
    """Every package the tools need, each once, in the order declared."""
    return list(dict.fromkeys(package for tool in tools for package in tool.packages))


def ensure(tools: Iterable[SystemTool], log: Callable[[str], None] = print) -> None:
    """Make sure every tool in ``tools`` is on PATH, installing all the missing ones at once.

    Called before a command does any work, so that a missing tool costs
    seconds, not a build that fails after executing every chapter.
    """
    absent = missing(tools)
    if not absent:
        return
    commands = ", ".join(command for tool in absent for command in tool.missing_commands())
    names = "; ".join(tool.name for tool in absent)
    install = " ".join(apt_install_command(packages_of(absent)))
    if shutil.which("apt-get") is None:
        raise ToolchainError(
            f"missing system tools: {names} ({commands} not found), and this is not a Debian or Ubuntu "
            f"machine with apt-get. Install them with your package manager; on Debian or Ubuntu it is:\n"
            f"sudo {install}"
        )
    if os.geteuid() != 0:
        raise ToolchainError(f"missing system tools: {names} ({commands} not found). Install them with:\nsudo {install}")
    log(f"textbook: installing missing system tools with apt-get, once: {names}")
    log(f"textbook: {install}")
    _apt_install(packages_of(absent))
    still_missing = [command for tool in absent for command in tool.missing_commands()]
    if still_missing:
        raise ToolchainError(f"{install} succeeded, but {', '.join(still_missing)} is still not on PATH")


def _apt_install(packages: list[str]) -> None:
    """One ``apt-get install``; if it fails (no package lists, or stale ones), update them and try again."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = apt_install_command(packages)
    result = subprocess.run(install, env=env, capture_output=True, text=True)
    if result.returncode == 0:
        return
    for command in (["apt-get", "update", "-q"], install):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise ToolchainError(
                f"{' '.join(command)} exited {result.returncode}:\n" + (result.stderr or result.stdout).strip()[-2000:]
            )


def epubcheck_loop_command(loop: Path) -> list[str] | None:
    """How to run ``loop`` (a Java source file that calls EPUBCheck, run by Java's source launcher)
    for a long life: Java's defaults, which compile the code it runs most; None without the jar."""
    return ["java", "-XX:+UseSerialGC", "-Xmx1g", "-cp", str(EPUBCHECK_JAR), str(loop)] if EPUBCHECK_JAR.is_file() else None


def epubcheck_command() -> list[str]:
    """How to run EPUBCheck: Debian's ``/usr/bin/epubcheck`` is the jar itself, run through
    binfmt_misc, which containers often lack, so its jar is given to ``java``."""
    return ["java", *SHORT_RUN_JAVA, "-jar", str(EPUBCHECK_JAR)] if EPUBCHECK_JAR.is_file() else ["epubcheck"]
