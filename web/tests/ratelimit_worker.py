"""One web process's worth of rate-limit hits, for the test that runs several of them against one database.

python -m web.tests.ratelimit_worker BUCKET LIMIT HITS START_AT  (DATABASE_URL names the shared database)
Prints the number of hits that were allowed.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings_test")

import django

django.setup()

from gridgov.ratelimit import rate_allow  # noqa: E402


def main() -> None:
    bucket, limit, hits, start_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    time.sleep(max(0.0, start_at - time.time()))  # every process starts counting at the same moment
    print(sum(rate_allow(bucket, limit, 3600) for _ in range(hits)))


if __name__ == "__main__":
    main()
