"""Load test: bench/load/setup.py (data), locustfile.py (users), run.py (server + locust)."""
