#!/usr/bin/env python3
"""How fast `legacy-import --to cognito-csv` checks and writes rows, and its peak
memory: generated legacy files of each size (7 columns, every third row with a phone
number, one row in 1,000 with a comma in a value), converted by the optimized binary
(`bench` profile: no LTO) under /usr/bin/time -v. At a million rows the output splits
at Cognito's 500,000 users a file, which the run checks.

  scripts/bench_cognito_csv.py [--rows 100000,1000000] [--binary target/release/legacy-import]
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("name,given_name,family_name,middle_name,nickname,preferred_username,profile,picture,website,"
          "email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,phone_number_verified,address,"
          "updated_at,cognito:mfa_enabled,cognito:username")


def generate(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("username,email,password_hash,phone_number,first_name,last_name,locale\n")
        for n in range(rows):
            phone = f"+3361{n % 10_000_000:08d}" if n % 3 == 0 else ""
            last = '"Martin, Jr"' if n % 1000 == 0 else "Martin"
            out.write(f"user{n:08d}@example.com,user{n:08d}@example.com,$2b$10$abcdefghijklmnopqrstuv,"
                      f"{phone},Olivia,{last},fr\n")


def run(binary: Path, rows: int, folder: Path) -> dict:
    legacy = folder / f"legacy-{rows}.csv"
    generate(legacy, rows)
    (folder / "header.csv").write_text(HEADER + "\n")
    out = folder / f"import-{rows}.csv"
    started = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-v", str(binary), str(legacy), "--to", "cognito-csv", str(out),
                           "--csv-header", str(folder / "header.csv"), "--assume-email-verified"],
                          capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ATTRIBUTE_MAP": "last_name=family_name,first_name=given_name"})
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"legacy-import exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    files = [(line.split(":")[0].strip(), int(re.search(r"(\d+) users", line).group(1)))
             for line in done.stdout.splitlines() if " users, " in line]
    written = sum(users for _, users in files)
    if written != rows:
        sys.exit(f"{written} users written of {rows}")
    if any(users > 500_000 for _, users in files):
        sys.exit(f"a file over 500,000 users: {files}")
    return {"rows": rows, "seconds": seconds, "rate": rows / seconds, "rss_mb": rss_kb / 1024,
            "files": [users for _, users in files], "bytes": legacy.stat().st_size}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="100000,1000000")
    # The bench profile (optimized, no LTO) writes to target/release.
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "legacy-import"))
    args = parser.parse_args()
    print("| rows | legacy file | time | rows per second | peak RSS | files (users each) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (int(r) for r in args.rows.split(",")):
            r = run(Path(args.binary), rows, Path(tmp))
            print(f"| {r['rows']:,} | {r['bytes'] / 1e6:.1f} MB | {r['seconds']:.2f} s | {r['rate']:,.0f} | "
                  f"{r['rss_mb']:.1f} MB | {len(r['files'])} ({', '.join(f'{u:,}' for u in r['files'])}) |", flush=True)
            for f in Path(tmp).glob("import-*"):
                f.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
