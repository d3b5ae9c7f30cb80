#!/usr/bin/env python3
"""The pipeline benchmark (make bench-pipeline): plans from POST to COMPLETED on `mottak-dev
stack` (embedded Kafka, stand-ins of NAV's APIs answering after LOCAL_STANDINS_LATENCY_MS) and
the PostgreSQL of DATABASE_URL, with the release build. Each measurement has the key-ordered
concurrent consumers (CONSUMER_MAX_IN_FLIGHT, default 256) and, as the baseline measured in the
same run, the one-at-a-time loop (CONSUMER_MAX_IN_FLIGHT=1):

  throughput   plans/s, submitted with Prefer: respond-async, at 0 ms (every role in one
               process, and one process per role with RSS per role), 20 ms and 200 ms;
  burst        1,000 synchronous POSTs at once with 200 ms stand-ins: how many get their 200
               (answered within SUBMISSION_WAIT), p50/p99 POST time;
  head-of-line one plan's dokarkiv call fails for 60 s while 1,000 others flow (20 ms): p50/p99
               POST -> COMPLETED of the others, against the same run without the failure;
  tuning       librdkafka's Nagle and linger.ms against our defaults, two interleaved rounds.

Times come from the status table (received_at .. updated_at of COMPLETED plans). Runs inside
scripts/throwaway-postgres.sh; ends with RESULT lines. BENCH_QUICK=1 runs smaller counts."""
import os
import signal
import subprocess
import sys
import threading
import time

os.environ.setdefault("MOTTAK", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".build/release/mottak"))
from rolestack import MOTTAK, MOTTAK_DEV, ROLES, ROOT, Stack, http, wait_for  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
PLANS = 200 if QUICK else 1000
BODY = open(os.path.join(ROOT, "scripts/examples/followupplan.json")).read()
STUCK_EMPLOYEE = "06069012345"  # a ready fixture person other than the example's
ALL_IN_ONE_PORT = 18290
WINDOW = 256  # CONSUMER_MAX_IN_FLIGHT's default
results = []


def sql(query):
    return subprocess.check_output(["psql", "-qtA", os.environ["DATABASE_URL"], "-c", query], text=True,
                                   env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning")).strip()


def result(name, value):
    results.append(f"RESULT {name} {value}")
    print(f"  {name} = {value}", flush=True)


def cpu_times():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Run:
    """A stack at one latency, with either every role in one process or one process per role."""

    def __init__(self, latency_ms, in_flight, per_role=False, extra=None):
        self.work = subprocess.check_output(["mktemp", "-d", "/tmp/mottak-bench-pipeline.XXXXXX"], text=True).strip()
        self.stack = Stack(self.work, {"LOG_LEVEL": "warning", "LOG_FORMAT": "text", "CONSUMER_MAX_IN_FLIGHT": str(in_flight), **(extra or {})})
        self.stack.env["LOCAL_STANDINS_LATENCY_MS"] = str(latency_ms)
        self.per_role = per_role
        self.all_in_one = None

    def __enter__(self):
        sql("TRUNCATE followup_plan, outbox, idempotency_key, sykmelding_period, processed_step, plan_pdf_lease CASCADE")
        if self.per_role:
            self.stack.start_all(sql)
            self.port = self.stack.port("intake")
        else:
            self.stack.start_stack()
            env = dict(self.stack.env, APPLICATION_PORT=str(ALL_IN_ONE_PORT))
            self.all_in_one = subprocess.Popen([MOTTAK_DEV, "--role", "all"], cwd=ROOT, env=env,
                                               stdout=open(os.path.join(self.work, "all.log"), "a"), stderr=subprocess.STDOUT)
            self.port = ALL_IN_ONE_PORT
            wait_for(lambda: http("GET", f"http://127.0.0.1:{self.port}/internal/is_ready")[0] == 200, 120, "the process ready")
            wait_for(lambda: int(sql("SELECT count(*) FROM sykmelding_period")) >= 3, 60, "the seeded sykmeldinger")
        self.token = subprocess.check_output([MOTTAK_DEV, "token", "--org", "123456789", "--lifetime", "7200"], cwd=ROOT, text=True).strip()
        time.sleep(3)  # group joins settle
        return self

    def __exit__(self, *_):
        if self.all_in_one and self.all_in_one.poll() is None:
            self.all_in_one.send_signal(signal.SIGINT)
            try:
                self.all_in_one.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.all_in_one.kill()
        self.stack.stop_all()

    def pids(self):
        if self.all_in_one:
            return {"all": self.all_in_one.pid}
        return {role: self.stack.pid(role) for role in ROLES}

    def submit(self, count, synchronous=False, parallel=16, body=BODY):
        """POSTs `count` plans with curl (one process, `parallel` transfers at once); returns
        [(status, seconds)]."""
        config = os.path.join(self.work, "curl.cfg")
        with open(config, "w") as out:
            data = body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            for index in range(count):
                if index:
                    out.write("next\n")
                out.write(f'url = "http://127.0.0.1:{self.port}/api/v1/followupplan"\n')
                out.write(f'header = "Authorization: Bearer {self.token}"\nheader = "Content-Type: application/json"\n')
                if not synchronous:
                    out.write('header = "Prefer: respond-async"\n')
                out.write(f'data = "{data}"\noutput = "/dev/null"\nwrite-out = "%{{http_code}} %{{time_total}}\\n"\n')
        lines = subprocess.check_output(["curl", "-s", "--no-progress-meter", "-Z", "--parallel-max", str(parallel), "-K", config], text=True, timeout=600).split()
        return [(int(lines[i]), float(lines[i + 1])) for i in range(0, len(lines), 2)]

    def wait_completed(self, count, timeout=900, exclude=None):
        condition = f"AND p.employee_identification_number <> '{exclude}'" if exclude else ""
        query = f"SELECT count(*) FROM plan_status s JOIN followup_plan p ON p.uuid = s.plan_uuid WHERE s.state = 'COMPLETED' {condition}"
        wait_for(lambda: int(sql(query)) >= count, timeout, f"{count} plans COMPLETED (logs in {self.work})")

    def stats(self, exclude=None):
        """plans, seconds from the first receipt to the last completion, p50 and p99 POST -> COMPLETED."""
        condition = f"AND p.employee_identification_number <> '{exclude}'" if exclude else ""
        row = sql(f"""
            SELECT count(*), extract(epoch FROM max(s.updated_at) - min(s.received_at)),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.updated_at - s.received_at)),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM s.updated_at - s.received_at))
            FROM plan_status s JOIN followup_plan p ON p.uuid = s.plan_uuid WHERE s.state = 'COMPLETED' {condition}""")
        count, span, p50, p99 = row.split("|")
        return int(count), float(span), float(p50), float(p99)

    def throughput(self, count):
        codes = [code for code, _ in self.submit(count)]
        if codes.count(202) != count:
            raise SystemExit(f"submissions failed: { {c: codes.count(c) for c in set(codes)} }")
        self.wait_completed(count)
        plans, span, p50, p99 = self.stats()
        return plans / span, p50, p99


def throughput(label, latency, in_flight, count, per_role=False, extra=None):
    with Run(latency, in_flight, per_role, extra) as run:
        peaks = {name: 0.0 for name in run.pids()}
        done = threading.Event()

        def sample():
            while not done.is_set():
                for name, pid in run.pids().items():
                    peaks[name] = max(peaks[name], rss_mib(pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        busy_before, total_before = cpu_times()
        rate, p50, p99 = run.throughput(count)
        busy_after, total_after = cpu_times()
        done.set()
        sampler.join()
    busy = 100 * (busy_after - busy_before) / max(1, total_after - total_before)
    print(f"{label}: {rate:.1f} plans/s (p50 {p50:.2f} s, p99 {p99:.2f} s; machine CPU {busy:.0f} % busy)", flush=True)
    throughput.last_cpu = busy
    throughput.last_latency = (p50, p99)
    return rate, peaks


def burst(latency, in_flight, count):
    with Run(latency, in_flight) as run:
        answers = run.submit(count, synchronous=True, parallel=min(count, 200))
        run.wait_completed(count)
    times = sorted(seconds for _, seconds in answers)
    ok = sum(1 for code, _ in answers if code == 200)
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"burst of {count} synchronous POSTs at {latency} ms, in flight {in_flight}: {ok} answered 200, "
          f"POST p50 {p50:.2f} s, p99 {p99:.2f} s", flush=True)
    return ok, p50, p99


def head_of_line(in_flight, count, failing):
    with Run(20, in_flight) as run:
        if failing:
            stuck_body = BODY.replace('"01019012345"', f'"{STUCK_EMPLOYEE}"')
            http("PUT", f"{run.stack.control}/standins/dokarkiv/failure?status=503&match={STUCK_EMPLOYEE}")
            run.submit(1, body=stuck_body)
            time.sleep(1)  # its dokarkiv call is failing before the others arrive
            release = threading.Timer(60, lambda: http("DELETE", f"{run.stack.control}/standins/failures"))
            release.start()
        started = time.monotonic()
        run.submit(count)
        run.wait_completed(count, exclude=STUCK_EMPLOYEE)
        elapsed = time.monotonic() - started
        _, _, p50, p99 = run.stats(exclude=STUCK_EMPLOYEE)
        if failing:
            release.cancel()
    print(f"head-of-line, in flight {in_flight}, {'one plan failing 60 s' if failing else 'no failure'}: "
          f"{count} others in {elapsed:.1f} s, p50 {p50:.2f} s, p99 {p99:.2f} s", flush=True)
    return p50, p99


def main():
    subprocess.check_call([MOTTAK, "migrate"], cwd=ROOT, stdout=subprocess.DEVNULL)
    baseline_zero, _ = throughput("0 ms, all roles in one process, one at a time (baseline)", 0, 1, PLANS // 2)
    zero, _ = throughput("0 ms, all roles in one process, key-ordered concurrent", 0, WINDOW, PLANS)
    result("pipeline_plans_per_s_0ms_one_process_baseline", f"{baseline_zero:.1f}")
    result("pipeline_plans_per_s_0ms_one_process", f"{zero:.1f}")
    result("pipeline_cpu_busy_percent_0ms_one_process", f"{throughput.last_cpu:.0f}")
    per_role, peaks = throughput("0 ms, one process per role, key-ordered concurrent", 0, WINDOW, PLANS, per_role=True)
    result("pipeline_plans_per_s_0ms_process_per_role", f"{per_role:.1f}")
    for role, peak in sorted(peaks.items()):
        result(f"pipeline_rss_peak_mib_{role.replace('-', '_')}", f"{peak:.0f}")

    baseline20, _ = throughput("20 ms, one member per group, one at a time (baseline)", 20, 1, PLANS // 5)
    twenty, _ = throughput("20 ms, one member per group, key-ordered concurrent", 20, WINDOW, PLANS)
    result("pipeline_plans_per_s_20ms_baseline", f"{baseline20:.1f}")
    result("pipeline_plans_per_s_20ms", f"{twenty:.1f}")
    baseline200, _ = throughput("200 ms, one member per group, one at a time (baseline)", 200, 1, 40)
    two_hundred, _ = throughput("200 ms, one member per group, key-ordered concurrent", 200, WINDOW, PLANS)
    result("pipeline_plans_per_s_200ms_baseline", f"{baseline200:.1f}")
    result("pipeline_plans_per_s_200ms", f"{two_hundred:.1f}")

    ok, p50, p99 = burst(200, WINDOW, PLANS)
    result("pipeline_burst_200ms_sync_answered_200", f"{ok}/{PLANS}")
    result("pipeline_burst_200ms_post_p99_s", f"{p99:.2f}")
    baseline_ok, _, baseline_p99 = burst(200, 1, 50)
    result("pipeline_burst_200ms_sync_answered_200_baseline", f"{baseline_ok}/50")

    calm = head_of_line(WINDOW, PLANS, failing=False)
    stuck = head_of_line(WINDOW, PLANS, failing=True)
    result("pipeline_hol_others_p50_p99_s_no_failure", f"{calm[0]:.2f}/{calm[1]:.2f}")
    result("pipeline_hol_others_p50_p99_s_one_failing", f"{stuck[0]:.2f}/{stuck[1]:.2f}")
    result("pipeline_hol_p99_ratio", f"{stuck[1] / calm[1]:.2f}")
    baseline_stuck = head_of_line(1, PLANS // 5, failing=True)
    result("pipeline_hol_others_p50_p99_s_one_failing_baseline", f"{baseline_stuck[0]:.2f}/{baseline_stuck[1]:.2f}")

    # librdkafka settings against our defaults (Nagle off, librdkafka's linger.ms of 5), at
    # 20 ms stand-ins where a plan's six acknowledged produces are part of its latency; two
    # interleaved rounds, since one run varies by some 15 %.
    settings = [("defaults", {}), ("nagle_on", {"KAFKA_PROPERTIES": "socket.nagle.disable=false"}),
                ("linger_0", {"KAFKA_PRODUCER_PROPERTIES": "linger.ms=0"}), ("linger_20", {"KAFKA_PRODUCER_PROPERTIES": "linger.ms=20"})]
    measured = {name: [] for name, _ in settings}
    for _ in range(2):
        for name, extra in settings:
            rate, _ = throughput(f"20 ms, {name}", 20, WINDOW, PLANS // 2, extra=extra)
            measured[name].append(f"{rate:.0f}@{throughput.last_latency[0]:.2f}s")
    for name, runs in measured.items():
        result(f"pipeline_tuning_{name}_plans_per_s_at_p50", " ".join(runs))
    print()
    print("\n".join(results))


if __name__ == "__main__":
    main()
