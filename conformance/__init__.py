"""realtimekit-conformance: the contract and conformance suite for RealtimeKit's 'Fetch details of a session'."""

__version__ = "0.1.0"
