"""One arm of a what-if, in its own process on its own copy (DATABASE_URL): the
figures go to standard output as one JSON line."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys


def main(argv: list[str]) -> int:
    args = json.loads(argv[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from .arm import run_arm

    call_command("migrate", verbosity=0, interactive=False)  # the copy, never the live database

    scenario = None
    if args.get("scenario"):
        from lastmile.simulation import scenario as scenario_mod

        scenario = scenario_mod.read(args["scenario"])
    result = run_arm(start=dt.date.fromisoformat(args["start"]), months=int(args["months"]),
                     policies=args["policies"], network=args.get("network"), scenario=scenario,
                     minutes_per_call=int(args.get("minutes_per_call", 6)))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
