"""Git access for the commands that compare a revision with the working tree (review, rehearse).

Apart from their logic so both read revisions alike: the repository found from the working
directory, the base revision resolved once (default: the merge base with the default branch), and the
old versions of many files read in one `git cat-file --batch`.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from dli_flink.model.files import UsageError


class GitError(UsageError):
    """git could not answer: not a repository, or an unknown revision (exit 2)."""


@dataclass(frozen=True)
class Repository:
    """A work tree and the commit a command compares it with."""

    root: Path
    commit: str
    """The base revision as a full commit id."""
    command: str
    """The dli-flink command that asks, for the errors."""
    _folders: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Folders resolved so far: a thousand job files in ten folders are ten resolves, not 1,000."""

    @classmethod
    def open(cls, base: str | None, command: str) -> Repository:
        """The repository around the working directory, compared with `base` (default: the merge
        base with the default branch); `command` names who asks, in the errors."""
        try:
            root = Path(git(Path.cwd(), command, "rev-parse", "--show-toplevel").strip())
        except GitError:
            raise GitError(
                f"{Path.cwd()} is not in a git repository: {command} compares git revisions"
            ) from None
        revision = base or _default_base(root, command)
        try:
            commit = git(
                root, command, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"
            ).strip()
        except GitError:
            raise GitError(
                f"unknown revision '{revision}': give --base a commit, branch or tag"
            ) from None
        return cls(root, commit, command)

    def relative(self, path: Path) -> str:
        """A path named on the command line as git names it; GitError for one outside the work tree
        (there, or through a symbolic link), whose versions git does not keep."""
        name = self.inside(path)
        if name is None:
            target = path.resolve()
            leads = "" if target == Path(os.path.abspath(path)) else f" (it leads to {target})"
            raise GitError(
                f"{path}: outside the git repository {self.root}{leads}: {self.command} compares "
                "versions of the files in it"
            )
        return name

    def inside(self, path: Path) -> str | None:
        """A path as git names it (relative to the top of the work tree, with slashes, symbolic
        links followed), or None for one that leads out of the work tree or cannot be followed.

        String operations and a resolve per folder, not per file: review names every job file."""
        text = os.fspath(path)
        name = os.path.basename(text)
        try:
            if name in ("", ".", "..") or os.path.islink(text):
                resolved = os.path.realpath(text)
            else:
                folder = os.path.dirname(text) or "."
                if folder not in self._folders:
                    self._folders[folder] = os.path.realpath(folder)
                resolved = os.path.join(self._folders[folder], name)
        except (OSError, ValueError):  # a NUL in it
            return None
        top = os.fspath(self.root)
        if resolved == top:
            return "."
        return resolved[len(top) + 1 :] if resolved.startswith(top + os.sep) else None

    def changed(self, scope: list[str]) -> list[str]:
        """The files under `scope` that differ between the commit and the work tree."""
        return self._names("diff", "--name-only", "--no-renames", "-z", self.commit, "--", *scope)

    def tracked(self, scope: list[str]) -> list[str]:
        """The files under `scope` at the commit."""
        return self._names("ls-tree", "-r", "--name-only", "-z", self.commit, "--", *scope)

    def show(self, names: list[str]) -> dict[str, bytes]:
        """The bytes of each file at the commit (files it lacks are left out), in one git process;
        the caller decodes them as it decodes the file on disk.

        Names go in NUL-terminated (-z), so a newline in one cannot split a request; the answer's
        headers are read per request, since a missing object's header repeats its name.
        """
        if not names:
            return {}
        requests = [os.fsencode(f"{self.commit}:{name}") for name in names]
        output = subprocess.run(
            ["git", "cat-file", "--batch", "-z"],
            cwd=self.root,
            input=b"".join(request + b"\0" for request in requests),
            capture_output=True,
            check=True,
        ).stdout
        texts, offset = {}, 0
        for name, request in zip(names, requests, strict=True):
            if output.startswith(request + b" missing\n", offset):
                offset += len(request) + len(b" missing\n")
                continue
            header_end = output.index(b"\n", offset)
            size = int(output[offset:header_end].split()[2])
            offset = header_end + 1
            texts[name] = output[offset : offset + size]
            offset += size + 1
        return texts

    def _names(self, *args: str) -> list[str]:
        """The NUL-separated file names git prints with -z, never quoted (core.quotePath quotes
        non-ASCII names in line output), decoded as the file system's names are."""
        output = git_bytes(self.root, self.command, *args)
        return [os.fsdecode(name) for name in output.split(b"\0") if name]


def _default_base(root: Path, command: str) -> str:
    """The merge base with the default branch: origin's HEAD, else main or master."""
    for ref in ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master"):
        found = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", ref], cwd=root, capture_output=True
        )
        if found.returncode == 0:
            return git(root, command, "merge-base", "HEAD", ref).strip()
    raise GitError(
        "no default branch (origin/HEAD, main or master) to compare with: use --base REV"
    )


def git(cwd: Path, command: str, *args: str) -> str:
    """git's output as text; GitError with git's last line of complaint, or saying git is missing."""
    return os.fsdecode(git_bytes(cwd, command, *args))


def git_bytes(cwd: Path, command: str, *args: str) -> bytes:
    """git's output; paths given to it are literal (a folder named `team[1]` is not a pattern)."""
    try:
        done = subprocess.run(["git", "--literal-pathspecs", *args], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        raise GitError(f"git is not installed: dli-flink {command} needs it") from None
    if done.returncode != 0:
        complaint = done.stderr.decode(errors="replace").strip()
        reason = complaint.splitlines()[-1] if complaint else "failed"
        raise GitError(f"git {args[0]}: {reason}")
    return done.stdout
