"""JUnit XML that CI systems show well: each test named after what it checks, wherever the package is installed.

pytest names a test after its file and function (`...site-packages.conformance.suite.test_contract`,
`test_rule[...]`); once it has written the report, each test is renamed `conformance.<category>` /
`<check-id>@<probe>`, and each property test `conformance.property` / `<phase>-<mode>`.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from conformance.checks import by_id
from conformance.files import write_atomically
from conformance.run.carried import CARRIED

PROPERTY_TEST = re.compile(r"test_property\[(?P<label>[\w-]+)\]")


def finish(path: Path, verdict: str, failed: dict[str, dict[str, int]]) -> None:
    """Each test named after what it checks, and the run's verdict and numbers (as every format gives them) among the
    test suite's properties."""
    tree = ElementTree.parse(path)
    for suite in tree.getroot().iter("testsuite"):
        holder = suite.find("properties")
        if holder is None:
            holder = ElementTree.Element("properties")
            suite.insert(0, holder)
        flat = {f"failed.{group}.{name}": str(n) for group, counts in failed.items() for name, n in counts.items()}
        for name, value in {"verdict": verdict, **flat}.items():
            ElementTree.SubElement(holder, "property", {"name": name, "value": value})
    rename_tests(tree.getroot())
    write_atomically(path, ElementTree.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True))


def rename_tests(root: ElementTree.Element) -> None:
    for case in root.iter("testcase"):
        for holder in case.iter("properties"):  # what tests carry for an xdist controller is not for people
            for carried_property in [p for p in holder if p.get("name") in CARRIED]:
                holder.remove(carried_property)
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        if properties.get("check"):
            check = str(properties["check"])
            case.set("classname", f"conformance.{by_id(check).category}")
            case.set("name", f"{check}@{properties.get('probe')}")
        elif found := PROPERTY_TEST.fullmatch(case.get("name", "")):
            case.set("classname", "conformance.property")
            case.set("name", found["label"])
