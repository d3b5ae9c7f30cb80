#!/usr/bin/env python3
"""Checks of deploy/ that a schema cannot make (run by scripts/validate-deploy.sh, part of
`make test`): what the manifests promise about the service must match the code.

Usage: check_deploy.py <rendered overlay as JSON lines> ... (one file per overlay)"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
problems = []


def fail(message):
    problems.append(message)


def source(path):
    with open(os.path.join(ROOT, path)) as handle:
        return handle.read()


# What the code says.
role_swift = source("Sources/MottakApp/Roles/Role.swift")
roles = set(re.findall(r'case \w+ = "([a-z-]+)"', role_swift)) | set(re.findall(r"^\s+case (intake|lookup|router)$", role_swift, re.M))
topics_swift = source("Sources/MottakApp/ProjectTopics.swift")
event_topics = dict(re.findall(r'static let (\w+) = "([^"]+)"', source("Sources/Domain/EventTopics.swift")))
partitions = {event_topics[name]: int(count) for name, count in re.findall(r"EventTopics\.(\w+), partitions: (\d+)", topics_swift)}
owned_block = topics_swift.split("foreign")[0]
owned = {event_topics[name] for name in re.findall(r"EventTopics\.(\w+), partitions", owned_block)}
routes = source("Sources/MottakApp/Health/HealthRoutes.swift") if os.path.exists(os.path.join(ROOT, "Sources/MottakApp/Health/HealthRoutes.swift")) else ""
metric_names = set()
for folder, _, names in os.walk(os.path.join(ROOT, "Sources")):
    for name in names:
        if name.endswith(".swift"):
            with open(os.path.join(folder, name)) as handle:
                metric_names |= set(re.findall(r'"(mottak_[a-z_]+)"', handle.read()))


def check_overlay(path):
    with open(path) as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    deployments = {d["metadata"]["name"]: d for d in by_kind.get("Deployment", [])}
    served_roles = set()
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        where = f"{os.path.basename(path)}: Deployment {name}"
        args = container.get("args", [])
        if args[:2] != ["serve", "--role"]:
            fail(f"{where} does not run `serve --role`")
        else:
            served_roles |= set(args[2].split(","))
        for probe, route in (("livenessProbe", "/internal/is_alive"), ("readinessProbe", "/internal/is_ready"), ("startupProbe", "/internal/is_alive")):
            if container.get(probe, {}).get("httpGet", {}).get("path") != route:
                fail(f"{where}: {probe} must GET {route}")
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
        fail(f"{os.path.basename(path)}: the Deployments run roles {sorted(served_roles)}, the binary has {sorted(roles)}")

    topic_docs = {t["metadata"]["name"]: t for t in by_kind.get("Topic", [])}
    for topic in owned:
        doc = topic_docs.get(topic.replace(".", "-"))
        if not doc:
            fail(f"{os.path.basename(path)}: no Topic for {topic}")
        elif doc["spec"]["config"]["partitions"] != partitions[topic]:
            fail(f"Topic {topic}: {doc['spec']['config']['partitions']} partitions, ProjectTopics.swift says {partitions[topic]}")
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
        topic = trigger["topic"]
        if topic not in partitions:
            fail(f"ScaledObject for {target}: unknown topic {topic}")
        elif scaled_object["spec"]["maxReplicaCount"] > partitions[topic]:
            fail(f"ScaledObject for {target}: {scaled_object['spec']['maxReplicaCount']} replicas for {partitions[topic]} partitions of {topic}")
        if not trigger["consumerGroup"].startswith("oppfolgingsplan-mottak-"):
            fail(f"ScaledObject for {target}: consumer group {trigger['consumerGroup']} is not the service's")
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        if hpa["spec"]["scaleTargetRef"]["name"] not in deployments:
            fail(f"HPA {hpa['metadata']['name']} targets a missing Deployment")
    for rule_doc in by_kind.get("PrometheusRule", []):
        for group in rule_doc["spec"]["groups"]:
            for rule in group["rules"]:
                for metric in re.findall(r"\b(mottak_[a-z_]+)", rule["expr"]):
                    if metric not in metric_names:
                        fail(f"alert {rule['alert']} uses {metric}, which the code does not export")
                if not rule.get("annotations", {}).get("summary") or rule.get("labels", {}).get("severity") not in ("warning", "critical"):
                    fail(f"alert {rule['alert']} needs a summary and a severity")


def check_nais():
    folder = os.path.join(ROOT, "deploy", "nais")
    variables = {}
    for name in os.listdir(os.path.join(folder, "vars")):
        with open(os.path.join(folder, "vars", name)) as handle:
            variables[name] = json.load(handle)
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(folder, name)) as handle:
            text = handle.read()
        for placeholder in set(re.findall(r"\{\{ (\w+) \}\}", text)):
            for vars_name, values in variables.items():
                if placeholder not in values:
                    fail(f"nais/{name} uses {{{{ {placeholder} }}}}, which vars/{vars_name} does not define")
        app = json.loads(text.split("---\n", 1)[1])
        spec = app["spec"]
        if spec["liveness"]["path"] != "/internal/is_alive" or spec["readiness"]["path"] != "/internal/is_ready":
            fail(f"nais/{name}: probes must use /internal/is_alive and /internal/is_ready")


for overlay in sys.argv[1:]:
    check_overlay(overlay)
check_nais()
if problems:
    print("\n".join("deploy: " + problem for problem in problems), file=sys.stderr)
    sys.exit(1)
print(f"deploy: {len(sys.argv) - 1} overlays and the NAIS manifests agree with the code")
