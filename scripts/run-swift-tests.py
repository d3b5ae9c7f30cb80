#!/usr/bin/env python3
"""Runs `swift test` so that a hang is impossible to miss and impossible to keep.

    scripts/run-swift-tests.py [--limit SECONDS] [--grace SECONDS] -- SWIFT_TEST_ARGS...

- The test process's output reaches the log line by line as it happens (stdbuf makes the
  xctest binary's stdout line-buffered; Swift Testing writes its events to stderr), each line
  echoed at once.
- The runner follows Swift Testing's events ("Test X started." / "Test X passed|failed") and
  always knows which tests are still running.
- Every suite has a `.timeLimit` (checked by scripts/check-test-time-limits.py). When one
  strikes, Swift Testing cancels the test and says so; a test that then still does not end
  gets `--grace` seconds, after which the runner acts as at the overall `--limit`: it names the
  tests still running, writes every thread's stack of each test process (gdb) to
  `.build/test-hangs/`, prints the Swift frames of the waiting threads, and kills everything
  the run started.
- `swift test` starts the test binary in a process group of its own, so `timeout` (which
  signals its own group) leaves it running as an orphan. The runner starts `swift test` in a
  new session and, at the end of every run (passed, failed, timed out or interrupted), kills
  whatever is still in that session. A process still there after `swift test` exited on its
  own is a leak of some test: it is named and the run fails.

Exit status: swift test's own, or 124 when the run was ended for a hang, or 125 when it left
processes behind.
"""

import argparse
import datetime
import os
import re
import signal
import subprocess
import sys
import threading
import time

STARTED = re.compile(r"Test (?:\"(?P<q>[^\"]+)\"|(?P<n>\S+)) started\.")
ENDED = re.compile(r"Test (?:\"(?P<q>[^\"]+)\"|(?P<n>\S+)) (?:passed after|failed after|skipped)")
PARAMETERIZED = re.compile(r"Test case passing|\w\([^()]*:\) started\.")
TIME_LIMIT = re.compile(r"[Tt]ime limit was exceeded")


def log(message: str) -> None:
    print(f"run-swift-tests: {message}", flush=True)


def session_members(sid: int) -> list[tuple[int, str]]:
    """Every live process whose session is `sid`, with its command line."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            # fields[0] is the state; session id is the 6th field overall, 4th after the name.
            if fields[0] == b"Z" or int(fields[3]) != sid:
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
            members.append((pid, command))
        except (OSError, IndexError, ValueError):
            continue
    return members


def kill_session(sid: int) -> list[tuple[int, str]]:
    """SIGKILLs every process of the session; returns what was there."""
    members = session_members(sid)
    for pid, _ in members:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return members


def dump_stacks(sid: int, folder: str) -> None:
    """Every thread's stack of every test binary of the session, to a file and (Swift frames
    of the threads that wait) to the log."""
    os.makedirs(folder, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for pid, command in session_members(sid):
        if "xctest" not in command:
            continue
        path = os.path.join(folder, f"{stamp}-{pid}.txt")
        try:
            result = subprocess.run(
                ["gdb", "-p", str(pid), "-batch", "-nx", "-ex", "set pagination off", "-ex", "thread apply all bt"],
                capture_output=True, text=True, timeout=120)
            text = result.stdout + result.stderr
        except (OSError, subprocess.TimeoutExpired) as error:
            text = f"gdb failed: {error}"
        with open(path, "w") as out:
            out.write(text)
        log(f"stacks of {command.split()[0]} (pid {pid}) written to {path}")
        interesting = [line for line in text.splitlines()
                       if line.startswith("Thread ") or ("$s" in line and " in " in line)]
        for line in interesting[:200]:
            print("    " + line[:240], flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=float, default=900, help="seconds for the whole run")
    parser.add_argument("--grace", type=float, default=60,
                        help="seconds a test may take to end after Swift Testing's time limit struck")
    parser.add_argument("--stacks", default=".build/test-hangs", help="folder for the stack dumps")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args

    command = ["stdbuf", "-oL", "-eL", "swift", "test", *args]
    log(f"{' '.join(command[3:])} (limit {options.limit:.0f} s)")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    sid = child.pid
    running: dict[str, float] = {}
    lock = threading.Lock()
    limit_struck_at: list[float] = []

    def interrupted(signum, _frame):
        kill_session(sid)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)

    def pump() -> None:
        assert child.stdout is not None
        for raw in child.stdout:
            line = raw.decode(errors="replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            with lock:
                # A parameterized test's own end is not printed (its cases' are): not tracked.
                if (started := STARTED.search(line)) and line.strip() != "◇ Test run started." and not PARAMETERIZED.search(line):
                    running[started.group("q") or started.group("n")] = time.monotonic()
                elif ended := ENDED.search(line):
                    running.pop(ended.group("q") or ended.group("n"), None)
                if TIME_LIMIT.search(line) and not limit_struck_at:
                    limit_struck_at.append(time.monotonic())

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    begun = time.monotonic()
    hung_reason = None
    while child.poll() is None:
        time.sleep(0.5)
        now = time.monotonic()
        if now - begun > options.limit:
            hung_reason = f"the run passed its limit of {options.limit:.0f} s"
        elif limit_struck_at and now - limit_struck_at[0] > options.grace:
            hung_reason = f"a test did not end {options.grace:.0f} s after its time limit struck"
        if hung_reason:
            break

    if hung_reason:
        log(f"HANG: {hung_reason}")
        with lock:
            still = sorted(running.items(), key=lambda item: item[1])
        if still:
            log("tests still running (oldest first):")
            for name, since in still:
                print(f"    {name}  (for {time.monotonic() - since:.0f} s)", flush=True)
        else:
            log("no test is running: the process did not exit after its tests")
        dump_stacks(sid, options.stacks)
        killed = kill_session(sid)
        log(f"killed {len(killed)} process(es) of the run")
        child.wait()
        reader.join(timeout=5)
        return 124

    reader.join(timeout=10)
    status = child.returncode
    time.sleep(1)
    left = kill_session(sid)
    if left:
        log(f"LEFT BEHIND by the tests (now killed): {len(left)} process(es)")
        for pid, command in left:
            print(f"    {pid} {command[:200]}", flush=True)
        return status or 125
    log(f"swift test exited {status} after {time.monotonic() - begun:.0f} s; nothing left running")
    return status


if __name__ == "__main__":
    sys.exit(main())
