"""`.dli-flink.yaml`: per-rule severity and options, queue capacities, files to skip.

    rules:
      scaling-interval: {severity: warning, min-minutes: 15}
      scaling-inert-keys: off
    queues:
      flink_q: {cu: 64}
    exclude: ["legacy/**"]
    review:
      restart-seconds: 90          # how long a restart keeps a job offline, for `dli-flink review`
      jobs:
        orders-enrich: {restart-seconds: 300}

Checked by hand rather than by a schema so that every mistake gets one precise line naming the file,
the line and the fix, and so that reading it costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from dli_flink.model.files import find_config as find
from dli_flink.model.findings import Problem, Severity, quoted, shown
from dli_flink.model.source import (
    LazyDocument,
    SourceError,
    fast_data,
    load_documents,
    read_text,
)
from dli_flink.rules import JOB_RULES, RULES
from dli_flink.rules.accepted import VALUE_RULES
from dli_flink.rules.base import Context, OptionError, option_values

DEFAULT_RESTART_SECONDS = 60.0
_SECTIONS = ["rules", "queues", "exclude", "review"]
_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "off": None}


class ConfigError(Exception):
    """A configuration that cannot be used; the message is one line naming file, line and fix."""


class Config:
    """A configuration as loaded; never changed after (what it works out is kept on it).

    A plain class, not a frozen dataclass: see model/findings.py's Problem. Its repr names every
    setting: validate's cache (cli/cache.py) is keyed by it."""

    def __init__(
        self,
        path: Path | None = None,
        severities: Mapping[str, Severity | None] | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        queues: Mapping[str, int] | None = None,
        exclude: tuple[str, ...] = (),
        restart_seconds: float = DEFAULT_RESTART_SECONDS,
        job_restart_seconds: Mapping[str, float] | None = None,
    ) -> None:
        self.path = path
        self.severities = severities or {}
        """Rule id -> configured severity (None: off); absent rules keep their own."""
        self.options = options or {}
        """Rule id -> configured option values; options not given keep the rule's defaults."""
        self.queues = queues or {}
        self.exclude = exclude
        self.restart_seconds = restart_seconds
        """The review's estimate of the seconds one restart keeps a job offline."""
        self.job_restart_seconds = job_restart_seconds or {}

    def _settings(self) -> tuple[Any, ...]:
        return (
            self.path,
            self.severities,
            self.options,
            self.queues,
            self.exclude,
            self.restart_seconds,
            self.job_restart_seconds,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._settings() == other._settings()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # as the frozen dataclass's: its dicts are not hashable

    def __repr__(self) -> str:
        return (
            f"Config(path={self.path!r}, severities={self.severities!r}, "
            f"options={self.options!r}, queues={self.queues!r}, exclude={self.exclude!r}, "
            f"restart_seconds={self.restart_seconds!r}, "
            f"job_restart_seconds={self.job_restart_seconds!r})"
        )

    def severity(self, rule: str, default: Severity) -> Severity | None:
        return self.severities.get(rule, default)

    def severity_of(self, problem: Problem) -> Severity | None:
        """A problem's severity as configured (None: off); else its own, else its rule's. A hard
        problem (one DLI refuses) is an error whatever the configuration says."""
        if problem.hard:
            return Severity.ERROR
        return self.severity(problem.rule, problem.severity or RULES[problem.rule].SEVERITY)

    def runs(self, rule: ModuleType) -> bool:
        """Whether a rule runs: unless configured off, and always when it has a hard part."""
        return self.severity(rule.ID, rule.SEVERITY) is not None or getattr(rule, "HARD", False)

    @cached_property
    def job_checks(self) -> list[tuple[ModuleType, Context]]:
        """The per-job rules that run (`runs`), in registry order, each with its context: asked
        for every job of a run, worked out once."""
        contexts = self.contexts
        return [(rule, contexts[rule.ID]) for rule in JOB_RULES if self.runs(rule)]

    @cached_property
    def check_plan(self) -> list[tuple[ModuleType, Context, int | None]]:
        """`job_checks`, each with the index of its rule in `value_checks` (None for the rules
        that are not value rules): `engine.check` takes a value rule's problems from its first
        run, by index rather than by a dict of rules built for every job."""
        index = {rule: number for number, (rule, _) in enumerate(self.value_checks)}
        return [(rule, context, index.get(rule)) for rule, context in self.job_checks]

    @cached_property
    def value_checks(self) -> list[tuple[ModuleType, Context]]:
        """The value rules (rules/accepted.py), whatever the configuration, each with its
        context: `engine.check` runs them first for every job."""
        return [(rule, self.contexts[rule.ID]) for rule in VALUE_RULES]

    @cached_property
    def contexts(self) -> dict[str, Context]:
        """What each rule is given: its option defaults overridden by configuration."""
        return {
            rule: Context(option_values(module, self.options.get(rule, {})), self.queues)
            for rule, module in RULES.items()
        }

    @property
    def root(self) -> Path:
        """Where `exclude` patterns are relative to."""
        return self.path.parent if self.path else Path.cwd()


def resolve(path: Path | None) -> Config:
    """The configuration a command runs with: `path` (--config), else the nearest found upward
    from the working directory, else the defaults."""
    if path is not None and not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    found = path or find(Path.cwd())
    return load(found) if found else Config()


def load(path: Path) -> Config:
    try:
        text = read_text(path)
        data = fast_data(text)  # positions only for a mistake: the node path then
        documents = (
            [LazyDocument(path, 0, data, text)] if data else list(load_documents(path, text))
        )
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except SourceError as error:
        raise ConfigError(f"{path}:{error.line}:{error.column}: {error.message}") from None
    if not documents or documents[0].data is None:
        return Config(path)
    document = documents[0]
    data = document.data

    def fail(keys: tuple[str, ...], message: str) -> ConfigError:
        line, column = document.position(keys, on_key=True)
        return ConfigError(f"{path}:{line}:{column}: {message}")

    if not isinstance(data, dict):
        raise fail((), f"the configuration must be a mapping with {', '.join(_SECTIONS)}")
    for key in data:
        if key not in _SECTIONS:
            raise fail((key,), f"unknown key {quoted(key)}: {_suggest(key, _SECTIONS)}")
    severities, options = _rules(data.get("rules") or {}, fail)
    restart_seconds, job_restart_seconds = _review(data.get("review") or {}, fail)
    return Config(
        path=path,
        severities=severities,
        options=options,
        queues=_queues(data.get("queues") or {}, fail),
        exclude=_exclude(data.get("exclude") or [], fail),
        restart_seconds=restart_seconds,
        job_restart_seconds=job_restart_seconds,
    )


def _rules(section: Any, fail: Any) -> tuple[dict, dict]:
    if not isinstance(section, dict):
        raise fail(("rules",), "rules must map rule ids to off, warning, error or a mapping")
    severities: dict[str, Severity | None] = {}
    options: dict[str, dict[str, Any]] = {}
    for rule_id, value in section.items():
        where = ("rules", rule_id)
        if rule_id not in RULES:
            raise fail(where, f"unknown rule {quoted(rule_id)}: {_suggest(rule_id, list(RULES))}")
        settings = {"severity": value} if not isinstance(value, dict) else dict(value)
        if "severity" in settings:
            level = settings.pop("severity")
            level = "off" if level is False else str(level)
            if level not in _LEVELS:
                raise fail(
                    where, f"severity of {rule_id} is {quoted(level)}: use off, warning or error"
                )
            severities[rule_id] = _LEVELS[level]
        allowed = [option.name for option in RULES[rule_id].OPTIONS]
        for option in settings:
            if option not in allowed:
                known = ", ".join(["severity", *allowed])
                raise fail(where, f"{rule_id} has no option {quoted(option)} (it has: {known})")
        try:
            options[rule_id] = option_values(RULES[rule_id], settings)
        except OptionError as error:
            raise fail(
                (*where, error.name), f"option {error.name} of {rule_id} {error.reason}"
            ) from None
    return severities, options


def _queues(section: Any, fail: Any) -> dict[str, int]:
    if not isinstance(section, dict):
        raise fail(("queues",), "queues must map queue names to {cu: N}")
    queues = {}
    for name, value in section.items():
        cu = value.get("cu") if isinstance(value, dict) else None
        if not isinstance(cu, int) or isinstance(cu, bool) or cu < 1:
            raise fail(
                ("queues", name), f"queue {shown(name)} needs its capacity as cu: N (N >= 1)"
            )
        queues[str(name)] = cu
    return queues


def _exclude(section: Any, fail: Any) -> tuple[str, ...]:
    if not isinstance(section, list) or not all(isinstance(p, str) for p in section):
        raise fail(("exclude",), "exclude must be a list of glob patterns")
    return tuple(section)


def _review(section: Any, fail: Any) -> tuple[float, dict[str, float]]:
    if not isinstance(section, dict) or not set(section) <= {"restart-seconds", "jobs"}:
        raise fail(
            ("review",), "review takes restart-seconds: N and jobs: {NAME: {restart-seconds: N}}"
        )
    default = section.get("restart-seconds", DEFAULT_RESTART_SECONDS)
    if not _seconds(default):
        raise fail(
            ("review", "restart-seconds"), "restart-seconds must be a number of seconds >= 0"
        )
    jobs = section.get("jobs") or {}
    if not isinstance(jobs, dict):
        raise fail(("review", "jobs"), "review.jobs maps job names to {restart-seconds: N}")
    per_job = {}
    for name, value in jobs.items():
        seconds = value.get("restart-seconds") if isinstance(value, dict) else None
        if not _seconds(seconds):
            raise fail(
                ("review", "jobs", name), f"job {shown(name)} needs restart-seconds: N (N >= 0)"
            )
        per_job[str(name)] = float(seconds)
    return float(default), per_job


def _seconds(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _suggest(word: str, choices: list[str]) -> str:
    import difflib  # here: only a configuration mistake needs it

    hint = difflib.get_close_matches(str(word), choices, n=1)
    return f"did you mean '{hint[0]}'?" if hint else f"use one of: {', '.join(choices)}"
