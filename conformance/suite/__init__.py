"""The conformance suite: run it with `rtk-conformance run` or `pytest --pyargs conformance.suite`."""
