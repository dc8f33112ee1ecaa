#!/usr/bin/env python3
"""Print what `make bench` measured (criterion's medians under target/criterion):
user-migration's unknown-user / wrong-password ratio (goal: 0.8 to 1.25) and bcrypt
cost, and each trigger's handler against serde on the same sample (goal: at most 2x), and
against serde reading the sample and writing the handler's answer."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "target" / "criterion"


def median_ns(*parts: str) -> float:
    path = ROOT.joinpath(*parts, "new", "estimates.json")
    return json.loads(path.read_text())["median"]["point_estimate"]


def main() -> None:
    if (ROOT / "refusal").exists():
        refusals()
    handlers()


def refusals() -> None:
    unknown = median_ns("refusal", "unknown_user") / 1e6
    wrong = median_ns("refusal", "wrong_password") / 1e6
    print(f"refusal, unknown user:   median {unknown:8.2f} ms")
    print(f"refusal, wrong password: median {wrong:8.2f} ms")
    print(f"ratio of medians unknown/wrong: {unknown / wrong:.3f} (goal 0.8 to 1.25)")
    for cost in (10, 12):
        print(f"bcrypt verify, cost {cost}:  median {median_ns('bcrypt_verify', f'cost_{cost}') / 1e6:8.2f} ms")
    print()


def handlers() -> None:
    print(f"{'handler vs serde, same sample':<44}{'serde':>10}{'decode+encode':>15}{'handler':>10}{'ratio':>7}"
          f"{'serde, answer':>15}{'ratio':>7}")
    for group in sorted(p.parent for p in ROOT.glob("hvs_*/handler")):
        name = json.loads((group / "handler" / "new" / "benchmark.json").read_text())["group_id"]
        serde, handler = median_ns(group.name, "serde"), median_ns(group.name, "handler")
        path = median_ns(group.name, "decode_encode")
        answer = median_ns(group.name, "serde_answer")
        verdict = "" if handler <= 2 * serde else "  over 2x"
        print(f"{name.removeprefix('hvs/'):<44}{serde / 1e3:8.1f}µs{path / 1e3:13.1f}µs{handler / 1e3:8.1f}µs"
              f"{handler / serde:7.2f}{answer / 1e3:13.1f}µs{handler / answer:7.2f}{verdict}")


if __name__ == "__main__":
    main()
