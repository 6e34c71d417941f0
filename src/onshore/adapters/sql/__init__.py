"""One SQL implementation per port, shared by the SQLite and PostgreSQL stores.

Each module here holds one store class written in neutral SQL; it takes the region
database handle (``adapters.sqlite.database`` or ``adapters.postgres.database``) and a
``Dialect`` (``adapters.sql.dialect``: ``SQLITE`` or ``POSTGRES``) that carries what
differs: placeholders, the time and JSON codecs, a few SQL fragments and the translation
of driver errors. ``adapters.sqlite`` and ``adapters.postgres`` keep the public classes as
thin subclasses holding only their own schema DDL and bulk paths (``COPY``).
"""
