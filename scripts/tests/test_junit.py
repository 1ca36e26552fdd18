"""The JUnit XML that make check writes for CI systems."""

import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

from harness import junit

RESULTS = [
    ("host", "accept_core::grows", "pass", "", "host"),
    ("rkm_phy", "phy_bind.sh.bind", "fail", "exit 1", "vm"),
    ("rkm_accept", "accept_params.sh.backend=tdx", "skip", "this VM is no tdx guest", "vm"),
    ("rkm_phy", "manifest: every listed result reported", "pass", "", "bookkeeping"),
]


class JUnit(unittest.TestCase):
    def test_a_testcase_per_result_under_its_suite(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "junit.xml")
            junit.write(RESULTS, path)
            root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "testsuites")
        self.assertEqual((root.get("tests"), root.get("failures"), root.get("skipped")), ("4", "1", "1"))
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(list(suites), ["host", "rkm_phy", "rkm_accept"])
        self.assertEqual((suites["rkm_phy"].get("tests"), suites["rkm_phy"].get("failures")), ("2", "1"))
        bind, manifest = suites["rkm_phy"].findall("testcase")
        self.assertEqual((bind.get("classname"), bind.get("name")), ("rkm_phy", "phy_bind.sh.bind"))
        self.assertEqual(bind.find("failure").get("message"), "exit 1")
        self.assertIsNone(manifest.find("failure"))
        skipped = suites["rkm_accept"].find("testcase/skipped")
        self.assertEqual(skipped.get("message"), "this VM is no tdx guest")
        self.assertEqual(bind.find("properties/property").attrib, {"name": "kind", "value": "vm"})


if __name__ == "__main__":
    unittest.main()
