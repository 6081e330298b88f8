"""realtimekit-conformance: the contract and conformance suite for RealtimeKit's 'Fetch details of a session'.

PYTEST_DONT_REWRITE: rtk-conformance imports this package before it starts pytest, and checks report
failures by raising CheckFailure, not with assert statements, so there is nothing to rewrite.
"""

__version__ = "0.1.0"
