"""The formats of recorded exchanges the audit reads, one module each: what a browser, a cassette library or a mock
server wrote, turned into `Recorded` exchanges. A file is known by its content (`recognise.py`), never by its name.

Recordings (`har`, `vcr`, `ndjson`) hold exchanges that happened. Stubs (`wiremock`, `mockoon`) hold answers to
requests that may come: each is asked the requests of `asking.py`, and what it would answer is the exchange."""

NAMES = "HAR, vcrpy cassette, WireMock mapping, Mockoon environment, NDJSON"  # as the notes of skipped files list them
