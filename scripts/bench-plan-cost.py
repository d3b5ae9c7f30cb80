#!/usr/bin/env python3
"""What one plan costs (make bench-cost): plans POSTed with `Prefer: respond-async` to the release
build on `mottak-dev stack` until COMPLETED, and per plan, over the whole run:

  machine CPU   ms of busy CPU on the whole machine (/proc/stat) divided by the plans, and who
                spent it: the service's processes, PostgreSQL, the stack (embedded broker and
                NAV's stand-ins), the load (curl), the rest;
  statements    pg_stat_statements' calls: top-level (what the service sends) and with the
                nested ones (foreign-key checks, a trigger's statements), the busiest listed;
  transactions  pg_stat_database's commits and rollbacks of the service's database, read once
                they have settled (backends flush them lazily);
  messages      records on every Kafka topic, per topic;
  HTTP calls    requests to each of NAV's stand-ins.

At 0 ms and 200 ms stand-ins, all roles in one process and one process per role. With
BENCH_BASELINE_BIN (a folder holding another build's `mottak` and `mottak-dev`) and
BENCH_BASELINE_MIGRATIONS (its `migrations/`), every scenario runs that build first and then this
one, each in a database of its own on the same server: the before and after of a change, in one
run. Several builds: their folders separated by `:` in both variables (named baseline1, baseline2,
… in the results, in that order). The other baselines,
measured in the same run on the same machine: pgbench (one single-row UPDATE per transaction, 16
clients) and kcat (acknowledged produce and a consume of 500-byte records on the same embedded
broker), each as machine CPU per transaction or message. BENCH_FLAME=1 also records a flame graph
of the busiest role with perf (results/flame-<role>.svg, needs `perf` and FlameGraph's scripts).
BENCH_PLANS sets the plans per run (1,000; more evens out a noisy machine), BENCH_SCENARIOS picks
scenarios and BENCH_ROUNDS interleaves the builds that many times.
Runs inside scripts/throwaway-postgres.sh with pg_stat_statements loaded; ends with RESULT lines."""
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

os.environ.setdefault("MOTTAK", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".build/release/mottak"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("bench_pipeline", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-pipeline.py"))
pipeline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pipeline)
import rolestack  # noqa: E402
from rolestack import MOTTAK, ROOT, http, sql  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
PLANS = int(os.environ.get("BENCH_PLANS", 200 if QUICK else 1000))
APIS = ["azuread", "aareg", "pdl", "krr", "pdfgen", "ereg", "dokarkiv", "isdialogmelding"]
TICKS = os.sysconf("SC_CLK_TCK")
results = []


def result(name, value):
    results.append(f"RESULT {name} {value}")


def machine_busy():
    """Busy seconds of the whole machine so far."""
    return pipeline.cpu_times()[0] / TICKS


def process_seconds():
    """CPU seconds per process group (live processes' own time, plus what PostgreSQL's postmaster
    collected from backends that ended)."""
    groups = {"service": 0.0, "postgres": 0.0, "stack": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                text = stat.read()
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().split(b"\0")
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        own = (int(fields[11]) + int(fields[12])) / TICKS
        reaped = (int(fields[13]) + int(fields[14])) / TICKS
        program = os.path.basename(command[0].decode(errors="replace")) if command and command[0] else name
        if program == "mottak-dev" and b"stack" in command:
            groups["stack"] += own
        elif program in ("mottak-dev", "mottak"):
            groups["service"] += own
        elif name == "postgres" or program == "postgres":
            groups["postgres"] += own + reaped
    return groups


def own_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except OSError:
        return 0.0


def start_profile(pids, data):
    """perf record of `pids` (call graphs through DWARF: Swift's release code keeps no frame
    pointers everywhere), or None when perf is missing or not allowed here."""
    try:
        profile = subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", "dwarf,8192", "-o", data, "-p", ",".join(map(str, pids))],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    time.sleep(1)
    return profile if profile.poll() is None else None


def flame_graph(data, pid, role):
    os.makedirs(os.path.join(ROOT, "results"), exist_ok=True)
    svg = os.path.join(ROOT, "results", f"flame-{role}.svg")
    script = subprocess.Popen(["perf", "script", "-i", data, "--pid", str(pid)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    demangle = subprocess.Popen(["swift", "demangle", "--simplified"], stdin=script.stdout, stdout=subprocess.PIPE)
    with open(svg, "w") as out:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts/flamegraph.py"), f"{role}, 0 ms stand-ins"], stdin=demangle.stdout,
                       stdout=out, check=True, timeout=900)
    print(f"  flame graph of {role}: {svg}")


def load_seconds():
    children = os.times()
    return children.children_user + children.children_system


def topic_counts(run):
    """Records per topic on the stack's broker now."""
    brokers = run.stack.env["KAFKA_BROKERS"]
    listing = json.loads(subprocess.check_output(["kcat", "-b", brokers, "-L", "-J"], timeout=60))
    counts = {}
    for topic in listing.get("topics", []):
        name = topic["topic"]
        if name.startswith("__"):
            continue
        output = subprocess.check_output(["kcat", "-C", "-b", brokers, "-t", name, "-e", "-q", "-f", "x\n"], timeout=120)
        counts[name] = output.count(b"\n")
    return counts


def http_counts(run):
    counts = {}
    for api in APIS:
        status, body, _ = http("GET", f"{run.stack.control}/standins/requests/{api}")
        counts[api] = len(json.loads(body)) if status == 200 else 0
    return counts


def reset_database_statistics():
    sql("SELECT pg_stat_statements_reset()")
    sql("SELECT pg_stat_reset()")


def settled_transactions(ended):
    """pg_stat_database's commits and rollbacks of the run, once they have settled. A backend
    flushes its counters at most once a second, and one that finds the shared lock taken skips
    the flush and tries again only after PostgreSQL's idle interval (PGSTAT_IDLE_INTERVAL, 10 s):
    read 1.5 s after a busy run they lagged by up to a third, and a read that stopped at the
    first quiet 2 s still lagged with one process per role (4.7 per plan beside 7.4 autocommit
    statements). But the idle service keeps polling meanwhile (the outbox relay every 50 ms: ~20
    transactions a second), so a count that waits has that in it. So: read 12 s after the run
    `ended` (every lagging flush is in), then 6 s later for the idle rate, and take that rate
    over the 12 s off the first read. Returns the run's transactions and the idle rate."""
    read = lambda: sum(int(v) for v in sql("SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()").split("\t"))
    time.sleep(max(0.0, ended + 12 - time.time()))
    first_at, first = time.time(), read()
    time.sleep(6)
    idle = (read() - first) / (time.time() - first_at)
    return first - idle * (first_at - ended), idle


def database_statistics():
    time.sleep(1.5)  # backends flush their counters within a second of a transaction's end
    ours = "dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat%'"
    top = int(sql(f"SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE toplevel AND {ours}"))
    nested = int(sql(f"SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE NOT toplevel AND {ours}"))
    busiest = sql(f"""SELECT calls, toplevel, round(total_exec_time::numeric / calls, 3), left(regexp_replace(query, '\\s+', ' ', 'g'), 100)
                      FROM pg_stat_statements WHERE {ours} ORDER BY calls DESC LIMIT 25""")
    execution, planning = sql(f"SELECT coalesce(sum(total_exec_time), 0), coalesce(sum(total_plan_time), 0) FROM pg_stat_statements WHERE toplevel AND {ours}").split("\t")
    return top, nested, busiest, float(execution), float(planning)


def measure(label, key, latency, per_role):
    with pipeline.Run(latency, pipeline.WINDOW, per_role) as run:
        topics_before, calls_before = topic_counts(run), http_counts(run)
        reset_database_statistics()
        roles_before = {role: own_seconds(pid) for role, pid in run.pids().items()}
        profile = None
        if per_role and latency == 0 and os.environ.get("BENCH_FLAME") == "1":
            data = os.path.join(run.work, "perf.data")
            profile = start_profile(run.pids().values(), data)
        busy_before, groups_before, load_before, started = machine_busy(), process_seconds(), load_seconds(), time.monotonic()
        codes = [code for code, _ in run.submit(PLANS)]
        if codes.count(202) != PLANS:
            raise SystemExit(f"submissions failed: { {c: codes.count(c) for c in set(codes)} }")
        run.wait_completed(PLANS)
        ended = time.time()
        busy_after, groups_after, load_after, elapsed = machine_busy(), process_seconds(), load_seconds(), time.monotonic() - started
        roles = {role: (own_seconds(pid) - roles_before[role]) * 1000 / PLANS for role, pid in run.pids().items()}
        if profile:
            profile.send_signal(signal.SIGINT)
            profile.wait(timeout=120)
            busiest = max(roles, key=roles.get)
            flame_graph(data, run.pids()[busiest], busiest)
        plans, span, p50, p99 = run.stats()
        top, nested, busiest, execution, planning = database_statistics()
        transactions, idle_transactions = settled_transactions(ended)
        topics_after, calls_after = topic_counts(run), http_counts(run)
    cpu = (busy_after - busy_before) * 1000 / PLANS
    shares = {name: (groups_after[name] - groups_before[name]) * 1000 / PLANS for name in groups_after}
    shares["load (curl)"] = (load_after - load_before) * 1000 / PLANS
    shares["rest"] = cpu - sum(shares.values())
    messages = {name: topics_after.get(name, 0) - topics_before.get(name, 0) for name in topics_after}
    calls = {api: calls_after[api] - calls_before[api] for api in APIS}
    print(f"\n## {label}: {PLANS} plans, {plans / span:.1f} plans/s (p50 {p50:.2f} s, p99 {p99:.2f} s), {elapsed:.1f} s wall")
    print(f"  machine CPU per plan: {cpu:.2f} ms  (" + ", ".join(f"{name} {value:.2f}" for name, value in shares.items()) + ")")
    if len(roles) > 1:
        print("  CPU per plan by role: " + ", ".join(f"{role} {value:.2f}" for role, value in sorted(roles.items(), key=lambda r: -r[1])))
    print(f"  statements per plan: {top / PLANS:.2f} top-level, {(top + nested) / PLANS:.2f} with nested; transactions per plan: {transactions / PLANS:.2f} (the idle service's own, taken off: {idle_transactions:.0f} a second)")
    print(f"  PostgreSQL's time in the statements per plan: {execution / PLANS:.2f} ms executing, {planning / PLANS:.2f} ms planning")
    print(f"  Kafka messages per plan: {sum(messages.values()) / PLANS:.2f}  (" + ", ".join(f"{t} {n / PLANS:.2f}" for t, n in sorted(messages.items()) if n) + ")")
    print(f"  HTTP calls per plan: {sum(calls.values()) / PLANS:.2f}  (" + ", ".join(f"{a} {n / PLANS:.2f}" for a, n in calls.items() if n) + ")")
    print("  busiest statements (calls per plan, top-level or nested, mean ms in the server):")
    for line in busiest.splitlines():
        count, toplevel, mean, query = line.split("\t", 3)
        print(f"    {int(count) / PLANS:6.2f} {'top ' if toplevel == 't' else 'nest'} {float(mean):7.3f} {query}")
    result(f"cost_{key}_plans_per_s", f"{plans / span:.1f}")
    result(f"cost_{key}_cpu_ms_per_plan", f"{cpu:.2f}")
    result(f"cost_{key}_statements_per_plan", f"{top / PLANS:.2f}")
    result(f"cost_{key}_statements_with_nested_per_plan", f"{(top + nested) / PLANS:.2f}")
    result(f"cost_{key}_transactions_per_plan", f"{transactions / PLANS:.2f}")
    result(f"cost_{key}_kafka_messages_per_plan", f"{sum(messages.values()) / PLANS:.2f}")
    result(f"cost_{key}_http_calls_per_plan", f"{sum(calls.values()) / PLANS:.2f}")
    return top, transactions, sum(messages.values())


def pgbench_baseline():
    """Machine CPU per single-statement transaction (a one-row UPDATE by primary key)."""
    sql("DROP TABLE IF EXISTS bench_cost_row; CREATE TABLE bench_cost_row (id int PRIMARY KEY, n bigint NOT NULL)")
    sql("INSERT INTO bench_cost_row SELECT g, 0 FROM generate_series(1, 1000) g")
    script = "/tmp/bench-cost-pgbench.sql"
    with open(script, "w") as out:
        out.write("\\set id random(1, 1000)\nUPDATE bench_cost_row SET n = n + 1 WHERE id = :id;\n")
    busy = machine_busy()
    output = subprocess.check_output(["pgbench", "-n", "-M", "prepared", "-c", "16", "-j", "2", "-T", "10", "-f", script, os.environ["DATABASE_URL"]],
                                     text=True, stderr=subprocess.STDOUT)
    busy = machine_busy() - busy
    transactions = int(next(line for line in output.splitlines() if "number of transactions actually processed" in line).split(":")[1].split("/")[0])
    sql("DROP TABLE bench_cost_row")
    per = busy * 1000 / transactions
    print(f"\npgbench baseline: {transactions / 10:.0f} single-row UPDATE transactions/s, {per:.3f} ms machine CPU each")
    result("cost_baseline_pgbench_cpu_ms_per_transaction", f"{per:.3f}")
    return per


def kcat_baseline():
    """Machine CPU per Kafka message produced (acks=all) and consumed once, on the embedded broker
    of `mottak-dev stack` with no role running (a role would consume the records, as poison)."""
    count = 20000
    work = subprocess.check_output(["mktemp", "-d", "/tmp/mottak-bench-kcat.XXXXXX"], text=True).strip()
    stack = rolestack.Stack(work, {})
    try:
        stack.start_stack()
        brokers = stack.env["KAFKA_BROKERS"]
        payload = "".join(f"key-{i}\t{'x' * 500}\n" for i in range(count)).encode()
        busy = machine_busy()
        subprocess.run(["kcat", "-P", "-b", brokers, "-t", "followupplan.received", "-K", "\t", "-X", "acks=all"], input=payload, check=True, timeout=300)
        consumed = subprocess.check_output(["kcat", "-C", "-b", brokers, "-t", "followupplan.received", "-e", "-q", "-f", "x\n"], timeout=300).count(b"\n")
        busy = machine_busy() - busy
    finally:
        stack.stop_all()
    per = busy * 1000 / count
    print(f"kcat baseline: {count} messages of 500 bytes produced and {consumed} consumed, {per:.3f} ms machine CPU per message")
    result("cost_baseline_kcat_cpu_ms_per_message", f"{per:.3f}")
    return per


SERVER_URL = os.environ["DATABASE_URL"]


def use_build(name, directory, migrations):
    """Points the stack at build `name` (its binaries in `directory`) and a database of its own,
    created and migrated on first use."""
    database = f"cost_{name}"
    url = urllib.parse.urlsplit(SERVER_URL)._replace(path=f"/{database}").geturl()
    os.environ["DATABASE_URL"] = SERVER_URL
    if not sql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):
        sql(f"CREATE DATABASE {database}")
    os.environ["DATABASE_URL"] = url
    os.environ["MIGRATIONS_DIR"] = migrations
    rolestack.MOTTAK_DEV = pipeline.MOTTAK_DEV = os.path.join(directory, "mottak-dev")
    subprocess.check_call([os.path.join(directory, "mottak"), "migrate"], cwd=ROOT, stdout=subprocess.DEVNULL)
    sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def main():
    builds = [("current", os.path.dirname(MOTTAK), os.path.join(ROOT, "migrations"))]
    if os.environ.get("BENCH_BASELINE_BIN"):
        folders = os.environ["BENCH_BASELINE_BIN"].split(":")
        migrations = os.environ["BENCH_BASELINE_MIGRATIONS"].split(":")
        if len(folders) != len(migrations):
            sys.exit("BENCH_BASELINE_BIN and BENCH_BASELINE_MIGRATIONS need as many folders each")
        names = ["baseline"] if len(folders) == 1 else [f"baseline{n}" for n in range(1, len(folders) + 1)]
        builds[:0] = list(zip(names, folders, migrations))
    use_build(*builds[-1])
    statement_cost = pgbench_baseline()
    message_cost = kcat_baseline()
    scenarios = [("0 ms, every role in one process", "0ms_one_process", 0, False),
                 ("0 ms, one process per role", "0ms_process_per_role", 0, True),
                 ("200 ms, every role in one process", "200ms_one_process", 200, False),
                 ("200 ms, one process per role", "200ms_process_per_role", 200, True)]
    if QUICK:
        scenarios = scenarios[:1]
    if os.environ.get("BENCH_SCENARIOS"):  # e.g. "0ms_one_process,0ms_process_per_role"
        scenarios = [scenario for scenario in scenarios if scenario[1] in os.environ["BENCH_SCENARIOS"].split(",")]
    rounds = int(os.environ.get("BENCH_ROUNDS", "1"))  # the builds interleaved, this many times
    scenarios = [scenario for scenario in scenarios for _ in range(rounds)]
    for label, key, latency, per_role in scenarios:
        for build in builds:
            use_build(*build)
            prefix = f"{build[0]}_" if len(builds) > 1 else ""
            statements, transactions, messages = measure(f"{label} ({build[0]} build)", prefix + key, latency, per_role)
            floor = (statements * statement_cost + messages * message_cost) / PLANS
            print(f"  the baselines' cost of those statements and messages: {floor:.2f} ms per plan")
    print()
    print("\n".join(results))


if __name__ == "__main__":
    main()
