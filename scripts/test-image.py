#!/usr/bin/env python3
"""`make test-image`: the production image (`make image`) run as NAV runs it, against the
local components of `mottak-dev stack` (embedded Kafka, local Maskinporten, NAV's stand-ins)
and the PostgreSQL of DATABASE_URL (the Makefile runs this inside scripts/throwaway-postgres.sh).

What it checks, each a failure when it does not hold:
1. the image: its binary finds every shared library, its librdkafka is the pinned package;
2. every Deployment of deploy/base as its own container (podman, runc, host network), as
   uid 65532 with a read-only root filesystem, no capabilities and no privilege escalation, the
   topics named as on NAIS (`team-esyfo.followupplan-received`, … from deploy/generate.py):
   readiness 200; the migrations applied by the API container, the one with
   MIGRATE_ON_START=true, and by no other; the root filesystem refuses writes;
3. a plan submitted to the API container goes end to end: 200 with isSentToNavStatus and
   isSentToGeneralPractitionerStatus true, and the status resource agrees;
4. SIGTERM (`podman stop`, the pods' 45 s grace) ends every container by itself, exit 0;
5. then the one container NAIS runs (`serve --role all`, deploy/nais/app.yaml) does the same:
   ready, a plan 200 true/true, SIGTERM within the grace period.
Prints RESULT lines. Logs of every container are kept in the work directory it names."""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rolestack import ROOT, http, wait_for  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "deploy"))
import generate  # noqa: E402

IMAGE = os.environ.get("IMAGE_UNDER_TEST", "localhost/oppfolgingsplan-mottak:local")
MOTTAK = os.environ.get("MOTTAK", os.path.join(ROOT, ".build/release/mottak"))
MOTTAK_DEV = os.environ.get("MOTTAK_DEV", os.path.join(os.path.dirname(MOTTAK), "mottak-dev"))
GRACE_SECONDS = 45  # terminationGracePeriodSeconds of deploy/base and deploy/nais
BASE_PORT = 18400
ORG = "123456789"
LIBRDKAFKA = "2.0.2-1"  # the Dockerfile's LIBRDKAFKA_VERSION
PODMAN_ENV = dict(os.environ, CONTAINERS_CONF=os.path.join(ROOT, "scripts/podman/containers.conf"))
WORK = tempfile.mkdtemp(prefix="mottak-image-test.")
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def podman(*args, check_rc=True):
    result = subprocess.run(["podman", *args], env=PODMAN_ENV, capture_output=True, text=True)
    if check_rc and result.returncode != 0:
        raise SystemExit(f"podman {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def sql(query):
    return subprocess.check_output(["psql", os.environ["DATABASE_URL"], "-Atc", query], text=True).strip()


def start_stack(topics):
    env_file = os.path.join(WORK, "stack.env")
    stack = subprocess.Popen([MOTTAK_DEV, "stack", "--env-file", env_file, "--control-port", str(BASE_PORT - 1)], cwd=ROOT,
                             env=dict(os.environ, **topics), stdout=open(os.path.join(WORK, "stack.log"), "w"), stderr=subprocess.STDOUT)
    wait_for(lambda: os.path.exists(env_file), 120, f"the stack (log in {WORK}/stack.log)")
    environment = {}
    for line in open(env_file):
        name, _, value = line.removeprefix("export ").strip().partition("=")
        environment[name] = value.strip("'")
    environment.pop("DEV_CONTROL_URL", None)
    return stack, environment


def run_container(name, role, port, environment, migrate):
    env_file = os.path.join(WORK, f"{name}.env")
    with open(env_file, "w") as handle:
        for key, value in {**environment, "APPLICATION_PORT": str(port), "MIGRATE_ON_START": "true" if migrate else "false"}.items():
            handle.write(f"{key}={value}\n")
    podman("rm", "--force", f"mottak-{name}", check_rc=False)
    podman("run", "--detach", "--name", f"mottak-{name}", "--network", "host", "--user", "65532:65532", "--read-only",
           "--tmpfs", "/tmp:rw,size=64m", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--env-file", env_file,
           IMAGE, "serve", "--role", role)


def ready(port):
    return http("GET", f"http://127.0.0.1:{port}/internal/is_ready")[0] == 200


def logs(name):
    result = podman("logs", f"mottak-{name}", check_rc=False)
    text = result.stdout + result.stderr
    with open(os.path.join(WORK, f"{name}.log"), "w") as handle:
        handle.write(text)
    return text


def submit_plan(port, token):
    """POSTs the example plan and expects the synchronous 200 with both deliveries done. A
    member that has just joined its groups may need longer than the intake's 10 s wait for the
    first plan (the embedded broker's group join takes seconds): then the plan must still get
    through (its status resource), and a second plan must get the 200."""
    with open(os.path.join(ROOT, "scripts/examples/followupplan.json")) as example:
        plan = json.load(example)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post():
        status, body, _ = http("POST", f"http://127.0.0.1:{port}/api/v1/followupplan", json.dumps(plan).encode(),
                               dict(headers, **{"Idempotency-Key": str(uuid.uuid4())}), timeout=70)
        return status, (json.loads(body) if body else {}), body[:200].decode(errors="replace")

    def delivered(answer):
        return answer.get("isSentToNavStatus") is True and answer.get("isSentToGeneralPractitionerStatus") is True

    status, answer, text = post()
    if status == 202:
        def completed():
            code, body, _ = http("GET", f"http://127.0.0.1:{port}/api/v1/followupplan/{answer['uuid']}/sendingstatus", headers=headers)
            return code == 200 and delivered(json.loads(body))
        wait_for(completed, 120, f"plan {answer['uuid']} delivered")
        check(completed(), f"the first plan on port {port} answered 202 and was then delivered to NAV and the GP")
        status, answer, text = post()
    check(status == 200 and delivered(answer), f"a plan submitted to port {port}: {status} {text}")
    if "uuid" in answer:
        code, body, _ = http("GET", f"http://127.0.0.1:{port}/api/v1/followupplan/{answer['uuid']}/sendingstatus", headers=headers)
        check(code == 200 and delivered(json.loads(body)), f"its status resource agrees: {code} {body[:200].decode(errors='replace')}")


def stop(name):
    """SIGTERM, as Kubernetes ends a pod; SIGKILL only after the grace period. Returns seconds and exit code."""
    started = time.monotonic()
    podman("stop", "--time", str(GRACE_SECONDS), f"mottak-{name}", check_rc=False)
    took = time.monotonic() - started
    code = podman("inspect", "--format", "{{.State.ExitCode}}", f"mottak-{name}").stdout.strip()
    return took, code


def main():
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL is not set: run through scripts/throwaway-postgres.sh (make test-image does)")
    if podman("image", "exists", IMAGE, check_rc=False).returncode != 0:
        raise SystemExit(f"no image {IMAGE}: run make image first")
    print(f"image test: {IMAGE}; logs in {WORK}", flush=True)

    # 1. The image itself.
    libraries = podman("run", "--rm", "--network", "none", "--entrypoint", "/usr/bin/ldd", IMAGE, "/app/mottak").stdout
    check("not found" not in libraries and "librdkafka.so.1" in libraries, "the binary finds every shared library (ldd)")
    version = podman("run", "--rm", "--network", "none", "--entrypoint", "/usr/bin/dpkg-query", IMAGE, "-W", "-f", "${Version}",
                     "librdkafka1").stdout.strip()
    check(version == LIBRDKAFKA, f"librdkafka1 {version} is the pinned {LIBRDKAFKA}")
    user = podman("image", "inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip()
    check(user == "65532:65532", f"the image runs as {user}")

    topics = generate.topic_names()
    stack, environment = start_stack(topics)
    names = []
    try:
        migrations = len([name for name in os.listdir(os.path.join(ROOT, "migrations")) if name.endswith(".sql")])
        token = subprocess.check_output([MOTTAK_DEV, "token", "--org", ORG, "--lifetime", "3600"], cwd=ROOT, text=True).strip()

        # 2. One container per Deployment, as deploy/base runs them.
        deployments = [(name, role) for name, role, _, _ in generate.ROLES]
        ports = {name: BASE_PORT + index for index, (name, _) in enumerate(deployments)}
        started = time.monotonic()
        for name, role in deployments:
            run_container(name, role, ports[name], environment, migrate=name == "api")
            names.append(name)
        for name, _ in deployments:
            wait_for(lambda: ready(ports[name]) or podman("inspect", "--format", "{{.State.Running}}", f"mottak-{name}").stdout.strip() != "true",
                     180, f"{name} ready (log in {WORK}/{name}.log)")
            check(ready(ports[name]), f"{name}: readiness 200")
        print(f"RESULT image_roles_ready_seconds={time.monotonic() - started:.1f}", flush=True)
        check(sql("SELECT count(*) FROM schema_migrations") == str(migrations), f"the {migrations} migrations are applied")
        for name, _ in deployments:
            applied = logs(name).count("applied migration")
            check(applied == (migrations if name == "api" else 0), f"{name} applied {applied} migrations")
        write = podman("exec", "mottak-api", "touch", "/app/written", check_rc=False)
        check(write.returncode != 0, "the root filesystem refuses writes")
        uid = podman("exec", "mottak-api", "id", "-u").stdout.strip()
        check(uid == "65532", f"the process runs as uid {uid}")
        check(all(environment.get(variable) == topic for variable, topic in topics.items()),
              f"the containers use NAIS's topic names ({topics['KAFKA_TOPIC_RECEIVED']}, …)")

        # 3. A plan end to end, once the sykmelding ingest has stored the stack's seeded
        # sykmeldinger (the lookup refuses a plan without one).
        wait_for(lambda: int(sql("SELECT count(*) FROM sykmelding_period")) >= 3, 120, "the seeded sykmeldinger to be ingested")
        submit_plan(ports["api"], token)

        # 4. SIGTERM ends each within its grace period.
        with concurrent.futures.ThreadPoolExecutor(len(deployments)) as pool:
            stopped = dict(zip([name for name, _ in deployments], pool.map(stop, [name for name, _ in deployments])))
        for name, (took, code) in stopped.items():
            logs(name)
            check(took < GRACE_SECONDS and code == "0", f"{name} stopped on SIGTERM in {took:.1f} s, exit {code}")
        print("RESULT image_stop_seconds_max=%.1f" % max(took for took, _ in stopped.values()), flush=True)

        # 5. The one container NAIS runs.
        run_container("nais", "all", BASE_PORT + 20, environment, migrate=True)
        names.append("nais")
        wait_for(lambda: ready(BASE_PORT + 20), 180, f"the NAIS container ready (log in {WORK}/nais.log)")
        check(ready(BASE_PORT + 20), "serve --role all (NAIS): readiness 200")
        submit_plan(BASE_PORT + 20, token)
        took, code = stop("nais")
        logs("nais")
        check(took < GRACE_SECONDS and code == "0", f"serve --role all stopped on SIGTERM in {took:.1f} s, exit {code}")
    finally:
        for name in names:
            podman("rm", "--force", f"mottak-{name}", check_rc=False)
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(timeout=40)
        except subprocess.TimeoutExpired:
            stack.kill()
    if failures:
        raise SystemExit(f"image test: {len(failures)} failed (logs in {WORK})")
    print(f"image test: all checks passed (logs in {WORK})")


main()
