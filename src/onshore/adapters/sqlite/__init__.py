"""SQLite adapters: one file per region, WAL mode, one transaction shared by its stores."""
