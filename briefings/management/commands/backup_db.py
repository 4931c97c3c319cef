"""Back the database up to one file, while the site keeps running.

- SQLite: SQLite's online backup API (``sqlite3.Connection.backup``), which
  copies a consistent snapshot page by page while other connections read and
  write. The file is itself a SQLite database: restoring is putting it in
  place of ``db.sqlite3`` with the server stopped (README, "Backups").
- PostgreSQL: ``pg_dump --format=custom`` with the connection settings of
  DATABASE_URL (a consistent snapshot, taken without blocking writers);
  restore with ``pg_restore`` into an empty database.

Either way the command checks the file it wrote before it reports success.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


class Command(BaseCommand):
    help = "Write a consistent backup of the database to OUTPUT while the site runs (SQLite or PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("output", help="File to write; refused if it exists, unless --overwrite.")
        parser.add_argument("--overwrite", action="store_true")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.exists() and not options["overwrite"]:
            raise CommandError(f"{output} exists; choose another name or pass --overwrite.")
        output.parent.mkdir(parents=True, exist_ok=True)
        connection = connections[options["database"]]
        if connection.vendor == "sqlite":
            self.backup_sqlite(connection, output)
        elif connection.vendor == "postgresql":
            self.backup_postgresql(connection, output)
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")
        self.stdout.write(self.style.SUCCESS(f"Backed up the {connection.vendor} database to {output}."))

    def backup_sqlite(self, connection, output):
        partial = output.with_name(output.name + ".partial")
        partial.unlink(missing_ok=True)
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
            (result,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
        if result != "ok":
            partial.unlink(missing_ok=True)
            raise CommandError(f"The backup failed its integrity check: {result}")
        os.replace(partial, output)

    def backup_postgresql(self, connection, output):
        settings_dict = connection.settings_dict
        pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
        if not pg_dump or not pg_restore:
            raise CommandError("pg_dump and pg_restore (PostgreSQL client tools) must be installed.")
        command = [pg_dump, "--format=custom", "--no-owner", "--file", str(output)]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings_dict.get(key):
                command += [flag, str(settings_dict[key])]
        command.append(settings_dict["NAME"])
        env = {**os.environ}
        if settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = settings_dict["PASSWORD"]
        try:
            # The arguments are this project's settings, not request input.
            subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=3600)  # noqa: S603
            # pg_restore --list reads the archive's table of contents: a truncated file fails here.
            subprocess.run([pg_restore, "--list", str(output)], check=True, capture_output=True, timeout=600)  # noqa: S603
        except subprocess.CalledProcessError as failed:
            output.unlink(missing_ok=True)
            raise CommandError(f"{failed.cmd[0]} failed: {(failed.stderr or '').strip()}") from None
