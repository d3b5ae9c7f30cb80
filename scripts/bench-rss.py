#!/usr/bin/env python3
"""Memory per role (part of make bench): every role in its own process (release build), as
Kubernetes runs them, on `mottak-dev stack`; the resident set size of each, idle (ready, no
plans) and the peak under load: BENCH_RSS_PLANS plans (default 600) submitted over HTTP 16 at a
time, as many published on the event front door, the status of each HTTP plan read once, all
carried to COMPLETED. Runs inside scripts/throwaway-postgres.sh. Ends with RESULT lines.
"""
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from rolestack import MOTTAK_DEV, ROLES, ROOT, Stack, http, plan_event, publish, wait_for

PLANS = int(os.environ.get("BENCH_RSS_PLANS", "600"))


def rss_mib(pid):
    """VmRSS of `pid` in MiB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def sql(query):
    return subprocess.check_output(["psql", "-qtA", os.environ["DATABASE_URL"], "-c", query], text=True).strip()


def main():
    work = subprocess.check_output(["mktemp", "-d", "/tmp/mottak-bench-rss.XXXXXX"], text=True).strip()
    stack = Stack(work, {"LOG_LEVEL": "warning"})
    try:
        stack.start_all(sql)
        time.sleep(5)  # settled: first metadata, group joins, pools
        idle = {role: rss_mib(stack.pid(role)) for role in ROLES}
        idle["(local stack)"] = rss_mib(stack.stack.pid)

        peak = dict(idle)
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                for role in ROLES:
                    peak[role] = max(peak[role], rss_mib(stack.pid(role)))
                peak["(local stack)"] = max(peak["(local stack)"], rss_mib(stack.stack.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        token = subprocess.check_output([MOTTAK_DEV, "token", "--org", "123456789"], cwd=ROOT, text=True).strip()
        body = open(os.path.join(ROOT, "scripts/examples/followupplan.json"), "rb").read()
        url = f"http://127.0.0.1:{stack.port('intake')}/api/v1/followupplan"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Prefer": "respond-async"}
        events = [(u, plan_event(u, "Memory benchmark")) for u in (str(uuid.uuid4()) for _ in range(PLANS))]
        started = time.monotonic()
        publisher = threading.Thread(target=publish, args=(stack.env["KAFKA_BROKERS"], "followupplan.submitted.v1", events))
        publisher.start()
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: http("POST", url, body, headers, timeout=30), range(PLANS)))
            if [a[0] for a in answers].count(202) != PLANS:
                raise SystemExit(f"submissions failed: {sorted(set(a[0] for a in answers))}")
            status_url = f"http://127.0.0.1:{stack.port('status-query')}/api/v1/followupplan/{{}}/sendingstatus"
            reads = list(pool.map(lambda a: http("GET", status_url.format(json.loads(a[1])["uuid"]), None, headers)[0], answers))
            if reads.count(200) != PLANS:
                raise SystemExit(f"status reads failed: {sorted(set(reads))}")
        publisher.join()
        wait_for(lambda: int(sql("SELECT count(*) FROM plan_status WHERE state = 'COMPLETED'")) >= 2 * PLANS, 600, "every plan COMPLETED")
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
    finally:
        stack.stop_all()

    print(f"\n{2 * PLANS} plans ({PLANS} by HTTP, {PLANS} by event) to COMPLETED in {elapsed:.1f} s "
          f"({2 * PLANS / elapsed:.1f} plans/s) with one process per role")
    print(f"{'process':<20} {'idle MiB':>10} {'peak MiB':>10}")
    for name in list(idle):
        print(f"{name:<20} {idle[name]:>10.1f} {peak[name]:>10.1f}")
    print()
    for role in ROLES:
        print(f"RESULT rss_idle_mib_{role.replace('-', '_')} {idle[role]:.1f}")
        print(f"RESULT rss_load_mib_{role.replace('-', '_')} {peak[role]:.1f}")
    print(f"RESULT pipeline_plans_per_s_process_per_role {2 * PLANS / elapsed:.1f}")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
