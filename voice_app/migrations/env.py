"""Alembic's environment: runs on the connection `voice_app.schema` hands it.

`voice_app.schema` opens that connection, begins its transaction and takes the lock before
anything reads `alembic_version`, so every migration, the version table and the lock share one
transaction. Run the migrations with `python -m voice_app db upgrade`, not the `alembic` command.
"""

from __future__ import annotations

from alembic import context

from voice_app.store import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `python -m voice_app db upgrade` (it takes the lock)")

context.configure(connection=connection, target_metadata=metadata, transactional_ddl=True,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
