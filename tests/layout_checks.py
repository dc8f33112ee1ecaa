#!/usr/bin/env python3
"""The workspace's layout, checked over `cargo metadata` and the sources (make test).

Where a package lives says what it is:

  crates/triggers/   a Lambda trigger: it declares its functions in
                     [package.metadata.trigger] (the trigger list, scripts/triggers.py)
  crates/shared/     a library the triggers share: no binary, no trigger metadata
  tools/             an operator's command: a binary, no trigger metadata
  dev/               tests' and benchmarks' support: never a dependency of anything
                     that ships

and what may depend on what: a shared library on no trigger, nothing on a tool.

The ports' in-memory fakes (`fakes` features) are for tests and benchmarks: no
trigger's own build turns one on.

Only adapter code uses the AWS SDK. In a trigger or a shared library, the SDK's
crates (aws-sdk-*, aws-config, aws-esdk, aws-smithy-*, aws-types,
aws-credential-types) are named only in `src/adapters/` and in the binaries' entry
points (`src/main.rs`, `src/bin/`), which build the clients and hand them to the
adapters; the handlers and their rules see ports (`src/ports.rs`). A trigger whose
functions all declare `links = "none"` has none of those crates among its
dependencies at all.

Exit status 1, with every finding, when a rule is broken.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = {
    "crates/triggers": "trigger",
    "crates/shared": "shared",
    "tools": "tool",
    "dev": "dev",
}
SDK_CRATE = re.compile(r"^(aws-sdk-.+|aws-config|aws-esdk|aws-smithy-.+|aws-types|aws-credential-types)$")
SDK_PATH = re.compile(r"\b(aws_sdk_\w+|aws_config|aws_esdk|aws_smithy_\w+|aws_types|aws_credential_types)\s*::")
# Comments and string literals, removed before the SDK's names are looked for.
NOT_CODE = re.compile(r'//[^\n]*|/\*.*?\*/|r(#*)".*?"\1|"(?:\\.|[^"\\])*"', re.S)


def host() -> str:
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("host: "))


def metadata() -> dict:
    out = subprocess.run(["cargo", "metadata", "--format-version", "1", "--offline",
                          "--filter-platform", host()],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"cargo metadata failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


def role_of(manifest: Path) -> str | None:
    folder = manifest.parent.relative_to(ROOT).as_posix()
    for prefix, role in ROLES.items():
        if folder.startswith(prefix + "/") and folder.count("/") == prefix.count("/") + 1:
            return role
    return None


def cargo_tree(package: str, edges: str, *more: str) -> str:
    """`cargo tree -p package`: the package's own dependencies and features."""
    out = subprocess.run(["cargo", "tree", "-p", package, "-e", edges, "--offline", "--target", host(), *more],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"cargo tree -p {package} failed: {out.stderr.strip()}")
    return out.stdout


def sdk_uses_outside_adapters(package_dir: Path) -> list:
    """Each `file:line` of src/ outside the adapters and the entry points naming an SDK crate."""
    found = []
    for source in sorted((package_dir / "src").rglob("*.rs")):
        rel = source.relative_to(package_dir / "src").as_posix()
        if rel.startswith(("adapters/", "bin/")) or rel == "main.rs":
            continue
        text = source.read_text()
        code = NOT_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for match in SDK_PATH.finditer(code):
            line = code.count("\n", 0, match.start()) + 1
            found.append(f"{source.relative_to(ROOT)}:{line}: {match.group(1)}")
    return found


def main() -> int:
    meta = metadata()
    by_id = {p["id"]: p for p in meta["packages"]}
    members = [by_id[m] for m in meta["workspace_members"]]
    role = {p["name"]: role_of(Path(p["manifest_path"])) for p in members}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    problems = []

    for p in members:
        name, r = p["name"], role[p["name"]]
        where = Path(p["manifest_path"]).parent.relative_to(ROOT)
        is_trigger = bool((p.get("metadata") or {}).get("trigger"))
        has_bin = any("bin" in t["kind"] for t in p["targets"])
        if r is None:
            problems.append(f"{name} ({where}): not under {', '.join(f'{k}/' for k in ROLES)}")
            continue
        if is_trigger != (r == "trigger"):
            problems.append(f"{name} ({where}): [package.metadata.trigger] belongs to, and only to, crates/triggers/")
        if r == "shared" and has_bin:
            problems.append(f"{name} ({where}): a shared library builds no binary")
        if r == "tool" and not has_bin:
            problems.append(f"{name} ({where}): a tool builds a binary")

        # What it depends on to build and run (not its tests' dependencies).
        shipped = set()
        for dep in nodes[p["id"]]["deps"]:
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                shipped.add(by_id[dep["pkg"]]["name"])
        for dep in sorted(shipped & role.keys()):
            if role[dep] == "dev" and r != "dev":
                problems.append(f"{name}: depends on the dev-only {dep} outside its tests")
            if role[dep] == "tool":
                problems.append(f"{name}: depends on the tool {dep}")
            if role[dep] == "trigger" and r == "shared":
                problems.append(f"{name}: a shared library depends on the trigger {dep}")

        if r in ("trigger", "shared"):
            problems += [f"{use}: the AWS SDK outside src/adapters/ and the entry points"
                         for use in sdk_uses_outside_adapters(Path(p["manifest_path"]).parent)]
        if r == "trigger":
            # The in-memory fakes are for tests and benchmarks: no shipped build turns them on.
            tree = cargo_tree(name, "normal,build,features")
            if 'feature "fakes"' in tree:
                problems.append(f"{name}: its build (not its tests) turns on a fakes feature")
        functions = ((p.get("metadata") or {}).get("trigger") or {}).get("functions", [])
        if functions and all(f.get("links") == "none" for f in functions):
            # Its own feature resolution (cargo tree -p), not the workspace's unified one.
            tree = cargo_tree(name, "normal", "--prefix", "none", "--format", "{lib}")
            sdk = sorted({c for c in tree.split() if SDK_CRATE.match(c.replace("_", "-"))})
            if sdk:
                problems.append(f"{name}: declares links = \"none\" but depends on {', '.join(sdk)}")

    for line in problems:
        print(f"layout: {line}")
    if problems:
        return 1
    counts = {r: sum(1 for v in role.values() if v == r) for r in ROLES.values()}
    print(f"layout: {counts['trigger']} triggers, {counts['shared']} shared libraries, "
          f"{counts['tool']} tools, {counts['dev']} dev-only crates, each in its role's folder; "
          "no fakes in a trigger's build; the AWS SDK named only in adapters and entry points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
