#!/usr/bin/env python3
"""checkov on template.yaml: every check passes, or is skipped with its reason in the
template (the template's Metadata.Checkov.SkippedChecks for checks skipped everywhere,
a resource's Metadata.checkov.skip for one resource). Prints the counts.

  .venv-checkov/bin/python tests/checkov.py [path to checkov] [--template FILE]

--template checks another rendering of it (tests/template_checks.py writes the
template as deployed on an existing pool); the skip reasons are read from FILE.
"""

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


class Loader(yaml.SafeLoader):
    pass


# The CloudFormation short forms (!Ref, !Sub, ...) read as plain values: only Metadata is wanted.
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def main() -> int:
    args = sys.argv[1:]
    path = ROOT / "template.yaml"
    if "--template" in args:
        i = args.index("--template")
        path = Path(args[i + 1])
        del args[i:i + 2]
    checkov = args[0] if args else str(ROOT / ".venv-checkov/bin/checkov")
    template = yaml.load(path.read_text(), Loader=Loader)
    skipped = template["Metadata"]["Checkov"]["SkippedChecks"]
    unexplained = [s["Id"] for s in skipped if not s.get("Reason", "").strip()]
    if unexplained:
        print(f"checkov: skipped without a reason: {unexplained}")
        return 1
    ids = ",".join(s["Id"] for s in skipped)
    run = subprocess.run([checkov, "-f", str(path), "--framework", "cloudformation",
                          "--skip-check", ids, "-o", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        print(f"checkov did not answer in JSON (exit {run.returncode}):\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
        return 1
    report = report[0] if isinstance(report, list) else report
    summary = report.get("summary", {})
    failed = report.get("results", {}).get("failed_checks", [])
    for check in failed:
        print(f"checkov: FAILED {check['check_id']} ({check['check_name']}) on {check['resource']}")
    in_resources = len(report.get("results", {}).get("skipped_checks", []))
    print(f"checkov {summary.get('checkov_version')}: {summary.get('passed', 0)} passed, {len(failed)} failed, "
          f"{in_resources} skipped in resources' Metadata, {len(skipped)} checks skipped everywhere "
          f"({ids}), {summary.get('resource_count')} resources")
    if summary.get("parsing_errors"):
        print(f"checkov: {summary['parsing_errors']} parsing errors")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
