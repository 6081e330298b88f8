"""`rtk-conformance audit PATH...`: judge what people already have (HAR files, cassettes, WireMock mappings, Mockoon
environments, NDJSON) without sending anything.

Each exchange on this endpoint is judged by the run's checks (audit/judge.py) and becomes part of a Record, as a
run's probes do: the verdict, the summary, the failure blocks and every report format are the run's. Each exchange also
gets its own word: it conforms, conforms with advisories, or is impossible in production (a MUST it breaks), with the
line that arranges the same situation on the certified fake (audit/arrange.py). Exchanges on other endpoints are
counted and left alone.
"""
