"""BigQuery readiness without credentials: the emulator, SQL strictness, cross-engine checks."""
