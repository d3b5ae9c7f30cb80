#!/usr/bin/env python3
"""The replica chaos run (part of make test-faults and make test): the service as NAIS runs it,
several replicas of `mottak-dev --role all` sharing one PostgreSQL and one broker (`mottak-dev
stack`), an LPS submitting plans to any replica (a failed POST is sent again, to another replica,
with the same Idempotency-Key), and, during that traffic:

  0. NAV's archive (dokarkiv) answering 503 for 15 s: every replica parks NAV deliveries in the
     one parked_message table, and every replica's runner takes them from it when due;
  1. SIGKILL of a replica (a crash: its consumers never leave their groups);
  2. 3 s later, SIGTERM of another (a rollout step during the crash's rebalance): it must stop
     within its grace (SHUTDOWN_GRACE_SECONDS) with exit status 0, not by the watchdog;
  3. a replacement replica started, then one more (a scale-up);
  4. SIGTERM of a third replica (the rollout's next step).

Then checks that every accepted plan is COMPLETED, stored once, journalled once, one Modia task,
one GP message (a second only when flagged as a possible duplicate), nothing dead-lettered, no
outbox batch failed, and prints the figures: how long each SIGTERM took, and how long the plans
submitted around the crash took to complete (the failover). Runs inside
scripts/throwaway-postgres.sh. Exits non-zero, naming each broken promise.
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

from rolestack import MOTTAK_DEV, ROOT, Stack, http, http_status, kafka_records, log, sql, wait_for

WORK = os.environ.get("CHAOS_WORK") or subprocess.check_output(["mktemp", "-d", "/tmp/mottak-chaos.XXXXXX"], text=True).strip()
RATE = float(os.environ.get("CHAOS_PLANS_PER_SECOND", "5"))
STANDIN_DELAY_MS = int(os.environ.get("STANDIN_DELAY_MS", "20"))
SHUTDOWN_GRACE_SECONDS = int(os.environ.get("CHAOS_SHUTDOWN_GRACE_SECONDS", "20"))
BASE_PORT = 18400
ORG = "123456789"
MODIA_TOPIC = "team-esyfo.aapen-syfo-oppfolgingsplan-lps-nav-v2"
DLQ_TOPIC = "followupplan.dlq"

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        log(f"FAILED: {message}")


class Replicas:
    """Replicas of every role in one process each, on the stack's environment."""

    def __init__(self, stack):
        self.stack = stack
        self.processes = {}
        self.next = 0

    def port(self, number):
        return BASE_PORT + number

    def start(self):
        number = self.next
        self.next += 1
        env = dict(self.stack.env, APPLICATION_PORT=str(self.port(number)), HOSTNAME=f"mottak-{number}")
        out = open(os.path.join(WORK, f"replica-{number}.log"), "a")
        self.processes[number] = subprocess.Popen([MOTTAK_DEV, "--role", "all"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        return number

    def wait_ready(self, number, timeout=120):
        url = f"http://127.0.0.1:{self.port(number)}/internal/is_ready"
        wait_for(lambda: http_status("GET", url) == 200, timeout, f"replica {number} ready (logs in {WORK})")

    def running(self):
        return [number for number, process in self.processes.items() if process.poll() is None]

    def urls(self):
        return [f"http://127.0.0.1:{self.port(number)}/api/v1/followupplan" for number in self.running()]

    def kill(self, number):
        self.processes[number].send_signal(signal.SIGKILL)
        self.processes[number].wait()

    def terminate(self, number):
        """SIGTERM, as Kubernetes stops a pod; returns (seconds until exit, exit status)."""
        began = time.monotonic()
        process = self.processes[number]
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=SHUTDOWN_GRACE_SECONDS - 2)
        except subprocess.TimeoutExpired:
            # Still stopping near the end of its grace: every thread's stack, for the cause.
            stacks = os.path.join(WORK, f"replica-{number}.stacks.txt")
            with open(stacks, "w") as out:
                subprocess.run(["gdb", "-p", str(process.pid), "-batch", "-ex", "thread apply all bt"],
                               stdout=out, stderr=subprocess.STDOUT, timeout=60)
            log(f"replica {number} still stopping after {SHUTDOWN_GRACE_SECONDS - 2} s; its stacks are in {stacks}")
            try:
                status = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                status = "killed"
        return time.monotonic() - began, status

    def stop_all(self):
        for number in self.running():
            self.processes[number].send_signal(signal.SIGTERM)
        for number, process in self.processes.items():
            try:
                process.wait(timeout=SHUTDOWN_GRACE_SECONDS + 30)
            except subprocess.TimeoutExpired:
                process.kill()


class Load(threading.Thread):
    """An LPS: a plan every 1/RATE s to a random replica; a failed POST (connection refused, reset,
    503) is sent again to another replica with the same Idempotency-Key."""

    def __init__(self, replicas):
        super().__init__(daemon=True)
        self.replicas = replicas
        self.stopping = threading.Event()
        self.accepted = {}  # idempotency key -> (plan uuid, monotonic time of the first POST)
        self.answers = Counter()
        self.pending = 0
        self.lock = threading.Lock()
        self.token = subprocess.check_output([MOTTAK_DEV, "token", "--org", ORG, "--lifetime", "7200"], cwd=ROOT, text=True).strip()
        self.template = json.load(open(os.path.join(ROOT, "scripts/examples/followupplan.json")))

    def run(self):
        number = 0
        while not self.stopping.is_set():
            number += 1
            threading.Thread(target=self.submit, args=(number,), daemon=True).start()
            time.sleep(1 / RATE)

    def submit(self, number):
        with self.lock:
            self.pending += 1
        began = time.monotonic()
        plan = dict(self.template, typicalWorkday=f"Plan {number} of the chaos run: {self.template['typicalWorkday']}")
        key = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Prefer": "respond-async", "Idempotency-Key": key}
        while time.monotonic() < began + 180:
            urls = self.replicas.urls()
            try:
                status, body, _ = http("POST", random.choice(urls), json.dumps(plan).encode(), headers, timeout=15)
            except Exception:
                status, body = "connection", b""
            with self.lock:
                self.answers[status] += 1
            if status in (200, 202):
                with self.lock:
                    self.accepted[key] = (json.loads(body)["uuid"].lower(), began)
                    self.pending -= 1
                return
            time.sleep(0.2 + random.random() * 0.3)
        with self.lock:
            self.pending -= 1
        failures.append(f"submission {number} was never accepted within 180 s")


def completion_seconds():
    """Per plan: seconds from received to its last status change (COMPLETED)."""
    rows = sql("SELECT plan_uuid, extract(epoch FROM updated_at - received_at) FROM plan_status WHERE state = 'COMPLETED'")
    return {line.split("\t")[0].lower(): float(line.split("\t")[1]) for line in rows.splitlines()}


def verify(stack, load, crash_time):
    plans = {plan for plan, _ in load.accepted.values()}
    log(f"{len(load.accepted)} submissions accepted ({len(plans)} plans); answers: {dict(load.answers)}")
    check(len(plans) == len(load.accepted), "two submissions were answered with the same plan uuid")
    stored = int(sql("SELECT count(*) FROM followup_plan"))
    check(stored == len(plans), f"{stored} plans stored for {len(plans)} accepted submissions")
    unpublished = int(sql("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
    check(unpublished == 0, f"{unpublished} outbox events were never published")
    states = dict(line.lower().split("\t") for line in sql("SELECT plan_uuid, state FROM plan_status").splitlines())
    not_completed = [p for p in plans if states.get(p) != "completed"]
    check(not not_completed, f"{len(not_completed)} accepted plans are not COMPLETED: {not_completed[:5]}")

    journal = json.loads(http("GET", f"{stack.control}/standins/requests/dokarkiv")[1])
    created = Counter(entry["reference"].lower() for entry in journal if entry["status"] == 201)
    pdf_of_plan = {entry["reference"].lower(): entry.get("pdf_sha256") for entry in journal if entry["status"] in (201, 409)}
    check(all(created[p] == 1 for p in plans), f"journal posts per plan: {Counter(created[p] for p in plans)} (want exactly one each)")
    gp = json.loads(http("GET", f"{stack.control}/standins/requests/isdialogmelding")[1])
    sent_pdfs = Counter(entry.get("pdf_sha256") for entry in gp if entry["status"] == 200)
    gp_count = {p: sent_pdfs[pdf_of_plan.get(p)] for p in plans}
    flagged = set()
    for name in os.listdir(WORK):
        if name.startswith("replica-"):
            with open(os.path.join(WORK, name)) as replica_log:
                flagged |= {match.group(1) for line in replica_log if "may receive it twice" in line
                            for match in [re.search(r"plan_uuid=([0-9a-f-]{36})", line)] if match}
    check(all(n >= 1 for n in gp_count.values()), "a plan never reached the GP")
    unflagged = [p for p, n in gp_count.items() if n > 1 and p not in flagged]
    check(not unflagged, f"{len(unflagged)} plans reached the GP more than once without being flagged")
    modia = Counter(key.lower() for key in kafka_records(stack, MODIA_TOPIC, "%k\n"))
    check(Counter(modia[p] for p in plans) == Counter({1: len(plans)}), f"Modia tasks per plan: {Counter(modia[p] for p in plans)}")
    dead = kafka_records(stack, DLQ_TOPIC, "%k\n")
    check(not dead, f"{len(dead)} dead letters (none expected)")
    relay_failures = 0
    for name in os.listdir(WORK):
        if name.startswith("replica-"):
            with open(os.path.join(WORK, name)) as replica_log:
                relay_failures += sum(1 for line in replica_log if "outbox batch failed" in line or "outbox rows not acknowledged" in line)
    check(relay_failures == 0, f"{relay_failures} outbox batches failed")
    left = int(sql("SELECT count(*) FROM parked_message"))
    check(left == 0, f"{left} messages still parked")
    runners = set()
    for name in os.listdir(WORK):
        if name.startswith("replica-"):
            with open(os.path.join(WORK, name)) as replica_log:
                if any("a parked message was handled" in line for line in replica_log):
                    runners.add(name)

    took = completion_seconds()
    around_crash = sorted(took[plan] for plan, began in load.accepted.values() if plan in took and abs(began - crash_time) < 5)
    overall = sorted(took.values())
    before = sorted(took[plan] for plan, began in load.accepted.values() if plan in took and began < crash_time - 1)
    return {
        "plans": len(plans), "gp_duplicates": sum(n - 1 for n in gp_count.values() if n > 1),
        "completion_p50_seconds": round(overall[len(overall) // 2], 2) if overall else None,
        "completion_max_seconds": round(overall[-1], 2) if overall else None,
        "before_crash_p50_seconds": round(before[len(before) // 2], 2) if before else None,
        "before_crash_max_seconds": round(before[-1], 2) if before else None,
        "around_crash_max_seconds": round(around_crash[-1], 2) if around_crash else None,
        "connection_errors": load.answers["connection"], "answers_503": load.answers[503],
        "replicas_that_ran_parked_messages": len(runners),
    }


def main():
    if subprocess.run(["which", "kcat"], capture_output=True).returncode != 0:
        raise SystemExit("kcat is missing (scripts/install-system-packages.sh kcat)")
    stack = Stack(WORK, {
        "LOG_LEVEL": os.environ.get("CHAOS_LOG_LEVEL", "info"), "LOG_FORMAT": "text", "SHUTDOWN_GRACE_SECONDS": str(SHUTDOWN_GRACE_SECONDS),
        # The durable wait in compressed time, as in the fault suite.
        "RETRY_INITIAL_DELAY_MS": "100", "RETRY_MAX_DELAY_MS": "1000",
        "PARKED_RETRY_INITIAL_DELAY_MS": "500", "PARKED_RETRY_MAX_DELAY_MS": "3000", "CIRCUIT_MAX_OPEN_MS": "5000",
    })
    replicas = Replicas(stack)
    started = time.monotonic()
    figures = {}
    try:
        stack.start_stack()
        for api in ["aareg", "pdl", "krr", "pdfgen", "ereg", "dokarkiv", "isdialogmelding"]:
            http_status("PUT", f"{stack.control}/standins/{api}/failure?delay_ms={STANDIN_DELAY_MS}")
        for _ in range(3):
            replicas.start()
        for number in list(replicas.processes):
            replicas.wait_ready(number)
        wait_for(lambda: int(sql("SELECT count(*) FROM sykmelding_period")) >= 3, 60, "the seeded sykmeldinger to be ingested")
        log(f"3 replicas ready (logs in {WORK})")
        load = Load(replicas)
        load.start()
        time.sleep(5)
        # NAV's archive down 15 s: every replica parks its NAV deliveries in the one
        # parked_message table and their runners share it (a claim each); all complete after.
        log("fault: dokarkiv answers 503 for 15 s")
        http_status("PUT", f"{stack.control}/standins/dokarkiv/failure?status=503")
        time.sleep(15)
        http_status("DELETE", f"{stack.control}/standins/failures")
        for api in ["aareg", "pdl", "krr", "pdfgen", "ereg", "dokarkiv", "isdialogmelding"]:
            http_status("PUT", f"{stack.control}/standins/{api}/failure?delay_ms={STANDIN_DELAY_MS}")
        parked = int(sql("SELECT count(*) FROM parked_message"))
        log(f"dokarkiv is back; {parked} messages parked now")
        time.sleep(5)

        log("fault: SIGKILL replica 0 (a crash)")
        crash_time = time.monotonic()
        replicas.kill(0)
        time.sleep(3)
        log("fault: SIGTERM replica 1 during the crash's rebalance")
        seconds, status = replicas.terminate(1)
        log(f"replica 1 stopped after {seconds:.1f} s with status {status}")
        figures["sigterm_during_crash_seconds"] = round(seconds, 1)
        check(status == 0, f"replica 1 (SIGTERM during a crash's rebalance) ended with status {status}, not 0")
        check(seconds <= SHUTDOWN_GRACE_SECONDS + 5, f"replica 1 took {seconds:.0f} s to stop (grace {SHUTDOWN_GRACE_SECONDS} s)")

        log("a replacement replica, then one more (scale-up)")
        replicas.wait_ready(replicas.start())
        time.sleep(5)
        replicas.wait_ready(replicas.start())
        time.sleep(10)
        log("fault: SIGTERM replica 2 (the rollout's next step)")
        seconds, status = replicas.terminate(2)
        log(f"replica 2 stopped after {seconds:.1f} s with status {status}")
        figures["sigterm_rollout_seconds"] = round(seconds, 1)
        check(status == 0 and seconds <= SHUTDOWN_GRACE_SECONDS + 5, f"replica 2 took {seconds:.0f} s to stop, status {status}")
        time.sleep(10)

        load.stopping.set()
        log("load stopped; waiting for every accepted plan to be COMPLETED")
        wait_for(lambda: load.pending == 0, 200, "the last submissions to be answered")
        plans = {plan for plan, _ in load.accepted.values()}
        try:
            wait_for(lambda: int(sql("SELECT count(*) FROM plan_status WHERE state = 'COMPLETED'")) >= len(plans), 180,
                     f"all {len(plans)} accepted plans to be COMPLETED")
        except SystemExit as timeout:
            failures.append(f"{timeout}; states now: {sql('SELECT state, count(*) FROM plan_status GROUP BY state')!r}")
        time.sleep(3)
        figures.update(verify(stack, load, crash_time))
    finally:
        replicas.stop_all()
        stack.stop_all()
    elapsed = time.monotonic() - started
    if failures:
        log(f"{len(failures)} broken promise(s); logs in {WORK}")
        for failure in failures:
            print(f"  - {failure}")
        sys.exit(1)
    log(f"every accepted plan delivered once through a crash, a SIGTERM during its rebalance, a scale-up and a rollout ({elapsed:.0f} s)")
    for name, value in figures.items():
        print(f"RESULT chaos_{name} {value}")
    subprocess.run(["rm", "-rf", WORK])


if __name__ == "__main__":
    main()
