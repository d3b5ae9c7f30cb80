#!/usr/bin/env python3
"""Writes deploy/base/ and deploy/nais/ from the table of roles below: one Deployment (and one
NAIS Application) per role, alike except where a role differs. Edit the table or this file,
then run `python3 deploy/generate.py`; `scripts/validate-deploy.sh` (part of `make test`) fails
when the committed files are not what this writes.

Partition counts are those of Sources/MottakApp/ProjectTopics.swift: a consumer role never
scales past its topic's partitions (members beyond them would sit idle)."""
import json
import os
import sys

APP = "oppfolgingsplan-mottak"
IMAGE = "ghcr.io/navikt/oppfolgingsplan-mottak"
HERE = os.path.dirname(os.path.abspath(__file__))

# name, --role value, topic it consumes (None: not a consumer), partitions of that topic
ROLES = [
    ("api", "intake,status-query", None, 0),
    ("event-intake", "event-intake", "followupplan.submitted.v1", 6),
    ("outbox-relay", "outbox-relay", None, 0),
    ("lookup", "lookup", "followupplan.received", 6),
    ("router", "router", "followupplan.verified", 6),
    ("nav-channel", "nav-channel", "followupplan.channel.nav", 6),
    ("gp-channel", "gp-channel", "followupplan.channel.gp", 6),
    ("status-updater", "status-updater", "followupplan.status", 6),
    ("sykmelding-ingest", "sykmelding-ingest", "teamsykmelding.syfo-sendt-sykmelding", 3),
]

# Owned topics: name, partitions, retention hours, who may write besides us, who may read besides us.
TOPICS = [
    ("followupplan.received", 6, 168, [], []),
    ("followupplan.verified", 6, 168, [], []),
    ("followupplan.channel.nav", 6, 168, [], []),
    ("followupplan.channel.gp", 6, 168, [], []),
    ("followupplan.status", 6, 168, [], []),
    ("followupplan.dlq", 3, 720, [], []),
    # The event front door: the only topic with plan text. Short retention, named writers only.
    ("followupplan.submitted.v1", 6, 72, [("team-altinn", "altinn-kanal-mottak")], []),
    ("followupplan.status.v1", 6, 168, [], [("team-altinn", "altinn-kanal-mottak")]),
]

GROUP = {"event-intake": "event-intake", "lookup": "lookup", "router": "router", "nav-channel": "nav-channel",
         "gp-channel": "gp-channel", "status-updater": "status-updater", "sykmelding-ingest": "sykmelding-ingest"}

HEADER = "# Written by deploy/generate.py: edit that, not this file.\n"


def labels(name):
    return {"app.kubernetes.io/name": APP, "app.kubernetes.io/component": name}


def deployment(name, role, topic):
    api = name == "api"
    # The API is scaled by its HPA and the consumers by KEDA: only the relay has a fixed count.
    fixed = {"replicas": 2} if name == "outbox-relay" else {}
    env = [{"name": "MIGRATE_ON_START", "value": "true" if api else "false"}]
    container = {
        "name": "mottak",
        "image": IMAGE,
        "args": ["serve", "--role", role],
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": env,
        "envFrom": [
            {"configMapRef": {"name": "mottak-config"}},
            {"secretRef": {"name": "mottak-database", "optional": True}},
            {"secretRef": {"name": "mottak-kafka", "optional": True}},
            {"secretRef": {"name": "mottak-azure", "optional": True}},
        ],
        "startupProbe": {"httpGet": {"path": "/internal/is_alive", "port": "http"}, "periodSeconds": 2, "failureThreshold": 30},
        "livenessProbe": {"httpGet": {"path": "/internal/is_alive", "port": "http"}, "periodSeconds": 10, "failureThreshold": 3},
        "readinessProbe": {"httpGet": {"path": "/internal/is_ready", "port": "http"}, "periodSeconds": 5, "failureThreshold": 2},
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"memory": "512Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"mottak-{name}", "labels": labels(name)},
        "spec": {
            **fixed,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": labels(name)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {
                    "labels": labels(name),
                    "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/internal/metrics"},
                },
                "spec": {
                    # The submission wait (10 s), the consumers' last message (10 s) and the
                    # producer's flush fit well inside.
                    "terminationGracePeriodSeconds": 45,
                    "automountServiceAccountToken": False,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532, "fsGroup": 65532,
                                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }


def pdb(name):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": f"mottak-{name}", "labels": labels(name)},
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(name)}}}


def scaled_object(name, topic, partitions):
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": f"mottak-{name}", "labels": labels(name)},
        "spec": {
            "scaleTargetRef": {"name": f"mottak-{name}"},
            "minReplicaCount": 1,
            "maxReplicaCount": partitions,
            "cooldownPeriod": 300,
            "triggers": [{
                "type": "kafka",
                "metadata": {
                    "bootstrapServersFromEnv": "KAFKA_BROKERS",
                    "consumerGroup": f"{APP}-{GROUP[name]}",
                    "topic": topic,
                    "lagThreshold": "50",
                    "offsetResetPolicy": "earliest",
                },
                "authenticationRef": {"name": "mottak-kafka"},
            }],
        },
    }


def others():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "mottak-api", "labels": labels("api")},
               "spec": {"selector": labels("api"), "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}}
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "mottak-api", "labels": labels("api")},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "mottak-api"},
                    "minReplicas": 2, "maxReplicas": 6,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mottak-config", "labels": {"app.kubernetes.io/name": APP}},
              "data": {"LOG_FORMAT": "json", "LOG_LEVEL": "info", "APPLICATION_PORT": "8080", "MIGRATIONS_DIR": "/app/migrations",
                       "SUBMISSION_WAIT_MS": "10000", "MASKINPORTEN_CUSTOM_SCOPE_NAME": "nav:oppfolgingsplan/lps.write"}}
    app_pods = {"matchLabels": {"app.kubernetes.io/name": APP}}
    policy = {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "mottak", "labels": {"app.kubernetes.io/name": APP}},
        "spec": {
            "podSelector": app_pods,
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                # The public API: only from the ingress controller.
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "nais-system"}}}],
                 "ports": [{"port": 8080, "protocol": "TCP"}]},
                # Metrics and probes' scrapes from the monitoring namespace.
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
                 "ports": [{"port": 8080, "protocol": "TCP"}]},
            ],
            "egress": [
                {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
                # PostgreSQL (Cloud SQL proxy or direct), Kafka (Aiven), NAV's APIs and Maskinporten over HTTPS.
                {"ports": [{"port": 5432, "protocol": "TCP"}, {"port": 26484, "protocol": "TCP"}, {"port": 9093, "protocol": "TCP"},
                           {"port": 443, "protocol": "TCP"}]},
            ],
        },
    }
    # KEDA reads the consumer groups' lag over the same TLS as the service (Aiven's CA,
    # certificate and key from the mottak-kafka secret).
    trigger_auth = {"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                    "metadata": {"name": "mottak-kafka", "labels": {"app.kubernetes.io/name": APP}},
                    "spec": {"secretTargetRef": [
                        {"parameter": "tls", "name": "mottak-kafka", "key": "KAFKA_TLS_ENABLED"},
                        {"parameter": "ca", "name": "mottak-kafka", "key": "KAFKA_CA"},
                        {"parameter": "cert", "name": "mottak-kafka", "key": "KAFKA_CERTIFICATE"},
                        {"parameter": "key", "name": "mottak-kafka", "key": "KAFKA_PRIVATE_KEY"}]}}
    return [service, hpa, config, policy, trigger_auth]


def topics():
    out = []
    for name, partitions, hours, writers, readers in TOPICS:
        acl = [{"team": "team-esyfo", "application": APP, "access": "readwrite"}]
        acl += [{"team": team, "application": app, "access": "write"} for team, app in writers]
        acl += [{"team": team, "application": app, "access": "read"} for team, app in readers]
        out.append({
            "apiVersion": "kafka.nais.io/v1", "kind": "Topic",
            "metadata": {"name": name.replace(".", "-"), "labels": {"app.kubernetes.io/name": APP}},
            "spec": {"pool": "nav-dev", "config": {"partitions": partitions, "replication": 3, "retentionHours": hours,
                                                    "cleanupPolicy": "delete", "minimumInSyncReplicas": 2},
                     "acl": acl},
        })
    return out


def prometheus_rule():
    rules = [
        ("MottakDeadLetters", "sum(increase(mottak_dead_letters_total[15m])) > 0", "1m", "warning",
         "Messages went to the dead-letter topic in the last 15 minutes: see RUNBOOK.md, 'Dead letters'."),
        ("MottakOutboxStuck", "max(mottak_outbox_oldest_age_seconds) > 120", "5m", "critical",
         "The oldest unpublished outbox row is over two minutes old: Kafka is unreachable or the relay is down (RUNBOOK.md, 'Outbox')."),
        ("MottakConsumerLag", "sum by (consumer_group) (mottak_consumer_lag_messages) > 500", "10m", "warning",
         "A consumer group is more than 500 messages behind for 10 minutes (RUNBOOK.md, 'Scaling')."),
        ("MottakNavAccessDenied", "sum by (dependency) (increase(mottak_access_denied_total[10m])) > 0", "0m", "critical",
         "A NAV API or Azure AD refuses our access (401/403): plans wait, retried slowly, until someone fixes the access "
         "(RUNBOOK.md, 'Access denied by a NAV API')."),
        ("MottakPdfWithoutContactDetails", "sum(increase(mottak_pdf_without_contact_details_total[30m])) > 10", "0m", "warning",
         "KRR did not answer for more than 10 plans in 30 minutes; their PDFs go without phone and e-mail (RUNBOOK.md, 'KRR')."),
        ("MottakConsumerStuck", "max by (consumer_group) (mottak_consumer_oldest_in_flight_seconds) > 1800", "5m", "critical",
         "A message has been at work for over 30 minutes, longer than any retry policy allows: a handler is stuck and holds "
         "its plan (RUNBOOK.md, 'A stuck consumer')."),
        ("MottakHttpErrors", 'sum(rate(mottak_http_requests_total{status=~"5.."}[5m])) / sum(rate(mottak_http_requests_total[5m])) > 0.05',
         "5m", "critical", "More than 5 % of API requests fail with 5xx (RUNBOOK.md, 'API errors')."),
    ]
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": {"name": "mottak-alerts", "labels": {"app.kubernetes.io/name": APP}},
        "spec": {"groups": [{"name": APP, "rules": [
            {"alert": alert, "expr": expr, "for": wait, "labels": {"severity": severity},
             "annotations": {"summary": summary, "runbook": "RUNBOOK.md in the repository"}}
            for alert, expr, wait, severity, summary in rules]}]},
    }


def nais_application(name, role, topic, partitions):
    api = name == "api"
    spec = {
        "image": "{{ image }}",
        "command": ["/app/mottak", "serve", "--role", role],
        "port": 8080,
        "liveness": {"path": "/internal/is_alive"},
        "readiness": {"path": "/internal/is_ready"},
        "prometheus": {"enabled": True, "path": "/internal/metrics"},
        "observability": {"logging": {"destinations": [{"id": "loki"}, {"id": "elastic"}]}},
        "replicas": {"min": 2 if api else 1, "max": 6 if api else max(partitions, 1), "cpuThresholdPercentage": 70},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
        "kafka": {"pool": "{{ kafkaPool }}"},
        "gcp": {"sqlInstances": [{"type": "POSTGRES_15", "tier": "db-custom-1-3840",
                                  "databases": [{"name": "oppfolgingsplan-mottak", "envVarPrefix": "GCP_DB"}]}]},
        "env": [{"name": "LOG_FORMAT", "value": "json"}, {"name": "MIGRATE_ON_START", "value": "true" if api else "false"}],
        "terminationGracePeriodSeconds": 45,
    }
    if api:
        spec["maskinporten"] = {"enabled": True, "scopes": {"exposes": [
            {"name": "oppfolgingsplan/lps.write", "enabled": True, "product": "oppfolgingsplan", "allowedIntegrations": ["maskinporten"],
             "atMaxAge": 120, "consumers": []}]}}
        spec["ingresses"] = ["{{ ingress }}"]
    if name in ("lookup", "nav-channel", "gp-channel"):
        spec["azure"] = {"application": {"enabled": True}}
        spec["accessPolicy"] = {"outbound": {"rules": [{"application": "syfooppdfgen"}, {"application": "isdialogmelding", "namespace": "teamsykefravr"}],
                                             "external": [{"host": "{{ aaregHost }}"}, {"host": "{{ pdlHost }}"},
                                                          {"host": "{{ dokarkivHost }}"}, {"host": "{{ eregHost }}"}]}}
    return {"apiVersion": "nais.io/v1alpha1", "kind": "Application",
            "metadata": {"name": f"{APP}-{name}", "namespace": "team-esyfo", "labels": {"team": "team-esyfo"}},
            "spec": spec}


def dump(documents):
    # JSON is YAML: exact, diff-friendly, and needs no YAML library.
    return HEADER + "".join("---\n" + json.dumps(doc, indent=2) + "\n" for doc in documents)


def files():
    out = {}
    for name, role, topic, partitions in ROLES:
        docs = [deployment(name, role, topic), pdb(name)]
        if topic:
            docs.append(scaled_object(name, topic, partitions))
        out[f"base/{name}.yaml"] = dump(docs)
        out[f"nais/{name}.yaml"] = dump([nais_application(name, role, topic, partitions)])
    # NAIS deploys each file with `--vars nais/vars/<cluster>.json` (mustache placeholders).
    out["base/shared.yaml"] = dump(others())
    out["base/topics.yaml"] = dump(topics())
    out["base/alerts.yaml"] = dump([prometheus_rule()])
    out["base/kustomization.yaml"] = HEADER + json.dumps({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": ["shared.yaml", "topics.yaml", "alerts.yaml"] + [f"{name}.yaml" for name, _, _, _ in ROLES],
    }, indent=2) + "\n"
    return out


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else HERE
    for path, text in files().items():
        full = os.path.join(target, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(text)
