#!/usr/bin/env python3
"""The trigger list: every Lambda function of the workspace, as its package declares it
in `[package.metadata.trigger]` of its Cargo.toml, read through `cargo metadata`.

The Makefile, the scripts, the tests and the template checks take the list from here,
so a trigger is added by adding its package (see docs/adding-a-trigger.md).

  triggers.py packages      the trigger packages, one per line
  triggers.py bins          every function's binary
  triggers.py bins LINKS    the binaries that link LINKS: none, aws or esdk
  triggers.py build-args    `--bin <each>` for cargo lambda build
"""

import functools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKS = ("none", "aws", "esdk")


@dataclass(frozen=True)
class Function:
    package: str
    bin: str
    logical_id: str
    short_name: str
    condition: str | None
    links: str
    timeout_ms: int
    deliberate_errors: bool
    events: str
    sam_sample: str | None
    cold_samples: tuple
    # Settings besides local.env's when a tool runs the binary alone, and whether its
    # samples are put in a moto user pool (a function that searches the pool).
    local_env: tuple = ()
    sample_in_pool: bool = False


class TriggerListError(SystemExit):
    pass


@functools.cache
def functions() -> tuple:
    """Every declared function, packages by their `order`, binaries as declared."""
    out = subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise TriggerListError(f"cargo metadata failed: {out.stderr.strip()}")
    meta = json.loads(out.stdout)
    by_id = {p["id"]: p for p in meta["packages"]}
    found, order = [], {}
    for member in meta["workspace_members"]:
        package = by_id[member]
        trigger = (package.get("metadata") or {}).get("trigger")
        if trigger is None:
            continue
        bins = {t["name"] for t in package["targets"] if "bin" in t["kind"]}
        events = trigger.get("events", package["name"])
        order[package["name"]] = int(trigger.get("order", 1000))
        for f in trigger.get("functions", []):
            where = f"{package['name']} ({f.get('bin')})"
            if f.get("bin") not in bins:
                raise TriggerListError(f"{where}: declares a function whose binary the package does not build")
            if f.get("links") not in LINKS:
                raise TriggerListError(f"{where}: links must be one of {', '.join(LINKS)}")
            if not (ROOT / "events" / events).is_dir():
                raise TriggerListError(f"{where}: no events/{events}/ folder")
            found.append(Function(
                package=package["name"], bin=f["bin"], logical_id=f["logical-id"],
                short_name=f["short-name"], condition=f.get("condition"), links=f["links"],
                timeout_ms=int(f.get("timeout-ms", 5000)),
                deliberate_errors=bool(f.get("deliberate-errors", False)), events=events,
                sam_sample=f.get("sam-sample"), cold_samples=tuple(f.get("cold-samples", [])),
                local_env=tuple(sorted((f.get("local-env") or {}).items())),
                sample_in_pool=bool(f.get("sample-in-pool", False))))
    if not found:
        raise TriggerListError("no package declares [package.metadata.trigger]")
    return tuple(sorted(found, key=lambda f: order[f.package]))


def packages() -> list:
    """The trigger packages, each once: the functions the local tools run by name."""
    return list(dict.fromkeys(f.package for f in functions()))


def bins(links: str | None = None) -> list:
    return [f.bin for f in functions() if links is None or f.links == links]


def main(argv) -> int:
    if len(argv) == 2 and argv[1] == "packages":
        print("\n".join(packages()))
    elif len(argv) in (2, 3) and argv[1] == "bins" and (len(argv) == 2 or argv[2] in LINKS):
        print("\n".join(bins(argv[2] if len(argv) == 3 else None)))
    elif len(argv) == 2 and argv[1] == "build-args":
        print(" ".join(f"--bin {b}" for b in bins()))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
