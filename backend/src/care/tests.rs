//! HTTP tests of measure 9 (care services), each on SQLite and on PostgreSQL.
