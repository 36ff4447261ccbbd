"""Git access for the commands that compare a revision with the working tree (review, rehearse).

Apart from their logic so both read revisions alike: the repository found from the working
directory, the base revision resolved once (default: the merge base with the default branch), and the
old versions of many files read in one `git cat-file --batch`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
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
        """A path as git names it: relative to the top of the work tree, with slashes."""
        return path.resolve().relative_to(self.root).as_posix()

    def changed(self, scope: list[str]) -> list[str]:
        """The files under `scope` that differ between the commit and the work tree."""
        return self._git(
            "diff", "--name-only", "--no-renames", self.commit, "--", *scope
        ).splitlines()

    def tracked(self, scope: list[str]) -> list[str]:
        """The files under `scope` at the commit."""
        return self._git("ls-tree", "-r", "--name-only", self.commit, "--", *scope).splitlines()

    def show(self, names: list[str]) -> dict[str, str]:
        """The text of each file at the commit (files it lacks are left out), in one git process."""
        if not names:
            return {}
        request = "".join(f"{self.commit}:{name}\n" for name in names).encode()
        output = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self.root,
            input=request,
            capture_output=True,
            check=True,
        ).stdout
        texts, offset = {}, 0
        for name in names:
            header_end = output.index(b"\n", offset)
            header = output[offset:header_end].split()
            offset = header_end + 1
            if header[-1] == b"missing":
                continue
            size = int(header[2])
            texts[name] = output[offset : offset + size].decode("utf-8", errors="replace")
            offset += size + 1
        return texts

    def _git(self, *args: str) -> str:
        return git(self.root, self.command, *args)


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
    """git's output; GitError with git's last line of complaint, or saying git is missing."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise GitError(f"git is not installed: dli-flink {command} needs it") from None
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        raise GitError(f"git {args[0]}: {reason}")
    return done.stdout
