"""PostgreSQL adapters (psycopg 3): one database per region, one transaction shared by its stores."""
