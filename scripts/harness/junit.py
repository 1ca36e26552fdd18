"""make check's results as JUnit XML, the format CI web UIs read.

One <testsuite> per rkm suite (and per group of host results), one
<testcase> per result with the suite as its classname; a failure carries its
reason, a declared skip the manifest's.
"""

import xml.etree.ElementTree as ET


def document(results):
    """An ElementTree of results, as check.Report keeps them: (suite, name, status, reason, kind)."""
    root = ET.Element("testsuites")
    suites = {}
    for suite, name, status, reason, kind in results:
        if suite not in suites:
            suites[suite] = ET.SubElement(root, "testsuite", name=suite)
        case = ET.SubElement(suites[suite], "testcase", classname=suite, name=name)
        ET.SubElement(case, "properties").append(ET.Element("property", name="kind", value=kind))
        if status == "fail":
            ET.SubElement(case, "failure", message=reason or "failed")
        elif status == "skip":
            ET.SubElement(case, "skipped", message=reason)
    for element in [root, *suites.values()]:
        cases = element.iter("testcase")
        statuses = [(c.find("failure") is not None, c.find("skipped") is not None) for c in cases]
        element.set("tests", str(len(statuses)))
        element.set("failures", str(sum(f for f, _ in statuses)))
        element.set("skipped", str(sum(s for _, s in statuses)))
    return ET.ElementTree(root)


def write(results, path):
    tree = document(results)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
