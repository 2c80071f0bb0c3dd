"""`python -m lastmile.whatif.background RUN_ID`: the console's what-if, run outside
the web request (whatif.services)."""
from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
    import django

    django.setup()
    from .services import whatif_execute

    run = whatif_execute(run_id=int(argv[0]))
    return 0 if run.status == "done" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
