#!/usr/bin/env python3
"""Print the medians criterion measured for the user-migration benchmark, and the
ratio unknown-user / wrong-password (goal: 0.8 to 1.25)."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "target" / "criterion"


def median_ms(group: str, name: str) -> float:
    path = ROOT / group / name / "new" / "estimates.json"
    return json.loads(path.read_text())["median"]["point_estimate"] / 1e6


unknown = median_ms("refusal", "unknown_user")
wrong = median_ms("refusal", "wrong_password")
print(f"refusal, unknown user:   median {unknown:8.2f} ms")
print(f"refusal, wrong password: median {wrong:8.2f} ms")
print(f"ratio of medians unknown/wrong: {unknown / wrong:.3f} (goal 0.8 to 1.25)")
for cost in (10, 12):
    print(f"bcrypt verify, cost {cost}:  median {median_ms('bcrypt_verify', f'cost_{cost}'):8.2f} ms")
