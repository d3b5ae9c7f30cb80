#!/usr/bin/env python3
"""Fails when a test could run without a time limit: every `@Suite` under Tests/ must carry
`.timeLimit(...)`, and every `@Test` must sit in a file that declares a suite (free test
functions would escape the suites' limits). Part of `make lint`, so of `make test`.

A time limit is what turns a test that waits forever into a named failure: Swift Testing
cancels it and says which test it was (scripts/run-swift-tests.py then ends the run if the
test still does not return)."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "Tests"
problems = []
for path in sorted(root.rglob("*.swift")):
    text = path.read_text()
    suites = re.findall(r"^\s*@Suite(\([^\n]*\))?\s", text, flags=re.M)
    for arguments in suites:
        if ".timeLimit(" not in arguments:
            problems.append(f"{path.relative_to(root.parent)}: a @Suite without .timeLimit(...)")
    if "@Test" in text and not suites:
        problems.append(f"{path.relative_to(root.parent)}: @Test outside any @Suite (no time limit)")
for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"check-test-time-limits: every suite under {root.name}/ has a time limit")
