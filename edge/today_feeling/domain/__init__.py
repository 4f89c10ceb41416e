"""Pure domain code: no I/O, time injected, fully unit-testable."""
