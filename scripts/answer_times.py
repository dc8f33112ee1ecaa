#!/usr/bin/env python3
"""How long create-auth-challenge takes to answer a first challenge for users with an
account (a code goes out through moto's SES) and for names without one (nothing is
sent), through the Lambda API of `cargo lambda watch` (debug builds, local.env), with
the answer floor given (SEND_ANSWER_FLOOR_MS, local.env's 400 by default):

  answer_times.py [--floor MS] [--rounds N]

Prints the median, least and most of each. Without a floor the send shows: the
answers for real users take the SES call longer.
"""

import argparse
import json
import statistics

from custom_auth import CustomAuth
from local_stack import MotoServer, Watch, env_file_values, prepare_moto


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--floor", type=int, default=None)
    args.add_argument("--rounds", type=int, default=15)
    opts = args.parse_args()
    env = env_file_values()
    floor = str(opts.floor) if opts.floor is not None else env["SEND_ANSWER_FLOOR_MS"]
    with MotoServer("answer-times-moto") as moto:
        prepare_moto(moto.endpoint)
        with Watch(moto.endpoint, env={"SEND_ANSWER_FLOOR_MS": floor}, name="answer-times-watch") as watch:
            auth = CustomAuth(lambda f, e: watch.invoke(f, json.dumps(e).encode()),
                              "eu-west-1_AnswerTimes", "answer-times", env["AWS_REGION"])
            auth.initiate("warm-up", {"email": "warm.up@example.com", "email_verified": "true"})
            known, unknown = [], []
            # Interleaved, so that a slow moment hits both alike; each user once (the
            # cooldown would otherwise hold the second send back).
            for i in range(opts.rounds):
                s = auth.initiate(f"known-{i}", {"email": f"known.{i}@example.com", "email_verified": "true"})
                known.append(s.took["create-auth-challenge"])
                s = auth.initiate(f"unknown.{i}@example.com", None)
                unknown.append(s.took["create-auth-challenge"])

    def line(xs):
        return f"median {statistics.median(xs):.1f} ms (least {min(xs):.1f}, most {max(xs):.1f})"

    print(f"SEND_ANSWER_FLOOR_MS={floor}, {opts.rounds} each: with an account {line(known)}; "
          f"without {line(unknown)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
