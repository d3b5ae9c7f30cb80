#!/usr/bin/env python3
"""Proves scripts/run-swift-tests.py does what make test relies on, with a stand-in `swift`
on PATH that behaves as a hanging or leaking test run would: a run past its limit names the
test still running, writes the test binary's stacks and leaves no process; a test that does
not end after Swift Testing's time limit ends the run within the grace; a process a test
leaves behind fails the run and is killed. Part of make test (a few seconds).
Run: scripts/test_run_swift_tests.py"""
import os
import subprocess
import sys
import tempfile
import textwrap
import time

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-swift-tests.py")
FAKE_SWIFT = textwrap.dedent("""\
    #!/usr/bin/env python3
    import subprocess, sys, time
    mode, tag = sys.argv[2], sys.argv[3]
    print("◇ Test run started.", flush=True)
    print("◇ Test stuck() started.", flush=True)
    print("◇ Test quick() started.", flush=True)
    print("✔ Test quick() passed after 0.1 seconds.", flush=True)
    # The test binary in a process group of its own, as SwiftPM starts it.
    subprocess.Popen(["bash", "-c", f"exec -a {tag}PackageTests.xctest sleep 600"], process_group=0)
    if mode == "leak":
        print("✔ Test stuck() passed after 0.2 seconds.", flush=True)
        sys.exit(0)
    if mode == "limit":
        print("✘ Test stuck() recorded an issue at X.swift:1:1: Time limit was exceeded: 1.000 minutes", flush=True)
    time.sleep(600)
    """)


def run(mode: str, *options: str) -> tuple[int, str, str, float]:
    tag = f"selftest{os.getpid()}{mode}"
    with tempfile.TemporaryDirectory() as folder:
        swift = os.path.join(folder, "swift")
        with open(swift, "w") as out:
            out.write(FAKE_SWIFT)
        os.chmod(swift, 0o755)
        environment = dict(os.environ, PATH=f"{folder}:{os.environ['PATH']}")
        begun = time.monotonic()
        result = subprocess.run(
            [RUNNER, *options, "--stacks", os.path.join(folder, "stacks"), "--", mode, tag],
            env=environment, capture_output=True, text=True, timeout=120)
        stacks = os.listdir(os.path.join(folder, "stacks")) if os.path.isdir(os.path.join(folder, "stacks")) else []
        left = subprocess.run(["pgrep", "-f", tag], capture_output=True, text=True).stdout.strip()
        return result.returncode, result.stdout + f"\nstacks: {stacks}", left, time.monotonic() - begun


failures = []


def check(name: str, condition: bool, output: str) -> None:
    print(f"{'ok  ' if condition else 'FAIL'} {name}")
    if not condition:
        failures.append(name)
        print(textwrap.indent(output, "    "))


status, output, left, took = run("hang", "--limit", "4")
check("a run past its limit exits 124", status == 124, output)
check("... names the test still running, not the finished one",
      "stuck()" in output.split("still running")[-1] and "quick()  (for" not in output, output)
check("... writes the test binary's stacks", "PackageTests.xctest" in output and "stacks: ['" in output, output)
check("... leaves no process behind", left == "", output + f"\nleft: {left}")

status, output, left, took = run("limit", "--limit", "100", "--grace", "2")
check("a test still running after its time limit ends the run within the grace",
      status == 124 and took < 30 and "after its time limit struck" in output, output)
check("... leaves no process behind", left == "", output + f"\nleft: {left}")

status, output, left, took = run("leak", "--limit", "100")
check("a process left behind by the tests fails the run (125) and is named",
      status == 125 and "LEFT BEHIND" in output and "PackageTests.xctest" in output, output)
check("... and is killed", left == "", output + f"\nleft: {left}")

print(f"{8 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
