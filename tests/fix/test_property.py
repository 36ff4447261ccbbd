"""Property tests (hypothesis) of `dli-flink fix` over generated job files.

The documents mix right and wrong scaling settings, and are written the many ways people write YAML:
block or flow mappings, comments after values and on their own lines, blank lines, quoted or plain
strings, LF or CRLF, with or without a final newline, a second document. Whatever the file:

- a file with nothing to fix is never rewritten;
- fixing is idempotent: a second fix changes nothing;
- after a fix the file has fewer findings, and never one it did not have;
- every comment (but one on a removed line) and the file's line endings and final newline survive.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from dli_flink.cli.fix import fix_file
from dli_flink.cli.validate import validate
from dli_flink.rules.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONFIG = Config()


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A SQL job, right or wrong in the ways the fixable rules look at (None: not written)."""
    version = draw(st.sampled_from(['"1.15"', "'1.17'", "1.15", "1.20", '"1.12"']))
    return {
        "kind": "FlinkSqlJob",
        "name": draw(st.sampled_from(["orders", "clicks", "users"])),
        "queue": "flink_q",
        "flinkVersion": version,
        "sql": "INSERT INTO sink SELECT * FROM src",
        "resources": {
            "cu": draw(st.integers(2, 16)),
            "parallelism": draw(maybe(st.integers(1, 4))),
        },
        "checkpoint": draw(maybe(st.fixed_dictionaries({"enabled": maybe(st.booleans())}))),
        "obsBucket": draw(maybe(st.just("data-team-flink"))),
        "logEnabled": draw(maybe(st.booleans())),
        "scaling": draw(
            maybe(
                st.fixed_dictionaries(
                    {
                        "enabled": maybe(st.booleans()),
                        "intervalMinutes": maybe(st.integers(0, 40)),
                        "cuMin": maybe(st.integers(1, 20)),
                        "cuMax": maybe(st.integers(1, 32)),
                    }
                )
            )
        ),
        "runtimeConfig": draw(
            maybe(
                st.fixed_dictionaries(
                    {
                        "table.exec.state.ttl": maybe(st.just("1h")),
                        "flink.dli.job.cu.max": maybe(st.sampled_from(['"4"', '"32"', "16"])),
                    }
                )
            )
        ),
    }


@st.composite
def files(draw: st.DrawFn) -> str:
    """One or two documents as YAML text, in a drawn style (LF; CRLF is applied by the test)."""
    texts = [render(draw(documents()), draw) for _ in range(draw(st.integers(1, 2)))]
    return "---\n".join(texts)


def render(document: dict[str, Any], draw: st.DrawFn, indent: str = "") -> str:
    lines: list[str] = []
    for key, value in document.items():
        if value is None or value == {} or (isinstance(value, dict) and _empty(value)):
            continue
        if draw(st.integers(0, 9)) == 0:
            lines.append(f"{indent}# about {key}")
        if draw(st.integers(0, 12)) == 0:
            lines.append("")
        comment = f"  # {key} here" if draw(st.booleans()) else ""
        if isinstance(value, dict) and draw(st.booleans()):
            inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items() if v is not None)
            lines.append(f"{indent}{key}: {{{inner}}}{comment}")
        elif isinstance(value, dict):
            lines.append(f"{indent}{key}:{comment}")
            lines.append(render(value, draw, indent + "  ").rstrip("\n"))
        else:
            lines.append(f"{indent}{key}: {_scalar(value)}{comment}")
    return "\n".join(lines) + "\n"


def _empty(value: dict[str, Any]) -> bool:
    return all(v is None for v in value.values())


def _scalar(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _found(path: Path) -> Counter[str]:
    return Counter(f.rule for f in validate([path], CONFIG).findings)


def _comments(text: str) -> list[str]:
    """Every comment, but for those on the one line a fix removes (a runtime key's)."""
    comments = (line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    return [comment for comment in comments if comment != " flink.dli.job.cu.max here"]


@SETTINGS
@given(files(), st.booleans(), st.booleans())
def test_fix_keeps_its_promises(text: str, crlf: bool, final_newline: bool) -> None:
    if not final_newline:
        text = text.rstrip("\n")
    newline = "\r\n" if crlf else "\n"
    original = text.replace("\n", newline).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "job.yaml"
        path.write_bytes(original)
        before = _found(path)
        result = fix_file(path, CONFIG)
        if result.after is None:
            assert result.fixed == []
            return
        path.write_bytes(result.after)
        after = _found(path)
        assert after < before, (before, after)
        assert fix_file(path, CONFIG).after is None, "a second fix changed the file"
    fixed = result.after.decode()
    assert _comments(fixed) == _comments(text)
    assert fixed.endswith(newline) == final_newline
    if crlf:
        assert "\n" not in fixed.replace("\r\n", "")
