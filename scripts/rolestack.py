"""Every role of `mottak` in its own process, as Kubernetes runs them, on `mottak-dev stack`
(embedded Kafka, local Maskinporten, NAV's stand-ins, fault controls) and the PostgreSQL of
DATABASE_URL. Shared by the fault suite (scripts/fault-suite.py) and the memory benchmark
(scripts/bench-rss.py)."""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOTTAK = os.environ.get("MOTTAK", os.path.join(ROOT, ".build/debug/mottak"))
# The local stack and its tools: a binary of its own, built beside `mottak` (`swift build` builds both).
MOTTAK_DEV = os.environ.get("MOTTAK_DEV", os.path.join(os.path.dirname(MOTTAK), "mottak-dev"))
ROLES = ["intake", "event-intake", "outbox-relay", "lookup", "router", "nav-channel", "gp-channel",
         "status-updater", "status-query", "sykmelding-ingest"]
BASE_PORT = 18300


class Stack:
    """`mottak-dev stack` and one process per role, each restartable."""

    def __init__(self, work, role_environment):
        self.processes = {}
        self.work = work
        self.env = dict(os.environ)
        self.env_file = os.path.join(work, "stack.env")
        self.role_environment = role_environment

    def start_stack(self):
        """Starts `mottak-dev stack`; role processes get its environment plus `role_environment`."""
        self.stack = subprocess.Popen([MOTTAK_DEV, "stack", "--env-file", self.env_file, "--control-port", str(BASE_PORT - 1)],
                                      cwd=ROOT, env=self.env, stdout=open(os.path.join(self.work, "stack.log"), "a"), stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(self.env_file), 120, f"the stack's environment file (logs in {self.work})")
        for line in open(self.env_file):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            self.env[name] = value.strip("'")
        self.env.update(self.role_environment)
        self.control = self.env["DEV_CONTROL_URL"]

    def start_all(self, sql):
        """The stack, then every role; returns once all are ready and the sykmelding ingest has
        stored the stack's seeded sykmeldinger (so that the first plans find them)."""
        self.start_stack()
        for role in ROLES:
            self.start(role)
        for role in ROLES:
            self.wait_ready(role)
        wait_for(lambda: int(sql("SELECT count(*) FROM sykmelding_period")) >= 3, 60, "the seeded sykmeldinger to be ingested")

    def port(self, role):
        return BASE_PORT + ROLES.index(role)

    def start(self, role):
        env = dict(self.env, APPLICATION_PORT=str(self.port(role)))
        out = open(os.path.join(self.work, f"{role}.log"), "a")
        self.processes[role] = subprocess.Popen([MOTTAK_DEV, "--role", role], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, role, timeout=120):
        url = f"http://127.0.0.1:{self.port(role)}/internal/is_ready"
        wait_for(lambda: http_status("GET", url) == 200, timeout, f"{role} ready (logs in {self.work})")

    def pid(self, role):
        return self.processes[role].pid

    def kill(self, role):
        process = self.processes[role]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_all(self):
        """Stops the roles (SIGINT: a graceful stop), then the stack they use; returns how long
        each role took to stop, in seconds."""
        started = time.monotonic()
        roles = {role: process for role, process in self.processes.items() if process.poll() is None}
        for process in roles.values():
            process.send_signal(signal.SIGINT)
        took = {}
        for role, process in roles.items():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
            took[role] = time.monotonic() - started
        stack = getattr(self, "stack", None)
        if stack and stack.poll() is None:
            stack.send_signal(signal.SIGINT)
            try:
                stack.wait(timeout=40)
            except subprocess.TimeoutExpired:
                stack.kill()
        return took


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sql(query):
    """One statement against DATABASE_URL (the throwaway PostgreSQL), its rows as tab-separated text."""
    psql = os.path.join(os.environ["THROWAWAY_PG_BINDIR"], "psql")
    return subprocess.check_output([psql, "-qtA", "-F", "\t", os.environ["DATABASE_URL"], "-c", query], text=True).strip()


def kafka_records(stack, topic, fmt):
    """Every record on `topic` now, formatted by kcat's `fmt`, one string each."""
    output = subprocess.check_output(["kcat", "-C", "-b", stack.env["KAFKA_BROKERS"], "-t", topic, "-e", "-q", "-f", fmt], timeout=60)
    return [line for line in output.decode(errors="replace").split("\n") if line]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:
            pass
        time.sleep(0.25)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def http_status(method, url, body=None, headers=None, timeout=5):
    return http(method, url, body, headers, timeout)[0]


def http(method, url, body=None, headers=None, timeout=5):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def plan_event(plan_uuid, note):
    """A `followupplan.submitted.v1` event as one line: the example's plan, `note` in its text,
    asking NAV for help as the HTTP example does (so it has all three deliveries: journal post,
    Modia task, GP message)."""
    with open(os.path.join(ROOT, "scripts/examples/followupplan-submitted-v1.json")) as example:
        event = json.load(example)
    event["uuid"] = plan_uuid
    event["plan"]["typicalWorkday"] = f"{note}: {event['plan']['typicalWorkday']}"
    event["plan"].update(needsHelpFromNav=True, needsHelpFromNavDescription="Advice on funding a lifting aid.")
    return json.dumps(event, separators=(",", ":"))


def publish(brokers, topic, records, timeout=120):
    """Produces (key, value) records with kcat; True once the broker acknowledged all of them."""
    lines = "".join(f"{key}\t{value}\n" for key, value in records)
    try:
        result = subprocess.run(["kcat", "-P", "-b", brokers, "-t", topic, "-K", "\t"], input=lines.encode(),
                                timeout=timeout, capture_output=True)
        return result.returncode == 0 and not result.stderr.strip()
    except subprocess.TimeoutExpired:
        return False
