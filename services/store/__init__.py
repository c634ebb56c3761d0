"""The SQLModel store: tables, the engine, migrations."""
