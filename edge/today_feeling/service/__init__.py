"""Integration with the service manager (systemd)."""
