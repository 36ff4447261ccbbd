"""Time `dli-flink validate` on the hostile inputs whose cost once grew with the square of their size,
against `check-jsonschema` on the same files, in the same run.

Why: a pre-commit hook must stay fast on any file under the 1 MiB cap. Two inputs were quadratic
once: 20,000 unknown keys (placing each finding by scanning the whole mapping: about 17 s) and
80,000 tag values the schema rejects (setting each aside copied the tags: about 45 s). The tests in
tests/validate/test_hostile.py check what these runs report and guard only against a hang (a
wall-clock bound in a test flakes on a shared machine); this script keeps the speed in view. The
bar: dli-flink, which also places and counts every finding, takes no more wall time than
check-jsonschema, which only reports schema errors. Like the other benches it prints best and
median of alternating runs and exits 0 whether or not the bar is met.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

from validate_bench import BIN, SCHEMA, CommandFailed, measure

HEADER = "kind: FlinkSqlJob\nname: hostile\nqueue: q\nflinkVersion: '1.15'\nsql: SELECT 1\n"
INPUTS = {
    "20,000 unknown keys": "".join(f"k{n}: 1\n" for n in range(20_000)),
    "80,000 rejected tag values": HEADER
    + "tags:\n"
    + "".join(f"  k{n}: ~\n" for n in range(80_000)),
}
"""The inputs of test_many_unknown_keys_placed_and_counted and test_many_rejected_values_counted."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    args = parser.parse_args()
    dli = [str(BIN / "dli-flink"), "validate", "--no-cache", "--format", "json"]
    cjs = [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dli-flink-bench-") as name, contextlib.chdir(name):
        folder = Path(name)
        for label, content in INPUTS.items():
            (folder / "hostile.yaml").write_text(content)
            try:
                result = measure(
                    {
                        "dli-flink": ([*dli, "hostile.yaml"], 1),
                        "check-jsonschema": ([*cjs, "hostile.yaml"], 1),
                    },
                    folder,
                    args.repeat,
                )
            except CommandFailed as error:
                print(f"hostile_bench: {error}", file=sys.stderr)
                return 1
            ours, peer = result["dli-flink"], result["check-jsonschema"]
            rows.append(
                f"{label:28} dli-flink {ours.best:6.2f} / {ours.median:6.2f} s  "
                f"check-jsonschema {peer.best:6.2f} / {peer.median:6.2f} s  "
                f"ratio {ours.best / peer.best:4.2f} / {ours.median / peer.median:4.2f} "
                f"(target <= 1): {'met' if ours.median <= peer.median else 'NOT met'}"
            )
    print(f"wall time, best / median of {args.repeat} alternating runs")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
