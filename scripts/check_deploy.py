#!/usr/bin/env python3
"""Checks of deploy/ that a schema cannot make (run by scripts/validate-deploy.sh, part of
`make test`): what the manifests promise must match the code, and the NAIS manifests must
follow NAIS's rules, so that a defect fails the build instead of a deploy.

Usage: check_deploy.py <rendered overlay as JSON lines> ... (one file per overlay)

NAIS's rules, with their sources (nais/doc and nais/liberator; see docs/operations.md, "Deploying on NAIS"):
- an Application's Cloud SQL instance is reachable by that Application only
  (docs/persistence/cloudsql/reference: "Other applications can not connect");
- a Topic `<name>` in namespace `<ns>` is the Kafka topic `<ns>.<name>`;
- an exposed Maskinporten scope is `nav:<product><separator><name>` (digdirator_types.go);
- NAV's services admit callers by application name (domain-reference 13.2): the only name they
  know is the existing service's, `lps-oppfolgingsplan-mottak`;
- alerts are routed by their `namespace` label (docs/observability/alerting/reference/prometheusrule.md)."""
import json
import os
import re
import sys

# CHECK_DEPLOY_ROOT: another tree to check (scripts/check_deploy_defects.py puts each known
# defect back in a copy and expects this script to refuse it).
ROOT = os.environ.get("CHECK_DEPLOY_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAIS = os.path.join(ROOT, "deploy", "nais")
# The identity NAV's services admit (isdialogmelding's allow-list, syfooppdfgen's inbound rules,
# the Modia topic's write ACL, the pre-authorisation of PDL, Aareg, Ereg and dokarkiv, the
# sykmelding topic's read ACL): domain-reference 13.2.
ADMITTED_APP = "lps-oppfolgingsplan-mottak"
NAMESPACE = "team-esyfo"
# Topics other teams own, as they are named on Aiven (domain-reference 5.2 and 5.3).
FOREIGN_TOPICS = {"sendtSykmelding": "teamsykmelding.syfo-sendt-sykmelding", "modiaTask": "team-esyfo.aapen-syfo-oppfolgingsplan-lps-nav-v2"}
# What NAIS puts in a pod's environment, per feature (nais/doc: persistence/kafka/reference/
# environment-variables.md, auth/entra-id/reference, auth/maskinporten/reference,
# persistence/cloudsql/reference; AZURE_APP_CLIENT_SECRET and AZURE_OPENID_CONFIG_TOKEN_ENDPOINT
# are what the existing service reads today, domain-reference 7.1).
INJECTED = {
    "always": {"NAIS_APP_NAME", "NAIS_NAMESPACE", "NAIS_CLUSTER_NAME", "NAIS_APP_IMAGE", "HOSTNAME"},
    "kafka": {"KAFKA_BROKERS", "KAFKA_CA", "KAFKA_CA_PATH", "KAFKA_CERTIFICATE", "KAFKA_CERTIFICATE_PATH", "KAFKA_PRIVATE_KEY",
              "KAFKA_PRIVATE_KEY_PATH", "KAFKA_CREDSTORE_PASSWORD", "KAFKA_KEYSTORE_PATH", "KAFKA_TRUSTSTORE_PATH"},
    "azure": {"AZURE_APP_CLIENT_ID", "AZURE_APP_CLIENT_SECRET", "AZURE_APP_WELL_KNOWN_URL", "AZURE_OPENID_CONFIG_ISSUER",
              "AZURE_OPENID_CONFIG_JWKS_URI", "AZURE_OPENID_CONFIG_TOKEN_ENDPOINT"},
    "maskinporten": {"MASKINPORTEN_WELL_KNOWN_URL", "MASKINPORTEN_ISSUER", "MASKINPORTEN_JWKS_URI"},
}
SQL_SUFFIXES = ["HOST", "PORT", "DATABASE", "USERNAME", "PASSWORD", "URL", "JDBC_URL", "SSLROOTCERT", "SSLCERT", "SSLKEY", "SSLKEY_PK8", "SSLMODE"]
problems = []


def fail(message):
    problems.append(message)


def source(path):
    with open(os.path.join(ROOT, path)) as handle:
        return handle.read()


def swift_sources():
    for folder, _, names in os.walk(os.path.join(ROOT, "Sources")):
        if "Resources" in folder:
            continue
        for name in names:
            if name.endswith(".swift"):
                with open(os.path.join(folder, name)) as handle:
                    yield handle.read()


# ---------------------------------------------------------------------------------------------
# What the code says.
role_swift = source("Sources/MottakApp/Roles/Role.swift")
roles = set(re.findall(r'case \w+ = "([a-z-]+)"', role_swift)) | set(re.findall(r"^\s+case (intake|lookup|router)$", role_swift, re.M))
topics_swift = source("Sources/Domain/EventTopics.swift")
# KAFKA_TOPIC_* variable -> (property, owned)
topic_variables = {name: (prop, owned == "true") for name, owned, prop in re.findall(r'\("(KAFKA_TOPIC_\w+)", (true|false), \\\.(\w+)\)', topics_swift)}
local_block = topics_swift.split("static let local = EventTopics(")[1].split(")")[0]
local_names = dict(re.findall(r'(\w+): "([^"]+)"', local_block))
partitions_by_property = {prop: int(count) for prop, count in re.findall(r"topics\.(\w+), partitions: (\d+)", source("Sources/MottakApp/TopicPartitions.swift"))}
owned_properties = {prop for prop, owned in topic_variables.values() if owned}
variable_of = {prop: name for name, (prop, _) in topic_variables.items()}
all_swift = list(swift_sources())
metric_names = set().union(*(re.findall(r'"(mottak_[a-z_]+)"', text) for text in all_swift))
module_groups = {}
for text in all_swift:
    match = re.search(r"public enum (\w+)[^{]*\{[^}]*?public static let consumerGroup = \"([^\"]+)\"", text, re.S)
    if match:
        module_groups[match.group(1)] = match.group(2)
# consumer group -> the topic property it consumes, as each feature declares its role
# (`<Module>.role(…)` in Sources/<Module>/<Module>.swift: `consumerGroup: consumerGroup, topic: context.topics.<property>`).
consumed = {}
for module, group in module_groups.items():
    if not os.path.exists(os.path.join(ROOT, f"Sources/{module}/{module}.swift")):
        continue  # an enum with a consumerGroup constant that is not a role module (dead-letter headers)
    declared = re.findall(r"consumerGroup: consumerGroup, topic: context\.topics\.(\w+)", source(f"Sources/{module}/{module}.swift"))
    if len(declared) != 1:
        fail(f"Sources/{module}/{module}.swift: expected one declared role reading one topic, found {declared}")
    else:
        consumed[group] = declared[0]
serves_modia_routes = any('plansPath = "/api/internad/v1/oppfolgingsplan/lps"' in text for text in all_swift)
configuration_swift = "".join(source(os.path.join("Sources/MottakApp/Configuration", name)) for name in sorted(os.listdir(os.path.join(ROOT, "Sources/MottakApp/Configuration"))))
scope_default = re.search(r'"MASKINPORTEN_CUSTOM_SCOPE_NAME"\) \?\? "([^"]+)"', configuration_swift).group(1)
# Every variable `serve` may refuse to start without (`throw .missing("…")`), and the NAIS
# database group the code reads.
required_variables = set(re.findall(r'\.missing\("(\w+)"', configuration_swift))
required_variables |= {name for name, (_, owned) in topic_variables.items() if owned}
database_prefix = "GCP_DB"
required_variables |= {f"{database_prefix}_{suffix}" for suffix in ("HOST", "PORT", "DATABASE", "USERNAME", "PASSWORD")}
if not consumed or not topic_variables or not local_names or not partitions_by_property:
    fail("check_deploy.py no longer understands the Swift sources it reads (EventTopics, TopicPartitions, MottakApplication)")


def pool_size(env, default=10):
    return int(env.get("DATABASE_MAX_CONNECTIONS", default))


# ---------------------------------------------------------------------------------------------
# Plain Kubernetes (deploy/base + overlays).
def check_overlay(path):
    with open(path) as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    name_of_file = os.path.basename(path)
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    config = {}
    for config_map in by_kind.get("ConfigMap", []):
        config.update(config_map.get("data", {}))
    deployments = {d["metadata"]["name"]: d for d in by_kind.get("Deployment", [])}
    served_roles = set()
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        where = f"{name_of_file}: Deployment {name}"
        if container["image"].endswith(":latest") or ":" not in container["image"].rsplit("/", 1)[-1] and "@" not in container["image"]:
            fail(f"{where}: image {container['image']} must name a tag or digest, never latest")
        args = container.get("args", [])
        if args[:2] != ["serve", "--role"]:
            fail(f"{where} does not run `serve --role`")
        else:
            served_roles |= set(args[2].split(","))
        internal = str(config.get("INTERNAL_PORT", ""))
        ports = {p.get("name"): str(p.get("containerPort")) for p in container.get("ports", [])}
        if not internal or internal == str(config.get("APPLICATION_PORT", "8080")):
            fail(f"{where}: INTERNAL_PORT must give the probes and metrics a port of their own, not the API's")
        elif ports.get("internal") != internal:
            fail(f"{where}: the container must name INTERNAL_PORT {internal} as port 'internal'")
        for probe, route in (("livenessProbe", "/internal/is_alive"), ("readinessProbe", "/internal/is_ready"), ("startupProbe", "/internal/is_alive")):
            get = container.get(probe, {}).get("httpGet", {})
            if get.get("path") != route:
                fail(f"{where}: {probe} must GET {route}")
            if str(ports.get(get.get("port"), get.get("port"))) != internal:
                fail(f"{where}: {probe} must use the internal port ({internal}), not the API's")
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/port") != internal:
            fail(f"{where}: Prometheus must scrape the internal port ({internal})")
        security = container.get("securityContext", {})
        if not (security.get("runAsNonRoot") and security.get("readOnlyRootFilesystem") and security.get("allowPrivilegeEscalation") is False
                and security.get("capabilities", {}).get("drop") == ["ALL"]):
            fail(f"{where}: container must run as non-root, read-only, without privilege escalation or capabilities")
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            fail(f"{where}: pod must run as non-root")
        resources = container.get("resources", {})
        if not resources.get("requests", {}).get("cpu") or not resources.get("limits", {}).get("memory"):
            fail(f"{where}: needs a CPU request and a memory limit")
        selector = deployment["spec"]["selector"]["matchLabels"]
        if not any(p["spec"]["selector"]["matchLabels"] == selector for p in by_kind.get("PodDisruptionBudget", [])):
            fail(f"{where} has no PodDisruptionBudget")
    if served_roles != roles:
        fail(f"{name_of_file}: the Deployments run roles {sorted(served_roles)}, the binary has {sorted(roles)}")

    topic_names = effective_topics(config, f"{name_of_file}: ConfigMap")
    check_topics(by_kind.get("Topic", []), topic_names, "oppfolgingsplan-mottak", name_of_file)
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in by_kind.get("ScaledObject", [])}
    for name, deployment in deployments.items():
        role = deployment["spec"]["template"]["spec"]["containers"][0]["args"][2]
        consumer = role not in ("intake,status-query", "outbox-relay")
        if consumer and name not in scaled:
            fail(f"Deployment {name} consumes Kafka but has no ScaledObject")
        if consumer and "replicas" in deployment["spec"]:
            fail(f"Deployment {name} is scaled by KEDA and must not fix replicas")
    for target, scaled_object in scaled.items():
        if target not in deployments:
            fail(f"ScaledObject {scaled_object['metadata']['name']} targets a missing Deployment {target}")
        trigger = scaled_object["spec"]["triggers"][0]["metadata"]
        group = trigger["consumerGroup"]
        if group not in consumed:
            fail(f"ScaledObject for {target}: consumer group {group} is none of the code's {sorted(consumed)}")
            continue
        prop = consumed[group]
        if trigger["topic"] != topic_names.get(prop):
            fail(f"ScaledObject for {target}: group {group} consumes {topic_names.get(prop)}, the trigger watches {trigger['topic']}")
        if scaled_object["spec"]["maxReplicaCount"] > partitions_by_property[prop]:
            fail(f"ScaledObject for {target}: {scaled_object['spec']['maxReplicaCount']} replicas for {partitions_by_property[prop]} partitions")
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        if hpa["spec"]["scaleTargetRef"]["name"] not in deployments:
            fail(f"HPA {hpa['metadata']['name']} targets a missing Deployment")
    check_alerts(by_kind.get("PrometheusRule", []), name_of_file)


def effective_topics(env, where):
    """The topic names the code will use with this environment (its defaults where unset)."""
    names = {}
    for variable, (prop, owned) in topic_variables.items():
        names[prop] = env.get(variable) or local_names[prop]
        if owned and variable not in env:
            fail(f"{where} does not set {variable}: on NAIS the topic is team-esyfo.<name>, not {local_names[prop]}")
    for prop, real in FOREIGN_TOPICS.items():
        if names.get(prop) != real:
            fail(f"{where}: {variable_of.get(prop)} names {names.get(prop)}, the topic is {real}")
    return names


def check_topics(topic_docs, names, app, where):
    by_kafka_name = {f"{t['metadata'].get('namespace', NAMESPACE)}.{t['metadata']['name']}": t for t in topic_docs}
    for prop in owned_properties:
        kafka_name = names[prop]
        doc = by_kafka_name.get(kafka_name)
        if not doc:
            fail(f"{where}: {variable_of[prop]}={kafka_name}, but no Topic is that topic (a Topic <name> in {NAMESPACE} is {NAMESPACE}.<name>)")
            continue
        if doc["spec"]["config"]["partitions"] != partitions_by_property[prop]:
            fail(f"{where}: Topic {kafka_name} has {doc['spec']['config']['partitions']} partitions, TopicPartitions.swift says {partitions_by_property[prop]}")
        if not any(a["team"] == NAMESPACE and a["application"] == app and a["access"] == "readwrite" for a in doc["spec"]["acl"]):
            fail(f"{where}: Topic {kafka_name} does not let {app} read and write it")
    for kafka_name in by_kafka_name:
        if kafka_name not in names.values():
            fail(f"{where}: Topic {kafka_name} is used by no code")


def check_alerts(rules_docs, where):
    for rule_doc in rules_docs:
        for group in rule_doc["spec"]["groups"]:
            for rule in group["rules"]:
                for metric in re.findall(r"\b(mottak_[a-z_]+)", rule["expr"]):
                    if metric not in metric_names:
                        fail(f"{where}: alert {rule['alert']} uses {metric}, which the code does not export")
                if not rule.get("annotations", {}).get("summary") or rule.get("labels", {}).get("severity") not in ("warning", "critical"):
                    fail(f"{where}: alert {rule['alert']} needs a summary and a severity")
                if rule.get("labels", {}).get("namespace") != NAMESPACE:
                    fail(f"{where}: alert {rule['alert']} needs labels.namespace {NAMESPACE}: NAIS routes alerts by it")


# ---------------------------------------------------------------------------------------------
# NAIS (deploy/nais).
def render(path, values):
    """The file as nais/deploy templates it for one cluster: `{{ key }}` replaced by the value."""
    with open(path) as handle:
        text = handle.read()

    def value(match):
        key = match.group(1)
        if key not in values:
            fail(f"nais/{os.path.basename(path)} uses {{{{ {key} }}}}, which the cluster's vars do not define")
            return "null"
        found = values[key]
        return found if isinstance(found, str) else json.dumps(found)

    text = re.sub(r"\{\{ (\w+) \}\}", value, text)
    return [json.loads(part) for part in text.split("---\n")[1:]]


def strict_schema_problems(document, schema, path="spec"):
    """jsonschema's verdict, plus fields the schema does not know (Kubernetes would drop them
    silently: a misspelt field is a setting that never applies)."""
    import jsonschema

    found = [f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
             for error in jsonschema.Draft7Validator(schema).iter_errors(document)]

    def walk(value, node, where):
        if isinstance(value, dict) and node.get("type") == "object" and "properties" in node:
            for key, item in value.items():
                if key not in node["properties"]:
                    found.append(f"{where}.{key}: not a field of the NAIS specification")
                else:
                    walk(item, node["properties"][key], f"{where}.{key}")
        elif isinstance(value, list) and "items" in node:
            for index, item in enumerate(value):
                walk(item, node["items"], f"{where}[{index}]")

    walk(document.get("spec", {}), schema["properties"]["spec"], path)
    return found


def check_nais():
    schemas = {}
    for name in ("nais-application", "nais-topic"):
        with open(os.path.join(ROOT, "deploy", "schemas", f"{name}.json")) as handle:
            schema = json.load(handle)
        schemas[schema["x-source"]["kind"]] = schema
    workflow = source(".github/workflows/build-and-deploy.yaml")
    if not re.search(r"VAR:\s*image=\$\{\{", workflow):
        fail("the workflow does not give nais/deploy the image it built (VAR: image=…)")
    for resource in ("deploy/nais/app.yaml", "deploy/nais/hpa.yaml", "deploy/nais/topics.yaml", "deploy/nais/alerts.yaml"):
        if resource not in workflow:
            fail(f"the workflow does not deploy {resource}")
    for cluster_file in sorted(os.listdir(os.path.join(NAIS, "vars"))):
        cluster = cluster_file.removesuffix(".json")
        with open(os.path.join(NAIS, "vars", cluster_file)) as handle:
            values = json.load(handle)
        if f"CLUSTER: {cluster}" not in workflow:
            fail(f"the workflow never deploys to {cluster}")
        values["image"] = "europe-north1-docker.pkg.dev/nais-management-233d/team-esyfo/oppfolgingsplan-mottak:2026.12.01-abcdef0"
        documents = []
        for name in sorted(os.listdir(NAIS)):
            if name.endswith(".yaml"):
                documents += render(os.path.join(NAIS, name), values)
        check_nais_cluster(cluster, documents, schemas)


def check_nais_cluster(cluster, documents, schemas):
    where = f"nais ({cluster})"
    by_kind = {}
    for doc in documents:
        by_kind.setdefault(doc["kind"], []).append(doc)
        if doc["kind"] in schemas:
            for problem in strict_schema_problems(doc, schemas[doc["kind"]]):
                fail(f"{where}: {doc['kind']} {doc['metadata']['name']}: {problem}")
        if doc["metadata"].get("namespace") != NAMESPACE:
            fail(f"{where}: {doc['kind']} {doc['metadata']['name']} is not in namespace {NAMESPACE}")
    applications = by_kind.get("Application", [])
    # One Application: the roles share one database, and a Cloud SQL instance is its
    # Application's alone; and NAV's services admit one name.
    if len(applications) != 1:
        fail(f"{where}: {len(applications)} Applications; the roles must share one database, which on NAIS only one Application can reach")
        return
    app = applications[0]
    spec = app["spec"]
    name = app["metadata"]["name"]
    if name != ADMITTED_APP:
        fail(f"{where}: the Application is {name}; NAV's services (isdialogmelding, syfooppdfgen, PDL, Aareg, Ereg, dokarkiv, the Modia and "
             f"sykmelding topics) admit {ADMITTED_APP} only")
    env = {item["name"]: item["value"] for item in spec.get("env", [])}
    if "NAIS_APP_NAME" in env:
        fail(f"{where}: NAIS_APP_NAME is NAIS's to set (it is the name callers are known by)")
    command = spec.get("command", [])
    if command[:3] != ["/app/mottak", "serve", "--role"]:
        fail(f"{where}: the Application must run /app/mottak serve --role …")
    else:
        served = set(roles) if command[3] == "all" else set(command[3].split(","))
        if served != roles:
            fail(f"{where}: the Application runs roles {sorted(served)}, the binary has {sorted(roles)}")
    if spec.get("image") != "europe-north1-docker.pkg.dev/nais-management-233d/team-esyfo/oppfolgingsplan-mottak:2026.12.01-abcdef0":
        fail(f"{where}: image must be {{{{ image }}}}, set by the workflow to the image it built (never latest)")
    if spec.get("liveness", {}).get("path") != "/internal/is_alive" or spec.get("readiness", {}).get("path") != "/internal/is_ready":
        fail(f"{where}: probes must use /internal/is_alive and /internal/is_ready")
    if spec.get("prometheus", {}).get("path") != "/internal/metrics":
        fail(f"{where}: prometheus.path must be /internal/metrics")
    # The probes and metrics on a port the ingress does not publish.
    internal = env.get("INTERNAL_PORT")
    if not internal or internal == str(spec.get("port", 8080)):
        fail(f"{where}: INTERNAL_PORT must give the probes and metrics a port of their own, not spec.port")
    else:
        for probe in ("liveness", "readiness", "startup"):
            if str(spec.get(probe, {}).get("port")) != internal:
                fail(f"{where}: {probe}.port must be INTERNAL_PORT ({internal})")
        if str(spec.get("prometheus", {}).get("port")) != internal:
            fail(f"{where}: prometheus.port must be INTERNAL_PORT ({internal})")

    # The database: one instance, sized for every pool that can be open at once.
    instances = spec.get("gcp", {}).get("sqlInstances", [])
    if len(instances) != 1 or len(instances[0].get("databases", [])) != 1:
        fail(f"{where}: exactly one Cloud SQL instance with one database")
    else:
        instance = instances[0]
        database = instance["databases"][0]
        if database.get("envVarPrefix") != database_prefix:
            fail(f"{where}: the database's envVarPrefix must be {database_prefix} (the code reads {database_prefix}_HOST and friends)")
        flags = {flag["name"]: flag["value"] for flag in instance.get("flags", [])}
        surge = spec.get("strategy", {}).get("rollingUpdate", {}).get("maxSurge")
        if not isinstance(surge, int):
            fail(f"{where}: set strategy.rollingUpdate.maxSurge to a number of pods, so that a rollout's connections can be counted")
            surge = spec["replicas"]["max"]
        pods = spec["replicas"]["max"] + surge
        needed = pods * pool_size(env) + 10
        if int(flags.get("max_connections", 0)) < needed:
            fail(f"{where}: max_connections {flags.get('max_connections', 'unset')} < {needed} "
                 f"({pods} pods during a rollout × DATABASE_MAX_CONNECTIONS {pool_size(env)} + 10 reserved)")
        if not instance.get("diskAutoresize"):
            fail(f"{where}: the database needs diskAutoresize")
        if instance.get("autoBackupHour") is None:
            fail(f"{where}: the database needs autoBackupHour")
        if cluster.startswith("prod") and not (instance.get("highAvailability") and instance.get("pointInTimeRecovery")):
            fail(f"{where}: the production database needs highAvailability and pointInTimeRecovery")
        if instance.get("tier") in ("db-f1-micro", "db-g1-small"):
            fail(f"{where}: tier {instance.get('tier')} is a shared CPU outside Cloud SQL's SLA")
        # Each role the migrations grant to (the analysts' user) must be a NAIS database user, or
        # nobody gets its password; and a NAIS user no migration grants to can read nothing.
        granted = set()
        migrations = os.path.join(ROOT, "migrations")
        for migration in sorted(os.listdir(migrations)):
            if migration.endswith(".sql"):
                with open(os.path.join(migrations, migration)) as text:
                    granted |= set(re.findall(r'GRANT\s[^;]*?\sTO\s+"([^"]+)"', text.read()))
        users = {user.get("name") for user in database.get("users", [])}
        for role in sorted(granted - users):
            fail(f"{where}: the migrations grant to {role}, but the database has no NAIS user of that name (databases[].users)")
        for user in sorted(users - granted):
            fail(f"{where}: the NAIS database user {user} is granted nothing by the migrations")
    injected = set(INJECTED["always"])
    if spec.get("kafka", {}).get("pool"):
        injected |= INJECTED["kafka"]
    if spec.get("azure", {}).get("application", {}).get("enabled"):
        injected |= INJECTED["azure"]
    if spec.get("maskinporten", {}).get("enabled"):
        injected |= INJECTED["maskinporten"]
    for instance in instances:
        for database in instance.get("databases", []):
            prefix = database.get("envVarPrefix") or f"NAIS_DATABASE_{instance.get('name', name)}_{database['name']}".upper().replace("-", "_")
            injected |= {f"{prefix}_{suffix}" for suffix in SQL_SUFFIXES}
    available = injected | set(env)
    for variable in sorted(required_variables - available):
        if variable == "DATABASE_URL" and {f"{database_prefix}_HOST"} <= available:
            continue
        fail(f"{where}: {variable} is neither set nor provided by NAIS, and the code needs it")

    # The exposed scope, as NAIS builds it, is the one the code checks tokens for.
    exposed = spec.get("maskinporten", {}).get("scopes", {}).get("exposes", [])
    scope_names = [f"nav:{s['product']}{s.get('separator', ':')}{s['name']}" for s in exposed]
    if len(exposed) != 1:
        fail(f"{where}: expose exactly one Maskinporten scope, not {scope_names}")
    else:
        scope = exposed[0]
        wanted = env.get("MASKINPORTEN_CUSTOM_SCOPE_NAME", scope_default)
        if scope_names[0] != wanted or scope_default != "nav:oppfolgingsplan/lps.write" or wanted != scope_default:
            fail(f"{where}: NAIS exposes {scope_names[0]}, the code requires {wanted} (default {scope_default}); LPS systems hold "
                 "tokens for nav:oppfolgingsplan/lps.write")
        if not scope.get("enabled") or not scope.get("accessibleForAll") or scope.get("delegationSource") != "altinn":
            fail(f"{where}: the scope must be enabled, accessibleForAll and delegated through Altinn, or no LPS gets a token")
        if scope.get("delegationSource") and scope.get("separator") != "/":
            fail(f"{where}: a delegated scope needs separator '/' (NAIS refuses it otherwise)")

    # Topics.
    names = effective_topics(env, f"{where}: Application env")
    check_topics(by_kind.get("Topic", []), names, name, where)
    for topic in by_kind.get("Topic", []):
        if topic["spec"]["pool"] != spec.get("kafka", {}).get("pool"):
            fail(f"{where}: Topic {topic['metadata']['name']} is in pool {topic['spec']['pool']}, the Application in {spec.get('kafka', {}).get('pool')}")

    # Outbound access: every NAV API the code is given is reachable.
    outbound = spec.get("accessPolicy", {}).get("outbound", {})
    rules = {(r["application"], r.get("namespace", NAMESPACE)) for r in outbound.get("rules", [])}
    external = {e["host"] for e in outbound.get("external", [])}
    used_rules, used_hosts = set(), set()
    for variable, url in env.items():
        if not variable.endswith("_URL") or "://" not in url:
            continue
        host = url.split("://", 1)[1].split("/", 1)[0]
        if url.startswith("https://"):
            used_hosts.add(host)
            if host not in external:
                fail(f"{where}: {variable} calls {host}, which accessPolicy.outbound.external does not allow")
        else:
            app_name, _, namespace = host.partition(".")
            used_rules.add((app_name, namespace or NAMESPACE))
            if (app_name, namespace or NAMESPACE) not in rules:
                fail(f"{where}: {variable} calls {app_name} in {namespace or NAMESPACE}, which has no outbound rule")
    for stale in sorted(rules - used_rules):
        fail(f"{where}: outbound rule for {stale[0]} in {stale[1]}, which the code does not call")
    for stale in sorted(external - used_hosts):
        fail(f"{where}: outbound host {stale}, which the code does not call")
    if not spec.get("azure", {}).get("application", {}).get("enabled"):
        fail(f"{where}: azure.application must be enabled: NAV's APIs are called with Azure AD tokens")
    # The case workers' routes: Modia's backend must be let in, and any NAV employee's token
    # accepted (istilgangskontroll decides per person), or Modia shows tasks whose plans no one
    # can open.
    inbound = {(r["application"], r.get("namespace", NAMESPACE)) for r in spec.get("accessPolicy", {}).get("inbound", {}).get("rules", [])}
    if serves_modia_routes:
        if ("syfomodiaperson", "teamsykefravr") not in inbound:
            fail(f"{where}: the Modia routes are served, but syfomodiaperson in teamsykefravr has no inbound rule")
        if not spec.get("azure", {}).get("application", {}).get("allowAllUsers"):
            fail(f"{where}: azure.application.allowAllUsers must be true: case workers are not in a group of ours")
    rules |= {rule for rule in inbound}

    # Scaling: our HPA, on CPU and every consumer group's lag, bounded by partitions.
    hpas = by_kind.get("HorizontalPodAutoscaler", [])
    if not spec.get("replicas", {}).get("disableAutoScaling"):
        fail(f"{where}: NAIS's own autoscaler must be off (replicas.disableAutoScaling) for nais/hpa.yaml to scale")
    if len(hpas) != 1 or hpas[0]["spec"]["scaleTargetRef"]["name"] != name:
        fail(f"{where}: one HorizontalPodAutoscaler must target Deployment {name}")
    else:
        hpa = hpas[0]["spec"]
        watched = {(m["external"]["metric"]["selector"]["matchLabels"]["group"], m["external"]["metric"]["selector"]["matchLabels"]["topic"])
                   for m in hpa["metrics"] if m["type"] == "External"}
        for group, prop in sorted(consumed.items()):
            if (group, names[prop]) not in watched:
                fail(f"{where}: the autoscaler does not watch group {group} on {names[prop]}")
        for group, topic in sorted(watched):
            if consumed.get(group) is None or names[consumed[group]] != topic:
                fail(f"{where}: the autoscaler watches {group} on {topic}, which the code does not consume")
        if not any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in hpa["metrics"]):
            fail(f"{where}: the autoscaler must also scale on CPU (the HTTP intake)")
        most = max(partitions_by_property[prop] for prop in consumed.values())
        if hpa["maxReplicas"] > most:
            fail(f"{where}: up to {hpa['maxReplicas']} pods, but no consumed topic has more than {most} partitions")
        if (hpa["minReplicas"], hpa["maxReplicas"]) != (spec["replicas"]["min"], spec["replicas"]["max"]):
            fail(f"{where}: the autoscaler's bounds differ from the Application's replicas")
    check_alerts(by_kind.get("PrometheusRule", []), where)
    if not by_kind.get("PrometheusRule"):
        fail(f"{where}: no alerts (PrometheusRule)")
    check_access_table(name, rules, external, names)


def check_access_table(app, rules, hosts, names):
    """The operations guide's access table names every rule this service depends on."""
    readme = source("docs/operations.md")
    if "### Who lets us in" not in readme:
        fail("docs/operations.md has no '### Who lets us in' table")
        return
    table = readme.split("### Who lets us in", 1)[1].split("\n## ", 1)[0]
    for needed in [app] + [rule[0] for rule in rules] + sorted(hosts) + sorted(names.values()):
        if needed not in table:
            fail(f"docs/operations.md's access table does not mention {needed}")


def check_no_latest():
    for folder, _, files in os.walk(os.path.join(ROOT, "deploy")):
        for name in files:
            with open(os.path.join(folder, name)) as handle:
                text = handle.read()
            if re.search(r"(:latest\b|newTag:\s*latest)", text):
                fail(f"{os.path.relpath(os.path.join(folder, name), ROOT)}: an image must never be :latest")


for overlay in sys.argv[1:]:
    check_overlay(overlay)
check_nais()
check_no_latest()
if problems:
    print("\n".join("deploy: " + problem for problem in problems), file=sys.stderr)
    sys.exit(1)
print(f"deploy: {len(sys.argv) - 1} overlays and the NAIS manifests agree with the code and NAIS's rules")
