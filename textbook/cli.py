"""The ``textbook`` command: build editions, exams and exports, install system tools, live preview.

    textbook build [html|epub|pdf|handouts|workbook|key|all ...]   build editions (default: all)
    textbook exam EXAM.yml [--variants N] [--seed S]  exam variants and keys in _build/exams/<exam>/
    textbook export moodle [-o PATH]             the exercise bank as Moodle XML (default _build/export/moodle.xml)
    textbook export gradescope MODULE|EXAM.yml|ID...   a Gradescope autograder that grades as `grade` does:
                                                 _build/export/gradescope/<assignment>/autograder.zip
    textbook grade MODULE|EXAM.yml|ID... --submissions PATH   run students' answers against the checks:
                                                 grades and feedback in _build/grading/<assignment>/
    textbook report [--format markdown|csv]      objective coverage: each objective's exercises
    textbook proof                               every page of the PDF editions on contact sheets in _build/proof/
    textbook setup [EDITION ... | web-gate]      install the system tools they need if missing (default: all, web gate too)
    textbook serve [--port N]                    live preview, rebuilt on save
    textbook clean                               remove _build/ (and stop the build server)
    textbook server [status|stop]                the process that keeps printing and EPUBCheck warm between builds
    textbook new DIR [--title T] [--author A] [--language L]   a new course in DIR (new or empty) that builds at once

It is run from the project root (where ``conf.py`` is), as the Makefile does; ``new`` from anywhere.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import time
import traceback
from pathlib import Path

from textbook.pipeline import freshness

from textbook.core import build_server, problems, toolchain, warm_forks
from textbook.core.layout import EDITIONS, PRINT_TOOLS, Layout, tools_for
from textbook.sphinx_ext.reproducible import source_date_epoch


def _project_root() -> Path:
    root = Path.cwd()
    if not (root / "conf.py").is_file():
        raise SystemExit(f"textbook: no conf.py in {root}; run this from the project root")
    return root


def _tools_missing(tools) -> bool:
    """Make sure of ``tools`` before any work; on failure say why (with the one install line) and return True."""
    try:
        toolchain.ensure(tools)
    except toolchain.ToolchainError as error:
        print(f"textbook: {error}", file=sys.stderr)
        return True
    return False


def _chosen_editions(names: list[str]) -> list[str] | None:
    """The editions named (all of them for none or ``all``), in build order; None after saying which is unknown."""
    unknown = [e for e in names if e not in (*EDITIONS, "all")]
    if unknown:
        choices = ", ".join([*EDITIONS, "all"])
        print(f"textbook: unknown edition {', '.join(unknown)}; choose from {choices}", file=sys.stderr)
        return None
    return [e for e in EDITIONS if not names or "all" in names or e in names]


def cmd_build(args: argparse.Namespace) -> int:
    editions = _chosen_editions(args.editions)
    if editions is None:
        return 2
    layout = Layout(_project_root())
    if _tools_missing(tools_for(editions)):
        return 1
    started = time.perf_counter()
    try:
        os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(layout.root))
        digest = freshness.inputs_digest(layout.root)
        if not args.force:
            lines = freshness.unchanged_since_last_build(layout.root, editions, digest, layout.complete)
            if lines is not None:
                print("\n".join(["Build summary (unchanged):", *lines]))
                print(f"\ntextbook: nothing changed since the last build; {', '.join(editions)} up to date "
                      f"({time.perf_counter() - started:.1f} s)")
                return 0
        work = (layout.root, editions, args.jobs, args.verbose, digest, started)
        forked = warm_forks.run(layout.root, "textbook.cli:build_editions", *work)
    except BaseException as error:  # every failure ends the same way, anticipated or not
        return _build_failed(layout, editions, editions, error, args.verbose)
    return build_editions(*work) if forked is None else forked


def build_editions(root: Path, editions: list[str], jobs: int | None, verbose: bool, digest: str, started: float) -> int:
    """The work of ``cmd_build`` once it knows there is some: here, or in a process forked from the
    build server's warm parent (``core/warm_forks.py``), which has Sphinx imported already."""
    layout = Layout(root)
    built: dict = {}  # edition: result, filled in as each is published
    try:
        from textbook.pipeline import build  # Sphinx and friends: imported only when there is work to do

        builder = build.Builder(layout, editions, jobs=jobs)
        built = builder.results
        results = builder.run()
        freshness.record_build(layout.root, digest, {r.edition: build.summary_lines(layout, r) for r in results})
        print(build.summary(layout, results))
        print(builder.scan_report())
    except BaseException as error:  # every failure ends the same way, anticipated or not
        return _build_failed(layout, editions, [e for e in editions if e not in built], error, verbose)
    print(f"\ntextbook: built {', '.join(editions)} in {time.perf_counter() - started:.1f} s")
    return 0


def _build_failed(layout: Layout, editions: list[str], unbuilt: list[str], error: BaseException, verbose: bool) -> int:
    """Remove the unbuilt editions, forget all (the next build redoes them), and say what went wrong:
    the error, then every problem again, one line each; the traceback only with ``--verbose``."""
    layout.unpublish(unbuilt)
    freshness.forget(layout.root, editions)
    if verbose:
        print(file=sys.stderr)
        traceback.print_exception(error, file=sys.stderr)
    anticipated = hasattr(error, "problems") or isinstance(error, toolchain.ToolchainError)
    found = getattr(error, "problems", None) or [str(error) if anticipated else problems.unexpected(error)]
    said = [line for line in str(error).splitlines() if line.strip() not in found] if anticipated else [
        "interrupted" if isinstance(error, KeyboardInterrupt) else "an error the generator did not anticipate"]
    print("\ntextbook: build failed" + (": " + "\n".join(said) if said else "."), file=sys.stderr)
    print("\n" + problems.report(found), file=sys.stderr)
    print(f"textbook: the editions this build was making ({', '.join(unbuilt) or 'none'}) were removed, "
          "not left stale.", file=sys.stderr)
    if not anticipated and not verbose and not isinstance(error, KeyboardInterrupt):
        print("textbook: this looks like a fault in the generator; run `textbook build --verbose` to see "
              "where, and report it with that output.", file=sys.stderr)
    return 130 if isinstance(error, KeyboardInterrupt) else 1


def cmd_setup(args: argparse.Namespace) -> int:
    """Install what the named editions (and the web gate) need; with no names, everything."""
    from textbook.gates import web_checks

    wanted = args.needs or ["all", "web-gate"]
    named = [name for name in wanted if name != "web-gate"]
    editions = _chosen_editions(named) if named else []
    if editions is None:
        return 2
    tools = [*tools_for(editions), *(web_checks.TOOLS if "web-gate" in wanted else ())]
    if _tools_missing(tools):
        return 1
    print(f"textbook: system tools present: {', '.join(c for tool in dict.fromkeys(tools) for c in tool.commands)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from textbook.pipeline.serve import serve  # Sphinx: imported only to serve

    layout = Layout(_project_root())
    if _tools_missing(tools_for(["html"])):
        return 1
    generator = Path(__file__).parent  # where the generator is installed, not always in the project
    watched = [folder for folder in (layout.figures, layout.exercises, generator) if folder.is_dir()]
    return serve([
        "-b", "html",
        "-c", str(layout.root),
        "-d", str(layout.doctrees),
        *(argument for folder in watched for argument in ("--watch", str(folder))),
        "--ignore", f"{layout.build}/*",
        "--ignore", "*/__pycache__/*",
        "--host", "127.0.0.1",
        "--port", str(args.port),
        str(layout.source),
        str(layout.work_output("html")),
    ])  # fmt: skip


def cmd_exam(args: argparse.Namespace) -> int:
    """Build an exam's variants and keys; a failure names every problem as file:line and writes nothing."""
    if args.variants < 1:
        print("textbook: --variants must be 1 or more", file=sys.stderr)
        return 2
    layout = Layout(_project_root())
    if _tools_missing(PRINT_TOOLS):
        return 1
    started = time.perf_counter()
    try:
        from textbook.instructor import exams  # Sphinx: imported only for this command

        result = exams.build_exam(layout, Path(args.exam), args.variants, args.seed, jobs=args.jobs)
    except BaseException as error:
        if args.verbose:
            traceback.print_exception(error, file=sys.stderr)
        found = getattr(error, "problems", None) or [
            str(error) if isinstance(error, toolchain.ToolchainError) else problems.unexpected(error)]
        print(f"\ntextbook: exam not built; nothing was published to "
              f"{(layout.build / 'exams' / Path(args.exam).stem).relative_to(layout.root)}/ "
              f"(an older build of it was removed, not left stale).\n\n{problems.report(found)}", file=sys.stderr)
        return 130 if isinstance(error, KeyboardInterrupt) else 1
    for output in result.outputs:
        print(f"  {output.relative_to(layout.root)}")
    print(f"textbook: built {args.variants} variant(s) and their keys in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    layout = Layout(_project_root())
    if build_server.stop(layout.root):  # what it keeps belongs to the build being removed
        print("textbook: stopped the build server")
    shutil.rmtree(layout.build, ignore_errors=True)
    print(f"textbook: removed {layout.build}")
    return 0


def cmd_server(args: argparse.Namespace) -> int:
    """Say whether the project's build server runs, or stop it (``core.build_server``)."""
    root = _project_root()
    if args.action == "stop":
        print("textbook: stopped the build server" if build_server.stop(root) else "textbook: no build server runs")
        return 0
    found = build_server.status(root)
    if found is None:
        print("textbook: no build server runs" + ("" if build_server.enabled() else "; builds here use none"))
    else:
        calls = f"{found['calls']} call{'' if found['calls'] == 1 else 's'}"
        print(f"textbook: the build server runs as process {found['pid']}: {calls} served, "
              f"{found['peak_memory'] / 2**20:.0f} MB of memory at most; it leaves after "
              f"{found['idle_seconds'] / 60:.0f} minutes without a call")
        for helper in found.get("helpers", []):  # a server of an older generator says nothing of them
            print(f"  beside it, started by it and leaving with it: process {helper['pid']} "
                  f"({helper['program']}), {helper['memory'] / 2**20:.0f} MB")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the bank for a learning-management system, or an autograder; a bad input writes nothing."""
    layout = Layout(_project_root())
    if args.format == "gradescope":
        return _export_gradescope(layout, args)
    from textbook.instructor import moodle  # markdown-it only: no Sphinx, no code checks

    if args.what:
        print("textbook: export moodle writes the whole bank; it takes no MODULE", file=sys.stderr)
        return 2
    try:
        summary = moodle.export(layout, Path(args.output) if args.output else None)
    except moodle.ExportError as error:
        lines = [f"  {problem}" for problem in error.problems]
        print("\n".join([f"textbook: export {args.format} failed, nothing written:", *lines]), file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


def _export_gradescope(layout: Layout, args: argparse.Namespace) -> int:
    from textbook.bank.bank import BankError
    from textbook.marking import grade, gradescope, sandbox

    if not args.what or args.output:
        print("textbook: export gradescope takes what to grade (a module, an exam file or exercise ids) and no -o",
              file=sys.stderr)
        return 2
    limits = sandbox.Limits(seconds=args.timeout, memory=args.memory * 2**20)
    try:
        target = gradescope.export(layout, args.what, limits)
    except (grade.GradingError, BankError) as error:
        lines = [f"  {problem}" for problem in error.problems]
        print("\n".join(["textbook: export gradescope failed, nothing written:", *lines]), file=sys.stderr)
        return 1
    print(f"textbook: wrote {target.relative_to(layout.root)} (it holds the hidden checks: upload it to "
          "Gradescope as the assignment's autograder, never hand it to students)")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade submissions on code exercises; a leak in the feedback, or a bad input, writes nothing."""
    from textbook.bank.bank import BankError
    from textbook.marking import grade, sandbox
    from textbook.marking.points import decimal

    layout = Layout(_project_root())
    started = time.perf_counter()
    limits = sandbox.Limits(seconds=args.timeout, memory=args.memory * 2**20)
    print(f"textbook: {sandbox.isolation()}", file=sys.stderr)
    try:
        result = grade.grade(layout, args.what, Path(args.submissions), jobs=args.jobs, limits=limits)
    except (grade.GradingError, BankError) as error:
        lines = [f"  {problem}" for problem in error.problems]
        print("\n".join(["textbook: grading failed, nothing written:", *lines]), file=sys.stderr)
        return 1
    for one in result.graded:
        trouble = f" ({one.submission.problem})" if one.submission.problem else ""
        print(f"  {one.submission.identifier}: {decimal(one.total)}{trouble}")
    print(f"textbook: graded {len(result.graded)} submission(s) in {time.perf_counter() - started:.1f} s; "
          f"{result.limits_hit} limit(s) reached (see grading.log); in {result.folder.relative_to(layout.root)}/")
    print(f"textbook: {result.overhead}")
    return 0


def cmd_proof(args: argparse.Namespace) -> int:
    """Contact sheets of the published PDFs, for an author to look over every page."""
    from textbook.pipeline import proof

    layout = Layout(_project_root())
    if _tools_missing(proof.TOOLS):
        return 1
    started = time.perf_counter()
    try:
        proof.proof(layout)
    except FileNotFoundError as error:
        print(f"textbook: {error}", file=sys.stderr)
        return 1
    print(f"textbook: proof sheets in {layout.build / 'proof'} ({time.perf_counter() - started:.1f} s)")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Print the objective coverage report from the bank, without building anything."""
    from textbook.bank.bank import BankError, load_bank
    from textbook.bank import coverage
    from textbook.core.messages import Words

    layout = Layout(_project_root())
    try:
        bank = load_bank(layout.exercises, layout.source, shown_from=layout.root)
    except BankError as error:
        print(f"textbook: {error}", file=sys.stderr)
        return 1
    words = Words.of(layout.project)
    tables = coverage.coverage(bank, words)
    sys.stdout.write(coverage.csv_text(tables) if args.format == "csv" else coverage.markdown(tables, words=words))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new course into a new or empty folder; refuse any other, writing nothing."""
    from textbook.scaffold import new_course

    folder = Path(args.folder)
    try:
        written = new_course.create(folder, title=args.title, author=args.author, language=args.language)
    except new_course.NewCourseError as error:
        print(f"textbook: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"  {path.relative_to(folder)}")
    print(f"textbook: a new course in {folder}; build every edition with\n\n"
          f"    cd {shlex.quote(str(folder))} && make book\n\n"
          "then write its chapters, figures and exercises as its README.md says.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="textbook", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser("build", help="build editions of the book")
    build_parser.add_argument("editions", nargs="*", metavar="EDITION",
                              help="html, epub, pdf, handouts, workbook, key or all (default: all)")
    build_parser.add_argument("-j", "--jobs", type=int, default=None,
                              help="parallel processes (default: one per core)")
    build_parser.add_argument("--force", action="store_true",
                              help="run every step even if no input changed since the last build")
    build_parser.add_argument("--verbose", action="store_true",
                              help="on failure, also print the generator's own traceback")
    build_parser.set_defaults(func=cmd_build)

    setup_parser = commands.add_parser("setup", help="install the system tools the editions need, if missing")
    setup_parser.add_argument("needs", nargs="*", metavar="EDITION",
                              help="html, epub, pdf, handouts, workbook, key, all or web-gate "
                                   "(default: every edition and the web gate)")
    setup_parser.set_defaults(func=cmd_setup)

    serve_parser = commands.add_parser("serve", help="live preview of the HTML edition")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.set_defaults(func=cmd_serve)

    exam_parser = commands.add_parser("exam", help="build an exam's variants and keys from the exercise bank")
    exam_parser.add_argument("exam", metavar="EXAM.yml", help="the exam file, e.g. exams/midterm.yml")
    exam_parser.add_argument("--variants", type=int, default=1, help="how many variants (default: 1)")
    exam_parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same files (default: 0)")
    exam_parser.add_argument("-j", "--jobs", type=int, default=None, help="parallel processes (default: one per core)")
    exam_parser.add_argument("--verbose", action="store_true", help="on failure, also print the traceback")
    exam_parser.set_defaults(func=cmd_exam)

    commands.add_parser("clean", help="remove every build product").set_defaults(func=cmd_clean)

    server_parser = commands.add_parser("server", help="the build server, which keeps printing and EPUBCheck warm")
    server_parser.add_argument("action", nargs="?", choices=["status", "stop"], default="status")
    server_parser.set_defaults(func=cmd_server)

    export_parser = commands.add_parser("export", help="the exercise bank for a learning-management system")
    export_parser.add_argument("format", choices=["moodle", "gradescope"],
                               help="moodle: Moodle XML, for its question bank; gradescope: an autograder.zip")
    export_parser.add_argument("what", nargs="*", metavar="MODULE|EXAM.yml|ID",
                               help="gradescope: what the autograder grades, as for textbook grade")
    export_parser.add_argument("-o", "--output", metavar="PATH",
                               help="moodle: where to write it (default: _build/export/moodle.xml)")
    export_parser.add_argument("--timeout", type=float, default=60.0,
                               help="gradescope: seconds per answer (default: 60)")
    export_parser.add_argument("--memory", type=int, default=4096,
                               help="gradescope: MB of memory per answer (default: 4096)")
    export_parser.set_defaults(func=cmd_export)

    grade_parser = commands.add_parser("grade", help="run students' answers against the checks: grades, feedback")
    grade_parser.add_argument("what", nargs="+", metavar="MODULE|EXAM.yml|ID",
                              help="a module (04-serving-with-fastapi), an exam file, or exercise ids")
    grade_parser.add_argument("--submissions", required=True, metavar="PATH",
                              help="a folder of .ipynb/.py files, one per student, or Moodle's 'Download all "
                                   "submissions' (zip or folder)")
    grade_parser.add_argument("--timeout", type=float, default=60.0, help="seconds per answer (default: 60)")
    grade_parser.add_argument("--memory", type=int, default=4096, help="MB of memory per answer (default: 4096)")
    grade_parser.add_argument("-j", "--jobs", type=int, default=None, help="parallel runs (default: one per core)")
    grade_parser.set_defaults(func=cmd_grade)

    report_parser = commands.add_parser("report", help="objective coverage: per module, each objective's exercises")
    report_parser.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    report_parser.set_defaults(func=cmd_report)

    proof_parser = commands.add_parser("proof", help="every page of the PDF editions on contact sheets")
    proof_parser.set_defaults(func=cmd_proof)

    new_parser = commands.add_parser("new", help="a new course that builds every edition at once")
    new_parser.add_argument("folder", metavar="DIR", help="where to write it: a new or empty folder")
    new_parser.add_argument("--title", help="the book's title (default: from the folder's name)")
    new_parser.add_argument("--author", help='who wrote it (default: "The authors")')
    new_parser.add_argument("--language", default="en", help="the language it is written in, as Sphinx names it (default: en)")
    new_parser.set_defaults(func=cmd_new)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
