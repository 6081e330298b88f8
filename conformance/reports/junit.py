"""JUnit XML that CI systems show well, written once from the run's record: each test named after what it checks
(`conformance.<category>` / `<check-id>@<probe>`, and `conformance.property` / `<phase>-<mode>`) wherever the package
is installed; the run's verdict, edition and numbers (as every format gives them) among the test suite's properties.
A SHOULD failure, not fatal, is a skipped test of type pytest.xfail carrying its whole failure text, as pytest writes
an expected failure."""

from __future__ import annotations

from xml.etree import ElementTree

from conformance.run.record import JUnitEntry, Record
from conformance.run.verdict import Verdict

XFAIL = "pytest.xfail"


def render(record: Record, verdict: Verdict, failed: dict[str, dict[str, int]]) -> bytes:
    tests = record.tests
    counts = {kind: str(sum(1 for t in tests if t.outcome in outcomes)) for kind, outcomes in SUITE_COUNTS.items()}
    seconds = f"{sum(t.seconds for t in tests):.3f}"
    suite = ElementTree.Element("testsuite", {"name": "conformance", "tests": str(len(tests)), **counts, "time": seconds})
    properties = {"verdict": str(verdict), "edition": record.edition, "edition_source": record.edition_source}
    properties |= {f"failed.{group}.{name}": str(n) for group, numbers in failed.items() for name, n in numbers.items()}
    _properties(suite, list(properties.items()))
    for test in tests:
        _testcase(suite, test)
    root = ElementTree.Element("testsuites", {"name": "rtk-conformance"})
    root.append(suite)
    return bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True))


SUITE_COUNTS = {"failures": ("failed",), "errors": (), "skipped": ("skipped", "xfailed")}


def _testcase(suite: ElementTree.Element, test: JUnitEntry) -> None:
    case = ElementTree.SubElement(suite, "testcase", {"classname": test.suite, "name": test.name, "time": f"{test.seconds:.3f}"})
    _properties(case, list(test.properties))
    if test.outcome == "failed":
        ElementTree.SubElement(case, "failure", {"message": test.message}).text = test.text
    elif test.outcome == "xfailed":
        ElementTree.SubElement(case, "skipped", {"type": XFAIL, "message": test.message}).text = test.text
    elif test.outcome == "skipped":
        ElementTree.SubElement(case, "skipped", {"type": "pytest.skip", "message": test.message})


def _properties(parent: ElementTree.Element, pairs: list[tuple[str, str]]) -> None:
    if pairs:
        holder = ElementTree.SubElement(parent, "properties")
        for name, value in pairs:
            ElementTree.SubElement(holder, "property", {"name": name, "value": value})
