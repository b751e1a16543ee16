"""deploy/Dockerfile's build stage, without Docker: exactly the files its COPY lines take from the build context
(the repository's root, less .dockerignore) are assembled in an empty directory, and the package is resolved
and built there as the RUN lines build it. A COPY line that misses a directory Package.swift declares (the test
targets, the plugin) fails here as it would fail `docker build`."""
import fnmatch
import os
import pathlib
import shlex
import shutil
import subprocess

from conftest import REPO

DOCKERFILE = REPO / "deploy" / "Dockerfile"
# Persistent, so that a second run only compiles what changed (ignored by git, as .build-* is).
SCRATCH = REPO / ".build-dockerfile"


def instructions():
    """(instruction, arguments) per line of the Dockerfile, continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            yield word.upper(), rest.strip()


def ignored(relative: str) -> bool:
    patterns = [p.strip() for p in (REPO / ".dockerignore").read_text().splitlines() if p.strip() and not p.startswith("#")]
    parts = relative.split("/")
    return any(fnmatch.fnmatch(relative, p.removeprefix("**/")) or fnmatch.fnmatch(parts[0], p)
               or any(fnmatch.fnmatch(part, p.removeprefix("**/")) for part in parts) for p in patterns)


def copy_into(context: pathlib.Path, source: str, destination: str, workdir: str):
    target = context / (destination if destination.startswith("/") else os.path.join(workdir, destination)).lstrip("/")
    origin = REPO / source
    assert origin.exists(), f"COPY {source}: not in the build context"
    assert not ignored(source), f"COPY {source}: excluded by .dockerignore"
    if origin.is_dir():
        for path in origin.rglob("*"):
            relative = path.relative_to(REPO).as_posix()
            if path.is_file() and not ignored(relative):
                out = target / path.relative_to(origin)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, out)
    else:
        out = target / origin.name if destination.endswith("/") else target
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, out)


def test_the_build_stage_builds_from_exactly_what_it_copies():
    # A fixed place, emptied each time: with the files' times kept, a second run compiles only what changed.
    context = SCRATCH / "context"
    shutil.rmtree(context, ignore_errors=True)
    workdir = "/"
    stage = 0
    build_commands = []
    runtime_copies = []
    for word, arguments in instructions():
        if word == "FROM":
            stage += 1
        elif word == "WORKDIR" and stage == 1:
            workdir = arguments
        elif word == "COPY":
            words = shlex.split(arguments)
            if words[0].startswith("--from"):
                continue
            *sources, destination = words
            if stage == 1:
                for source in sources:
                    copy_into(context, source, destination, workdir)
            else:
                runtime_copies.extend(sources)
        elif word == "RUN" and stage == 1 and "swift build" in arguments:
            build_commands.append(arguments)
    # What the final image takes from the context exists and is not ignored.
    for source in runtime_copies:
        assert (REPO / source).exists() and not ignored(source), source

    package = context / workdir.lstrip("/")
    assert build_commands, "the build stage runs swift build"
    environment = dict(os.environ, ALERTRELAY_REVISION="dockerfile-test")
    resolve = subprocess.run(["swift", "package", "resolve", "--scratch-path", str(SCRATCH / "build")], cwd=package,
                             capture_output=True, text=True, timeout=900, env=environment)
    assert resolve.returncode == 0, resolve.stderr[-3000:]
    # The Dockerfile's build, in debug (a release build would take several more minutes and prove nothing more
    # about the context).
    build = subprocess.run(["swift", "build", "--product", "alertrelay", "--scratch-path", str(SCRATCH / "build")], cwd=package,
                           capture_output=True, text=True, timeout=1500, env=environment)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    binary = SCRATCH / "build" / "debug" / "alertrelay"
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    assert "revision: dockerfile-test" in version.stdout, version.stdout
