"""PostgreSQL adapters (psycopg 3): one database per region; its stores share one transaction."""
