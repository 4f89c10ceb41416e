"""Fleet monitoring: /metrics scraped by a real Prometheus configured from the inventory."""
