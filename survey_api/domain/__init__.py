"""Pure rules: no Flask, no SQLAlchemy, no I/O, no clock. Callers pass plain values (and `now`) in."""
