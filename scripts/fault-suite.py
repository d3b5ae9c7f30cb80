#!/usr/bin/env python3
"""The fault suite (make test-faults): every role in its own process, as Kubernetes runs them,
on `mottak-dev stack` (embedded Kafka, local Maskinporten, NAV's stand-ins, fault controls) and
the throwaway PostgreSQL this script runs inside (scripts/throwaway-postgres.sh).

Under a steady submission load (an LPS that retries 503s and lost connections with the same
Idempotency-Key, as the contract tells it to, and an upstream system publishing a plan a second
on the event front door, republishing until acknowledged), with NAV's stand-ins answering after
STANDIN_DELAY_MS (20) so that roles are mostly inside a call, one fault after the other:

  1. every embedded Kafka broker down for KAFKA_DOWN_SECONDS (60)
  2. PostgreSQL stopped for PG_DOWN_SECONDS (60) and started again; the intake must answer 503
     ApiError meanwhile
  3. SIGKILL of each role's process mid-work, then a restart (the NAV channel, the lookup and
     the GP channel for certain inside a call to dokarkiv, Aareg and isdialogmelding)
  4. a poison message on every topic the roles consume
  5. a 5xx storm from every NAV stand-in for STORM_SECONDS (10), then recovery

then checks that every accepted plan reached COMPLETED and was delivered exactly once: one
journal post created in dokarkiv, one Modia task on its topic, one GP message that
isdialogmelding accepted (isdialogmelding has no idempotency key: a plan whose attempt ended
without a known answer may get a second one, and must then have been flagged by the GP channel
as a possible duplicate); that no submission was stored twice and none half-written; that every poison message, and only those,
went to the dead-letter topic; and that every error answer the intake gave was a 503 ApiError.
Exits non-zero, naming each broken promise, when anything is off.
"""
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

from rolestack import MOTTAK_DEV, ROLES, ROOT, Stack, http, http_status, kafka_records, log, plan_event, publish, sql, wait_for

WORK = os.environ.get("FAULT_WORK") or subprocess.check_output(["mktemp", "-d", "/tmp/mottak-faults.XXXXXX"], text=True).strip()
KAFKA_DOWN_SECONDS = int(os.environ.get("KAFKA_DOWN_SECONDS", "60"))
PG_DOWN_SECONDS = int(os.environ.get("PG_DOWN_SECONDS", "60"))
STORM_SECONDS = int(os.environ.get("STORM_SECONDS", "10"))
STANDIN_DELAY_MS = int(os.environ.get("STANDIN_DELAY_MS", "20"))
RATE = float(os.environ.get("FAULT_LOAD_PLANS_PER_SECOND", "4"))
SETTLE_SECONDS = int(os.environ.get("FAULT_SETTLE_SECONDS", "240"))
ORG = "123456789"
CONSUMED_TOPICS = ["followupplan.submitted.v1", "followupplan.received", "followupplan.verified",
                   "followupplan.channel.nav", "followupplan.channel.gp", "followupplan.status", "teamsykmelding.syfo-sendt-sykmelding"]
MODIA_TOPIC = "team-esyfo.aapen-syfo-oppfolgingsplan-lps-nav-v2"
DLQ_TOPIC = "followupplan.dlq"
STANDINS = ["aareg", "pdl", "krr", "pdfgen", "ereg", "dokarkiv", "isdialogmelding"]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        log(f"FAILED: {message}")


# MARK: - PostgreSQL

def pg_ctl(*arguments):
    command = [os.path.join(os.environ["THROWAWAY_PG_BINDIR"], "pg_ctl"), "-D", os.environ["THROWAWAY_PG_DATA"], *arguments]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


# MARK: - The load: an LPS that retries

class Load(threading.Thread):
    def __init__(self, stack, rate):
        super().__init__(daemon=True)
        self.stack, self.interval = stack, 1 / rate
        self.stopping = threading.Event()
        self.accepted = {}  # idempotency key -> plan uuid
        self.answers = Counter()  # status (or "connection") -> count
        self.error_bodies = []  # (status, body) of every non-2xx answer
        self.pending = 0
        self.lock = threading.Lock()
        self.token = subprocess.check_output([MOTTAK_DEV, "token", "--org", ORG, "--lifetime", "7200"], cwd=ROOT, text=True).strip()
        self.template = json.load(open(os.path.join(ROOT, "scripts/examples/followupplan.json")))
        self.url = f"http://127.0.0.1:{stack.port('intake')}/api/v1/followupplan"

    def run(self):
        number = 0
        while not self.stopping.is_set():
            number += 1
            threading.Thread(target=self.submit, args=(number,), daemon=True).start()
            time.sleep(self.interval)

    def submit(self, number):
        with self.lock:
            self.pending += 1
        plan = dict(self.template, typicalWorkday=f"Plan {number} of the fault suite: {self.template['typicalWorkday']}")
        key = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Prefer": "respond-async", "Idempotency-Key": key}
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                status, body, _ = http("POST", self.url, json.dumps(plan).encode(), headers, timeout=15)
            except Exception:
                status, body = "connection", b""
            with self.lock:
                self.answers[status] += 1
                if status not in (200, 202, "connection"):
                    self.error_bodies.append((status, body))
            if status in (200, 202):
                with self.lock:
                    self.accepted[key] = json.loads(body)["uuid"].lower()
                    self.pending -= 1
                return
            time.sleep(0.5 + random.random())
        with self.lock:
            self.pending -= 1
        failures.append(f"submission {number} was never accepted within 300 s")


class EventLoad(threading.Thread):
    """An upstream system publishing plans on the event front door, one a second; it publishes
    again (same uuid, which makes the republish harmless) until the broker acknowledges."""

    def __init__(self, stack):
        super().__init__(daemon=True)
        self.stack = stack
        self.stopping = threading.Event()
        self.published = set()
        self.republished = 0

    def run(self):
        number = 0
        while not self.stopping.is_set():
            number += 1
            plan_uuid = str(uuid.uuid4())
            event = plan_event(plan_uuid, f"Event plan {number} of the fault suite")
            while not publish(self.stack.env["KAFKA_BROKERS"], "followupplan.submitted.v1", [(plan_uuid, event)], timeout=60):
                self.republished += 1
                time.sleep(1)
            self.published.add(plan_uuid)
            time.sleep(1)


# MARK: - Faults

def slow_standins(stack):
    """NAV's APIs answer after STANDIN_DELAY_MS (20), so that the channel and lookup roles spend
    most of their time inside calls and a SIGKILL usually lands in the middle of one."""
    for api in STANDINS:
        check(http_status("PUT", f"{stack.control}/standins/{api}/failure?delay_ms={STANDIN_DELAY_MS}") == 200, f"could not slow {api}")


def kafka_down(stack):
    log(f"fault: every Kafka broker down for {KAFKA_DOWN_SECONDS} s")
    check(http_status("POST", f"{stack.control}/kafka/brokers/down") == 200, "brokers could not be taken down")
    time.sleep(KAFKA_DOWN_SECONDS)
    check(http_status("POST", f"{stack.control}/kafka/brokers/up") == 200, "brokers could not be brought up")


def postgres_restart(load):
    log(f"fault: PostgreSQL stopped for {PG_DOWN_SECONDS} s")
    before = load.answers[503]
    pg_ctl("-m", "fast", "-w", "stop")
    time.sleep(PG_DOWN_SECONDS)
    answered_503 = load.answers[503] - before
    pg_ctl("-l", os.environ["THROWAWAY_PG_LOG"], "-w", "-t", "60", "-o", os.environ["THROWAWAY_PG_OPTIONS_LINE"], "start")
    log(f"PostgreSQL is back; the intake answered 503 {answered_503} times while it was down")
    check(answered_503 > 0, "the intake never answered 503 while PostgreSQL was down")


# Roles killed for certain inside a call to this API (the others at a random moment of their
# busy life): dokarkiv then journals the plan for a caller that is gone, and the redelivered
# message must find the journal post (409) instead of making a second one.
# The GP channel is killed inside an isdialogmelding call: isdialogmelding has no idempotency
# key, so the redelivery sends the plan again; it must flag that plan as a possible duplicate.
KILL_INSIDE_CALL = {"nav-channel": "dokarkiv", "lookup": "aareg", "gp-channel": "isdialogmelding"}


def kill_each_role(stack):
    for role in ROLES:
        time.sleep(2)  # mid-work: the load keeps every role busy
        api = KILL_INSIDE_CALL.get(role)
        if api:
            # Hold the API's answers for 3 s, wait until a call made from now on is in flight
            # (an older request still without an answer, say one whose caller went away, must not
            # count), then kill.
            def requests():
                return json.loads(http("GET", f"{stack.control}/standins/requests/{api}")[1])
            http_status("PUT", f"{stack.control}/standins/{api}/failure?delay_ms=3000")
            seen = len(requests())  # every request recorded from now on waits 3 s
            in_flight = []
            def a_new_call_in_flight():
                in_flight[:] = [entry for entry in requests()[seen:] if entry["status"] is None]
                return bool(in_flight)
            wait_for(a_new_call_in_flight, 30, f"a call of {role} to {api} in flight")
            which = in_flight[0].get("reference") or in_flight[0].get("pdf_sha256") or in_flight[0]["path"]
            log(f"fault: SIGKILL {role} inside a call to {api} ({which})")
        else:
            log(f"fault: SIGKILL {role}")
        stack.kill(role)
        if api:
            http_status("PUT", f"{stack.control}/standins/{api}/failure?delay_ms={STANDIN_DELAY_MS}")
        time.sleep(1)
        stack.start(role)
        stack.wait_ready(role)


def poison_every_topic(stack):
    log(f"fault: a poison message on each of {len(CONSUMED_TOPICS)} consumed topics")
    for topic in CONSUMED_TOPICS:
        subprocess.run(["kcat", "-P", "-b", stack.env["KAFKA_BROKERS"], "-t", topic, "-k", f"poison-{topic}"],
                       input=b"{ this is not an event", check=True)


def standin_storm(stack):
    log(f"fault: every NAV stand-in answers 503 for {STORM_SECONDS} s")
    for api in STANDINS:
        check(http_status("PUT", f"{stack.control}/standins/{api}/failure?status=503") == 200, f"could not make {api} fail")
    time.sleep(STORM_SECONDS)
    http_status("DELETE", f"{stack.control}/standins/failures")
    slow_standins(stack)


# MARK: - Verification

def verify(stack, load, events):
    plans = set(load.accepted.values())
    log(f"{len(load.accepted)} submissions accepted ({len(plans)} plans); answers: {dict(load.answers)}")
    log(f"{len(events.published)} plans published as events ({events.republished} publishes repeated)")
    check(len(plans) == len(load.accepted), "two submissions were answered with the same plan uuid")
    plans |= events.published

    stored = int(sql("SELECT count(*) FROM followup_plan"))
    check(stored == len(plans), f"{stored} plans stored for {len(plans)} accepted submissions (a retry stored one twice, or a refused one was kept)")

    # Nothing half-written: every plan has its status row and its received event in the outbox,
    # and the outbox has nothing left to publish.
    orphans = int(sql("SELECT count(*) FROM followup_plan p WHERE NOT EXISTS (SELECT 1 FROM plan_status s WHERE s.plan_uuid = p.uuid)"
                      " OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.topic = 'followupplan.received' AND o.message_key = p.uuid::text)"))
    check(orphans == 0, f"{orphans} stored plans lack their status row or their outbox event")
    unpublished = int(sql("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
    check(unpublished == 0, f"{unpublished} outbox events were never published")

    states = dict(line.lower().split("\t") for line in sql("SELECT plan_uuid, state FROM plan_status").splitlines())
    not_completed = {uuid_: states.get(uuid_) for uuid_ in plans if states.get(uuid_) != "completed"}
    check(not not_completed, f"{len(not_completed)} accepted plans are not COMPLETED: {list(not_completed.items())[:5]}")

    for status, body in load.error_bodies:
        try:
            error = json.loads(body)
            ok = status == 503 and error["status"]["value"] == 503 and error["type"] and error["message"]
        except Exception:
            ok = False
        check(ok, f"the intake answered {status} {body[:200]!r}: only 503 ApiErrors are expected under these faults")
        if not ok:
            break

    journal = json.loads(http("GET", f"{stack.control}/standins/requests/dokarkiv")[1])
    created = Counter(entry["reference"].lower() for entry in journal if entry["status"] == 201)
    pdf_of_plan = {entry["reference"].lower(): entry.get("pdf_sha256") for entry in journal if entry["status"] in (201, 409)}
    check(all(created[p] == 1 for p in plans), f"journal posts per plan: {Counter(created[p] for p in plans)} (want exactly one each)")
    check(set(created) <= plans, "dokarkiv received journal posts for plans nobody submitted")
    check(any(entry["status"] == 409 for entry in journal),
          "no journal post was attempted twice: the kill inside a dokarkiv call did not lead to a redelivery")

    # GP messages: exactly one per plan, except that a plan whose earlier attempt ended without a
    # known answer (the kill inside the isdialogmelding call) may get a second one, and then the
    # GP channel must have flagged it (warning with the plan's uuid).
    gp = json.loads(http("GET", f"{stack.control}/standins/requests/isdialogmelding")[1])
    sent_pdfs = Counter(entry.get("pdf_sha256") for entry in gp if entry["status"] == 200)
    gp_count = {p: sent_pdfs[pdf_of_plan.get(p)] for p in plans}
    with open(os.path.join(WORK, "gp-channel.log")) as gp_log:
        flagged = {match.group(1) for line in gp_log if "may receive it twice" in line
                   for match in [re.search(r"plan_uuid=([0-9a-f-]{36})", line)] if match}
    missing = [p for p, n in gp_count.items() if n == 0]
    unflagged = [p for p, n in gp_count.items() if n > 1 and p not in flagged]
    check(not missing, f"{len(missing)} plans never reached the GP")
    check(not unflagged, f"{len(unflagged)} plans reached the GP more than once without being flagged as possible duplicates")
    check(all(n <= 2 for n in gp_count.values()), "a plan reached the GP three times or more")
    check(flagged, "the kill inside an isdialogmelding call was not flagged as a possible duplicate")
    check(sum(sent_pdfs.values()) == sum(gp_count.values()), "GP messages for PDFs of no plan")

    modia = Counter(key.lower() for key in kafka_records(stack, MODIA_TOPIC, "%k\n"))
    modia_per_plan = Counter(modia[p] for p in plans)
    check(modia_per_plan == Counter({1: len(plans)}), f"Modia tasks per plan: {dict(modia_per_plan)} (want exactly one each)")

    dead = kafka_records(stack, DLQ_TOPIC, "%k\t%h\n")
    sources = Counter()
    for line in dead:
        key, _, headers = line.partition("\t")
        topic = dict(h.split("=", 1) for h in headers.split(",") if "=" in h).get("dlq-source-topic")
        sources[(topic, key.startswith("poison-"))] += 1
    check(all(sources[(topic, True)] == 1 for topic in CONSUMED_TOPICS),
          f"dead letters of the poison messages by topic: {dict(sources)} (want one per consumed topic)")
    unexpected = {k: v for k, v in sources.items() if not k[1]}
    check(not unexpected, f"dead letters besides the poison messages: {unexpected}")
    return {
        "plans": len(plans), "event_plans": len(events.published), "journal_posts": sum(created.values()),
        # Evidence that the kills hit work in progress: repeated journal posts that dokarkiv
        # answered 409 (already journalled), and stand-in requests overall per plan.
        "journal_posts_repeated_409": sum(1 for entry in journal if entry["status"] == 409), "gp_messages": sum(sent_pdfs.values()),
        "gp_possible_duplicates_flagged": len(flagged), "gp_duplicates": sum(n - 1 for n in gp_count.values() if n > 1),
        "modia_tasks": sum(modia.values()), "dead_letters": len(dead), "answers_503": load.answers[503],
        "connection_errors": load.answers["connection"],
    }


def main():
    for tool in ("kcat",):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            raise SystemExit(f"{tool} is missing (scripts/install-system-packages.sh {tool})")
    stack = Stack(WORK, {
        "LOG_LEVEL": "info", "LOG_FORMAT": "text",
        # The service's own quick attempts (3): our own PostgreSQL or Kafka away is waited out
        # without counting, and a NAV API down is the durable wait (parked, re-run when due), so
        # nothing here may be dead-lettered but the poison. Time compressed: pauses of at most
        # a second or so, and a circuit that probes every 5 s at the most.
        "RETRY_INITIAL_DELAY_MS": "100", "RETRY_MAX_DELAY_MS": "1000",
        "PARKED_RETRY_INITIAL_DELAY_MS": "500", "PARKED_RETRY_MAX_DELAY_MS": "3000", "CIRCUIT_MAX_OPEN_MS": "5000",
        # A killed member's partitions move after 6 s instead of librdkafka's 45 s.
        "KAFKA_CONSUMER_PROPERTIES": "session.timeout.ms=6000;heartbeat.interval.ms=500",
    })
    started = time.monotonic()
    try:
        stack.start_all(sql)
        log(f"{len(ROLES)} role processes ready (logs in {WORK})")
        slow_standins(stack)
        load = Load(stack, RATE)
        load.start()
        events = EventLoad(stack)
        events.start()
        time.sleep(5)
        kafka_down(stack)
        time.sleep(5)
        postgres_restart(load)
        time.sleep(5)
        kill_each_role(stack)
        poison_every_topic(stack)
        time.sleep(3)
        standin_storm(stack)
        time.sleep(5)
        load.stopping.set()
        events.stopping.set()
        log("load stopped; waiting for every accepted plan to be COMPLETED")
        wait_for(lambda: load.pending == 0, 300, "the last submissions to be answered")
        events.join(timeout=120)
        plans = set(load.accepted.values()) | events.published
        try:
            wait_for(lambda: int(sql("SELECT count(*) FROM plan_status WHERE state = 'COMPLETED'")) >= len(plans), SETTLE_SECONDS,
                     f"all {len(plans)} accepted plans to be COMPLETED")
        except SystemExit as timeout:
            failures.append(f"{timeout}; states now: {sql('SELECT state, count(*) FROM plan_status GROUP BY state')!r}")
        time.sleep(3)  # the channels' last records; then nothing may arrive twice
        figures = verify(stack, load, events)
    finally:
        took = stack.stop_all()
        slow = {role: round(seconds) for role, seconds in took.items() if seconds > 10}
        if slow:
            log(f"slow to stop (seconds since the stop began): {slow}")
    elapsed = time.monotonic() - started
    if failures:
        log(f"{len(failures)} broken promise(s); logs in {WORK}")
        for failure in failures:
            print(f"  - {failure}")
        sys.exit(1)
    log(f"every accepted plan delivered through all faults: once to NAV and Modia, once to the GP but for "
        f"{figures['gp_duplicates']} flagged possible duplicate(s) ({elapsed:.0f} s)")
    for name, value in figures.items():
        print(f"RESULT faults_{name} {value}")
    subprocess.run(["rm", "-rf", WORK])


if __name__ == "__main__":
    main()
