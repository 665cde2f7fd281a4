"""Write or check the configuration reference: `python -m tenantry_kernel.config --write | --check | --markdown`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tenantry_kernel.config.catalog import GROUPS
from tenantry_kernel.config.reference import COMMAND, env_example, markdown_table, stale_files, write

# The checkout this package is installed from (editable), whose docs/ and .env.example are written.
CHECKOUT = Path(__file__).resolve().parents[3]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tenantry_kernel.config", description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="write docs/configuration.md's tables and .env.example")
    action.add_argument("--check", action="store_true", help="exit 1 if either is not what --write would write")
    action.add_argument("--markdown", action="store_true", help="print the tables of docs/configuration.md")
    action.add_argument("--env-example", action="store_true", help="print .env.example")
    parser.add_argument("--root", type=Path, default=CHECKOUT, help="the checkout to write in (default: %(default)s)")
    args = parser.parse_args(argv)

    if args.markdown:
        sys.stdout.write("\n\n".join(f"### {group.title}\n\n{markdown_table(group)}" for group in GROUPS) + "\n")
    elif args.env_example:
        sys.stdout.write(env_example())
    elif args.check:
        if stale := stale_files(args.root):
            sys.stderr.write(f"stale: {', '.join(map(str, stale))}; run `{COMMAND}`\n")
            return 1
    else:
        for path in write(args.root):
            sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
