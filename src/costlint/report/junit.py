"""JUnit XML for CI test-report views: one failing test case per finding.

The suite is named ``costlint``; each case's class name is ``costlint.<rule>`` and its name
the finding's location; the failure carries the message and the fix. A run without findings
is one passing case, so the report view shows that costlint ran.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from .text import location


def render(result: Any, costs: Any = None) -> str:
    findings = result.findings
    suites = ET.Element("testsuites", name="costlint")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="costlint",
        tests=str(max(len(findings), 1)),
        failures=str(len(findings)),
        errors="0",
        skipped="0",
    )
    if not findings:
        ET.SubElement(
            suite,
            "testcase",
            classname="costlint",
            name=f"no findings in {result.files} file(s)",
        )
    for finding in findings:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"costlint.{finding.rule}",
            name=f"{finding.rule} [{finding.name}] {location(finding)}",
            file=finding.repo_path,
            line=str(finding.line),
        )
        failure = ET.SubElement(
            case, "failure", message=finding.message, type=f"{finding.rule} {finding.severity}"
        )
        text = f"{location(finding)}: {finding.message}"
        if finding.fix:
            text += f"\nfix: {finding.fix}"
        failure.text = text
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
