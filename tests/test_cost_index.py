"""CostReport.for_finding: an index by identity gives the same answer as a scan."""

from costlint.price.costs import Assumptions, CostReport, FindingCost
from costlint.site import Finding


def _finding(line: int) -> Finding:
    return Finding("CL001", "model-overkill", "warning", "a.py", line, 1, "same message")


def _report(costs: list[FindingCost]) -> CostReport:
    assumptions = Assumptions("defaults", None, {}, True, None, None, None, {})
    return CostReport([], costs, assumptions)


def test_equal_findings_get_their_own_cost():
    first, twin = _finding(3), _finding(3)
    assert first == twin and first is not twin
    report = _report([FindingCost(first, "saving", 1.0), FindingCost(twin, "saving", 2.0)])
    assert report.for_finding(first).saving == 1.0
    assert report.for_finding(twin).saving == 2.0
    assert report.for_finding(_finding(3)) is None  # equal but not priced


def test_first_cost_of_a_finding_wins_and_a_replaced_list_is_reindexed():
    finding = _finding(5)
    report = _report([FindingCost(finding, "saving", 1.0), FindingCost(finding, "none")])
    assert report.for_finding(finding).saving == 1.0
    report.findings = [FindingCost(finding, "unpriced", note="no usage")]
    assert report.for_finding(finding).kind == "unpriced"
