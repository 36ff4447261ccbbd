"""List the rules: id, default severity, options, what `dli-flink fix` does for its findings (when
the rule can fix them) and documentation with examples."""

from __future__ import annotations

import argparse
import inspect

HELP = "list the rules with their documentation"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", nargs="?", help="show only this rule")
    parser.add_argument("--brief", action="store_true", help="one line per rule")


def run(args: argparse.Namespace) -> int:
    from dli_flink.rules import RULES
    from dli_flink.rules.base import summary

    if args.rule and args.rule not in RULES:
        print(f"dli-flink: unknown rule '{args.rule}': dli-flink rules --brief lists them")
        return 2
    chosen = [RULES[args.rule]] if args.rule else list(RULES.values())
    for rule in chosen:
        fixes = getattr(rule, "FIX", None)
        if args.brief:
            print(f"{rule.ID:28} {rule.SEVERITY:8} {'fix' if fixes else '':4}{summary(rule)}")
            continue
        options = ", ".join(f"{o.name}={o.default!r}" for o in rule.OPTIONS) or "none"
        print(f"{rule.ID} ({rule.SEVERITY}; options: {options})")
        if fixes:
            print(f"    dli-flink fix: {fixes}")
        print(inspect.cleandoc(rule.__doc__ or "").replace("\n", "\n    ").join(["    ", "\n"]))
    return 0
