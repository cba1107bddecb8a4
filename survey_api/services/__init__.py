"""Use cases: load rows, call the domain, write, flush. The caller owns the transaction."""
