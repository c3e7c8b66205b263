"""Compares two JUnit reports of the same tests (MLflow's server, then Pulk's): how many pass on
each, and which pass on MLflow but not on Pulk, grouped by test file. usage: compare.py MLFLOW.xml PULK.xml"""
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    out = {}
    for case in ET.parse(path).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        out[name] = "skipped" if "skipped" in kinds else "failed" if kinds & {"failure", "error"} else "passed"
        if out[name] == "failed":
            child = next(c for c in case if c.tag in ("failure", "error"))
            out[name + "#why"] = (child.get("message") or "").splitlines()[0][:160] if child.get("message") else ""
    return out


mlflow, pulk = outcomes(sys.argv[1]), outcomes(sys.argv[2])
tests = [t for t in mlflow if not t.endswith("#why")]
passing = [t for t in tests if mlflow[t] == "passed"]
both = [t for t in passing if pulk.get(t) == "passed"]
print(f"tests run: {len(tests)}; pass on MLflow's server: {len(passing)}; of those, pass on pulk server: {len(both)} "
      f"({100 * len(both) / max(1, len(passing)):.0f}%)")
print(f"pass on pulk server in all: {sum(1 for t in tests if pulk.get(t) == 'passed')}")
print("\npass on MLflow, not on Pulk:")
for t in passing:
    if pulk.get(t) != "passed":
        print(f"  {t}  [{pulk.get(t, 'not run')}] {pulk.get(t + '#why', '')}")
