"""Every exchange under the paths an audit is given, judged into one Record (conformance/audit/__init__.py says how)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from conformance.audit.arrange import fake_line
from conformance.audit.judge import Judged, edition_of, judge, on_the_endpoint
from conformance.audit.recorded import Recorded
from conformance.checks import by_id
from conformance.contract import Contract, load_contract
from conformance.contract.editions import DEFAULT_EDITION
from conformance.printable import printable
from conformance.run.record import AUDIT_WORDS, Audited, JUnitEntry, Outcome, Record, Recordings, Requests, answer_of
from conformance.run.settings import AUTO_EDITION, Settings

CONFORMS, ADVISORIES, IMPOSSIBLE = AUDIT_WORDS


def audit(paths: list[str], settings: Settings) -> Record:
    """Every exchange of every file under `paths` judged; UnreadableFile (one line) for a file that cannot be read."""
    record = new_record(settings, f"recordings: {', '.join(paths)}")
    assert record.recordings is not None
    by_file = _read(paths, settings.max_cassette, record.recordings)
    editions = {source: _edition(exchanges, settings) for source, exchanges in by_file.items()}
    for source, exchanges in by_file.items():
        contract = load_contract(editions[source])
        for exchange in exchanges:
            params = on_the_endpoint(exchange, contract)
            if params is not None:
                add_judged(record, judge(exchange, params, contract), contract)
    record.edition, record.edition_source = _settled(editions, settings)
    record.duration = round(time.time() - record.started, 3)
    return record


def _read(paths: list[str], limit: int, recordings: Recordings) -> dict[str, list[Recorded]]:
    """Every exchange under the paths, by the file it is in; what is no recording, said in recordings.skipped."""
    from conformance.audit.reading import read_path  # the readers of every format: not for the proxy or the pytest route

    by_file: dict[str, list[Recorded]] = {}
    for path in paths:
        exchanges, skipped = read_path(Path(path), limit)
        recordings.skipped += skipped
        for exchange in exchanges:
            by_file.setdefault(exchange.source, []).append(exchange)
    recordings.files, recordings.exchanges = len(by_file), sum(map(len, by_file.values()))
    return by_file


def new_record(settings: Settings, target: str) -> Record:
    """An audit's record before any exchange: nothing sent, no probe, no seed."""
    return Record(settings, target, DEFAULT_EDITION, "", "audit", 0, time.time(), Requests(0, 0, 0, 0), recordings=Recordings())


def _edition(exchanges: list[Recorded], settings: Settings) -> str:
    return settings.edition if settings.edition != AUTO_EDITION else edition_of(exchanges) or DEFAULT_EDITION


def _settled(editions: dict[str, str], settings: Settings) -> tuple[str, str]:
    """One edition for the record (the most files'), and how it was chosen: each file is judged in its own, which it
    says when they differ."""
    seen = Counter(editions.values()).most_common()
    first = seen[0][0] if seen else DEFAULT_EDITION
    if settings.edition != AUTO_EDITION:
        return first, "asked"
    if len(seen) <= 1:
        return first, "detected from the recordings' 200 bodies" if editions else "assumed: nothing was recorded"
    return first, "each file in its own: " + ", ".join(f"{source} {edition}" for source, edition in sorted(editions.items()))


def add_judged(record: Record, judged: Judged, contract: Contract) -> Audited:
    """The exchange into the record: its answer, each check's outcome on it, its word and its JUnit test."""
    label = judged.label
    record.answers[label] = answer_of(judged.exchange, judged.probe.kind, contract)
    for failure in judged.failures:
        record.outcomes.append(Outcome(failure.check_id, "failed", label, str(failure), failure.detail()))
    record.outcomes += [Outcome(check, "passed", label) for check in judged.passed]
    record.outcomes += [Outcome(check, "skipped", label) for check in judged.skipped]
    failed = tuple(dict.fromkeys(f.check_id for f in judged.failures))
    fatal = [check for check in failed if by_id(check).level == "MUST" or record.settings.strict]
    word = IMPOSSIBLE if fatal else ADVISORIES if failed else CONFORMS
    audited = Audited(label, word, failed, fake_line(judged, contract), judged.recorded.note)
    assert record.recordings is not None
    record.recordings.judged.append(audited)
    record.tests.append(_test_of(audited, judged))
    return audited


def _test_of(audited: Audited, judged: Judged) -> JUnitEntry:
    """The exchange as one JUnit test: failed when impossible in production, an expected failure with advisories."""
    outcome = {CONFORMS: "passed", ADVISORIES: "xfailed", IMPOSSIBLE: "failed"}[audited.verdict]
    message = f"{audited.verdict}: {', '.join(audited.failed)}; on the fake: {audited.fake}" if audited.failed else ""
    text = "\n\n".join(str(failure) for failure in judged.failures)
    properties = (("source", judged.recorded.source), ("location", judged.recorded.location), ("fake", audited.fake))
    return JUnitEntry("conformance.audit", audited.label, outcome, printable(message), text, 0.0, properties)
