"""Run a command against a fresh PostgreSQL database: create it, export its URL, drop it after.

Usage: python scripts/with_postgres.py COMMAND [ARGS…]
The server is QUARTERHOUR_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

import os
import subprocess
import sys
import uuid

import psycopg

ADMIN_URL = os.environ.get("QUARTERHOUR_PG_ADMIN_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")


def main() -> int:
    name = f"qh_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1]
    env = {**os.environ,
           "QUARTERHOUR_TEST_DATABASE_URL": f"postgresql+psycopg://{host}/{name}",
           "QUARTERHOUR_PG_ADMIN_URL": ADMIN_URL}
    try:
        return subprocess.call(sys.argv[1:], env=env)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
