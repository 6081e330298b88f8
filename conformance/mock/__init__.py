"""The reference implementation of the endpoint: an ASGI app that answers as Cloudflare does."""

from conformance.mock.app import ReferenceMock, Reply, Request
from conformance.mock.data import MockData, load_data

__all__ = ["MockData", "ReferenceMock", "Reply", "Request", "load_data"]
