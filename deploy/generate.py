#!/usr/bin/env python3
"""Writes deploy/base/ (plain Kubernetes with KEDA: one Deployment per role) and deploy/nais/
(NAV's platform: one NAIS Application, its Topics, autoscaler and alerts, vars per cluster)
from the tables below. Edit the tables or this file, then run `python3 deploy/generate.py`;
`scripts/validate-deploy.sh` (part of `make test`) fails when the committed files are not what
this writes, and `scripts/check_deploy.py` checks what they promise against the code.

Why NAIS gets one Application and plain Kubernetes one Deployment per role (docs/operations.md,
"Deploying on NAIS"): on NAIS a Cloud SQL instance can only be reached by the one Application
that declares it, and NAV's services admit callers by NAIS application name; the only name they
know is `lps-oppfolgingsplan-mottak`, the existing service's.

Partition counts are those of Sources/MottakApp/TopicPartitions.swift: a consumer never scales
past its topic's partitions (members beyond them would sit idle)."""
import json
import os
import sys

# The analysts' database user: the old service's name for it, so their tools keep working.
ANALYST_USER = "esyfo-analyse"
APP = "oppfolgingsplan-mottak"
# The NAIS application name NAV's services know (domain-reference 13.2): isdialogmelding's
# allow-list, syfooppdfgen's inbound rules, the Modia topic's write ACL, the pre-authorisation
# of PDL, Aareg, Ereg and dokarkiv, and the sykmelding topic's read ACL all name it.
NAIS_APP = "lps-oppfolgingsplan-mottak"
NAMESPACE = "team-esyfo"
IMAGE = "ghcr.io/navikt/oppfolgingsplan-mottak"
# Plain Kubernetes: the tag (or digest) is set at deploy time (`kustomize edit set image`);
# this placeholder does not exist in any registry, so a forgotten step fails at once.
IMAGE_TAG = "set-at-deploy"
HERE = os.path.dirname(os.path.abspath(__file__))

# name, --role value, topic variable it consumes (None: not a consumer), partitions of that topic
ROLES = [
    ("api", "intake,status-query", None, 0),
    ("event-intake", "event-intake", "KAFKA_TOPIC_SUBMITTED", 6),
    ("outbox-relay", "outbox-relay", None, 0),
    ("lookup", "lookup", "KAFKA_TOPIC_RECEIVED", 6),
    ("router", "router", "KAFKA_TOPIC_VERIFIED", 6),
    ("nav-channel", "nav-channel", "KAFKA_TOPIC_CHANNEL_NAV", 6),
    ("gp-channel", "gp-channel", "KAFKA_TOPIC_CHANNEL_GP", 6),
    ("status-updater", "status-updater", "KAFKA_TOPIC_STATUS", 6),
    ("sykmelding-ingest", "sykmelding-ingest", "KAFKA_TOPIC_SENDT_SYKMELDING", 3),
]

# Owned topics: variable of Sources/Domain/EventTopics.swift, NAIS Topic name (the Kafka topic is
# `team-esyfo.<name>`), partitions, retention hours, who may write besides us, who may read besides us.
TOPICS = [
    ("KAFKA_TOPIC_RECEIVED", "followupplan-received", 6, 168, [], []),
    ("KAFKA_TOPIC_VERIFIED", "followupplan-verified", 6, 168, [], []),
    ("KAFKA_TOPIC_CHANNEL_NAV", "followupplan-channel-nav", 6, 168, [], []),
    ("KAFKA_TOPIC_CHANNEL_GP", "followupplan-channel-gp", 6, 168, [], []),
    ("KAFKA_TOPIC_STATUS", "followupplan-status", 6, 168, [], []),
    ("KAFKA_TOPIC_DEAD_LETTER", "followupplan-dlq", 3, 720, [], []),
    # The event front door: the only topic with plan text. Short retention, named writers only.
    ("KAFKA_TOPIC_SUBMITTED", "followupplan-submitted-v1", 6, 72, [("team-altinn", "altinn-kanal-mottak")], []),
    ("KAFKA_TOPIC_PUBLIC_STATUS", "followupplan-status-v1", 6, 168, [], [("team-altinn", "altinn-kanal-mottak")]),
]
# Topics other teams own: their one name everywhere (the code's defaults).
FOREIGN_TOPICS = {
    "KAFKA_TOPIC_SENDT_SYKMELDING": "teamsykmelding.syfo-sendt-sykmelding",
    "KAFKA_TOPIC_MODIA_TASK": "team-esyfo.aapen-syfo-oppfolgingsplan-lps-nav-v2",
}


def topic_names():
    """Every KAFKA_TOPIC_* variable and the Kafka topic it names in team-esyfo."""
    names = {variable: f"{NAMESPACE}.{name}" for variable, name, *_ in TOPICS}
    return {**names, **FOREIGN_TOPICS}


GROUP = {"event-intake": "event-intake", "lookup": "lookup", "router": "router", "nav-channel": "nav-channel",
         "gp-channel": "gp-channel", "status-updater": "status-updater", "sykmelding-ingest": "sykmelding-ingest"}

# The exposed Maskinporten scope, as the existing service exposes it: NAIS makes it
# `nav:<product><separator><name>` = nav:oppfolgingsplan/lps.write. LPS systems act for
# employers through Altinn (delegationSource), and any organisation may ask for it.
SCOPE = {"name": "lps.write", "enabled": True, "product": "oppfolgingsplan", "separator": "/",
         "allowedIntegrations": ["maskinporten"], "accessibleForAll": True, "delegationSource": "altinn"}


def exposed_scope(scope):
    return f"nav:{scope['product']}{scope.get('separator', ':')}{scope['name']}"


# NAIS: one process per pod runs every role, and the pool is shared by them all.
NAIS_DATABASE_POOL = 20
NAIS_REPLICAS = {"min": 2, "max": 6}
# During a rollout old and new pods hold connections at once: the Application's strategy sets
# how many extra pods a rollout may start (liberator's `Strategy.rollingUpdate`, Kubernetes's
# RollingUpdateDeployment), so that the database can be sized for them.
NAIS_SURGE = 2
# Cloud SQL keeps a few connections for its superusers; a person with `nais postgres proxy`
# and the migrations of a rollout need a few more.
DATABASE_RESERVE = 20
DATABASE_MAX_CONNECTIONS = (NAIS_REPLICAS["max"] + NAIS_SURGE) * NAIS_DATABASE_POOL + DATABASE_RESERVE

# NAV's APIs per cluster (domain-reference 7.1, from the existing service's manifests; dev's
# dokarkiv is `dokarkiv-q2`, the host the existing service calls: its manifest allowed
# `dokarkiv.dev-fss-pub.nais.io` instead, one of the differences this table removes).
CLUSTERS = {
    "dev-gcp": {
        "kafkaPool": "nav-dev",
        "ingress": "https://lps-oppfolgingsplan-mottak.ekstern.dev.nav.no",
        "PDL_URL": "https://pdl-api.dev-fss-pub.nais.io/graphql", "PDL_SCOPE": "dev-fss.pdl.pdl-api",
        "AAREG_URL": "https://aareg-services-q2.dev-fss-pub.nais.io", "AAREG_SCOPE": "dev-fss.arbeidsforhold.aareg-services-nais",
        "EREG_URL": "https://ereg-services-q1.dev-fss-pub.nais.io", "EREG_SCOPE": "dev-fss.arbeidsforhold.ereg-services-q1",
        "DOKARKIV_URL": "https://dokarkiv-q2.dev-fss-pub.nais.io", "DOKARKIV_SCOPE": "dev-fss.teamdokumenthandtering.dokarkiv",
        "KRR_PROXY_URL": "http://digdir-krr-proxy.team-rocket/rest/v1/personer", "KRR_PROXY_SCOPE": "dev-gcp.team-rocket.digdir-krr-proxy",
        "OP_PDFGEN_URL": "http://syfooppdfgen",
        "ISDIALOGMELDING_URL": "http://isdialogmelding.teamsykefravr", "ISDIALOGMELDING_CLIENT_ID": "dev-gcp.teamsykefravr.isdialogmelding",
        # The case workers' routes: who may see which person (the original's values).
        "ISTILGANGSKONTROLL_URL": "http://istilgangskontroll.teamsykefravr",
        "ISTILGANGSKONTROLL_CLIENT_ID": "dev-gcp.teamsykefravr.istilgangskontroll",
        "dbTier": "db-custom-1-3840", "dbHighAvailability": False, "dbDiskSize": 10, "dbPointInTimeRecovery": False,
    },
    "prod-gcp": {
        "kafkaPool": "nav-prod",
        "ingress": "https://lps-oppfolgingsplan-mottak.nav.no",
        "PDL_URL": "https://pdl-api.prod-fss-pub.nais.io/graphql", "PDL_SCOPE": "prod-fss.pdl.pdl-api",
        "AAREG_URL": "https://aareg-services.prod-fss-pub.nais.io", "AAREG_SCOPE": "prod-fss.arbeidsforhold.aareg-services-nais",
        "EREG_URL": "https://ereg-services.prod-fss-pub.nais.io", "EREG_SCOPE": "prod-fss.arbeidsforhold.ereg-services",
        "DOKARKIV_URL": "https://dokarkiv.prod-fss-pub.nais.io", "DOKARKIV_SCOPE": "prod-fss.teamdokumenthandtering.dokarkiv",
        "KRR_PROXY_URL": "http://digdir-krr-proxy.team-rocket/rest/v1/personer", "KRR_PROXY_SCOPE": "prod-gcp.team-rocket.digdir-krr-proxy",
        "OP_PDFGEN_URL": "http://syfooppdfgen",
        "ISDIALOGMELDING_URL": "http://isdialogmelding.teamsykefravr", "ISDIALOGMELDING_CLIENT_ID": "prod-gcp.teamsykefravr.isdialogmelding",
        # The case workers' routes: who may see which person (the original's values).
        "ISTILGANGSKONTROLL_URL": "http://istilgangskontroll.teamsykefravr",
        "ISTILGANGSKONTROLL_CLIENT_ID": "prod-gcp.teamsykefravr.istilgangskontroll",
        "dbTier": "db-custom-2-5120", "dbHighAvailability": True, "dbDiskSize": 20, "dbPointInTimeRecovery": True,
    },
}
NAV_API_VARIABLES = ["PDL_URL", "PDL_SCOPE", "AAREG_URL", "AAREG_SCOPE", "EREG_URL", "EREG_SCOPE", "DOKARKIV_URL", "DOKARKIV_SCOPE",
                     "KRR_PROXY_URL", "KRR_PROXY_SCOPE", "OP_PDFGEN_URL", "ISDIALOGMELDING_URL", "ISDIALOGMELDING_CLIENT_ID",
                     "ISTILGANGSKONTROLL_URL", "ISTILGANGSKONTROLL_CLIENT_ID"]
# Who calls us besides the LPSes (through the ingress, with Maskinporten): Modia's backend
# (syfomodiaperson) for the case workers' routes, with on-behalf-of tokens (domain-reference 14.5).
INBOUND = [{"application": "syfomodiaperson", "namespace": "teamsykefravr"}]


def host(url):
    return url.split("://", 1)[1].split("/", 1)[0]


def host_placeholder(url_variable):
    """The vars key holding the host of an https URL variable: PDL_URL -> pdlHost."""
    return "%sHost" % url_variable[:-4].lower().replace("_", "")


def outbound_rule(url):
    """An in-cluster URL `http://<app>[.<namespace>]/…` as a NAIS outbound rule."""
    app, _, namespace = host(url).partition(".")
    return {"application": app, **({"namespace": namespace} if namespace else {})}


# The probes and metrics (INTERNAL_PORT): a port that neither the Service nor NAIS's ingress
# publishes.
INTERNAL_PORT = 8081

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
        "image": f"{IMAGE}:{IMAGE_TAG}",
        "args": ["serve", "--role", role],
        # The API on 8080 (the Service's target); the probes and metrics on 8081, which no
        # Service publishes (INTERNAL_PORT, in the ConfigMap).
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                  {"name": "internal", "containerPort": INTERNAL_PORT, "protocol": "TCP"}],
        "env": env,
        "envFrom": [
            {"configMapRef": {"name": "mottak-config"}},
            {"secretRef": {"name": "mottak-database", "optional": True}},
            {"secretRef": {"name": "mottak-kafka", "optional": True}},
            {"secretRef": {"name": "mottak-azure", "optional": True}},
        ],
        "startupProbe": {"httpGet": {"path": "/internal/is_alive", "port": "internal"}, "periodSeconds": 2, "failureThreshold": 30},
        "livenessProbe": {"httpGet": {"path": "/internal/is_alive", "port": "internal"}, "periodSeconds": 10, "failureThreshold": 3},
        "readinessProbe": {"httpGet": {"path": "/internal/is_ready", "port": "internal"}, "periodSeconds": 5, "failureThreshold": 2},
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
                    "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": str(INTERNAL_PORT), "prometheus.io/path": "/internal/metrics"},
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
                    "topic": topic_names()[topic],
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
              "data": {"LOG_FORMAT": "json", "LOG_LEVEL": "info", "APPLICATION_PORT": "8080", "INTERNAL_PORT": str(INTERNAL_PORT), "MIGRATIONS_DIR": "/app/migrations",
                       "SUBMISSION_WAIT_MS": "10000", "MASKINPORTEN_CUSTOM_SCOPE_NAME": exposed_scope(SCOPE), **topic_names()}}
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
                # Metrics' scrapes from the monitoring namespace, on the internal port only (the
                # kubelet's probes are not subject to network policies).
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
                 "ports": [{"port": INTERNAL_PORT, "protocol": "TCP"}]},
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


def topics(pool, app):
    """The owned topics as NAIS `Topic`s: `metadata.name` in namespace team-esyfo is the Kafka
    topic `team-esyfo.<name>`, the name the code is given in its KAFKA_TOPIC_* variable."""
    out = []
    for _, name, partitions, hours, writers, readers in TOPICS:
        acl = [{"team": NAMESPACE, "application": app, "access": "readwrite"}]
        acl += [{"team": team, "application": who, "access": "write"} for team, who in writers]
        acl += [{"team": team, "application": who, "access": "read"} for team, who in readers]
        out.append({
            "apiVersion": "kafka.nais.io/v1", "kind": "Topic",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"team": NAMESPACE, "app.kubernetes.io/name": APP}},
            "spec": {"pool": pool, "config": {"partitions": partitions, "replication": 3, "retentionHours": hours,
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
        ("MottakDependencyDown", "(time() - max by (dependency) (mottak_dependency_circuit_opened_at_seconds > 0)) > 900", "0m", "warning",
         "A NAV API has answered nothing usable for 15 minutes (its circuit is open): plans for it wait, parked, and go on "
         "by themselves when it is back (RUNBOOK.md, 'A NAV API is down')."),
        ("MottakGpPossibleDuplicate", "sum(increase(mottak_gp_possible_duplicates_total[15m])) > 0", "0m", "warning",
         "A plan was sent to the GP again after an attempt that ended without a known answer: the GP office may have it twice "
         "(RUNBOOK.md, 'Scaling': the one delivery a kill can repeat)."),
        ("MottakAuditLogUnavailable", "sum(increase(mottak_audit_records_failed_total[10m])) > 0", "0m", "critical",
         "Audit records could not be sent to NAV's audit log (audit.nais): case workers get 503 in Modia until it takes them "
         "again (RUNBOOK.md, 'Audit log')."),
        ("MottakHttpErrors", 'sum(rate(mottak_http_requests_total{status=~"5.."}[5m])) / sum(rate(mottak_http_requests_total[5m])) > 0.05',
         "5m", "critical", "More than 5 % of API requests fail with 5xx (RUNBOOK.md, 'API errors')."),
    ]
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": {"name": "mottak-alerts", "namespace": NAMESPACE, "labels": {"team": NAMESPACE, "app.kubernetes.io/name": APP}},
        "spec": {"groups": [{"name": APP, "rules": [
            # NAIS routes an alert to the Slack channel of the team its `namespace` label names.
            {"alert": alert, "expr": expr, "for": wait, "labels": {"severity": severity, "namespace": NAMESPACE},
             "annotations": {"summary": summary, "runbook": "RUNBOOK.md in the repository"}}
            for alert, expr, wait, severity, summary in rules]}]},
    }


def nais_application():
    """The one NAIS Application: every role in each pod (`serve --role all`), under the name
    NAV's services admit, owning the one database. `{{ … }}` are filled in per cluster from
    nais/vars/<cluster>.json by nais/deploy."""
    scope_name = exposed_scope(SCOPE)
    env = [
        {"name": "MIGRATE_ON_START", "value": "true"},
        # NAIS does not set it: it is the scope this Application exposes, below.
        {"name": "MASKINPORTEN_CUSTOM_SCOPE_NAME", "value": scope_name},
        {"name": "DATABASE_MAX_CONNECTIONS", "value": str(NAIS_DATABASE_POOL)},
        # The probes and metrics, apart from the port the ingress publishes (liveness.port & co.).
        {"name": "INTERNAL_PORT", "value": str(INTERNAL_PORT)},
    ]
    env += [{"name": variable, "value": name} for variable, name in sorted(topic_names().items())]
    env += [{"name": variable, "value": "{{ %s }}" % variable} for variable in NAV_API_VARIABLES]
    urls = [CLUSTERS["prod-gcp"][v] for v in NAV_API_VARIABLES if v.endswith("_URL")]
    rules = [outbound_rule(url) for url in urls if url.startswith("http://")]
    external = [{"host": "{{ %s }}" % host_placeholder(v)} for v in NAV_API_VARIABLES
                if v.endswith("_URL") and CLUSTERS["prod-gcp"][v].startswith("https://")]
    spec = {
        "image": "{{ image }}",
        "command": ["/app/mottak", "serve", "--role", "all"],
        "port": 8080,
        "liveness": {"path": "/internal/is_alive", "port": INTERNAL_PORT, "initialDelay": 5, "periodSeconds": 10, "failureThreshold": 3},
        "readiness": {"path": "/internal/is_ready", "port": INTERNAL_PORT, "initialDelay": 5, "periodSeconds": 5, "failureThreshold": 2},
        "startup": {"path": "/internal/is_alive", "port": INTERNAL_PORT, "periodSeconds": 2, "failureThreshold": 30},
        # prometheus.port is a string in NAIS's spec (nais/doc, application-spec.md).
        "prometheus": {"enabled": True, "path": "/internal/metrics", "port": str(INTERNAL_PORT)},
        "observability": {"logging": {"destinations": [{"id": "loki"}, {"id": "elastic"}]}},
        # Our own HorizontalPodAutoscaler (nais/hpa.yaml) scales on CPU and on every consumer
        # group's lag: NAIS's built-in Kafka strategy takes one topic, and here every pod
        # consumes seven.
        "replicas": {**NAIS_REPLICAS, "disableAutoScaling": True},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": NAIS_SURGE, "maxUnavailable": 0}},
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "768Mi"}},
        "kafka": {"pool": "{{ kafkaPool }}"},
        "gcp": {"sqlInstances": [{
            "name": APP, "type": "POSTGRES_15", "tier": "{{ dbTier }}", "diskType": "SSD", "diskSize": "{{ dbDiskSize }}",
            "diskAutoresize": True, "highAvailability": "{{ dbHighAvailability }}", "pointInTimeRecovery": "{{ dbPointInTimeRecovery }}",
            "autoBackupHour": 1, "maintenance": {"day": 1, "hour": 4}, "insights": {"enabled": True},
            "flags": [{"name": "max_connections", "value": str(DATABASE_MAX_CONNECTIONS)}],
            # users: the analysts' read-only user (the old service's V13 `esyfo-analyse`); NAIS makes
            # its password, migrations/0009 gives it the `analytics` views and nothing else. The
            # name's hyphen is allowed by the Application CRD's pattern `^[_a-zA-Z][-_a-zA-Z0-9]+$`
            # (nais/doc application-spec; the how-to's shorter regex is older).
            "databases": [{"name": APP, "envVarPrefix": "GCP_DB", "users": [{"name": ANALYST_USER}]}],
        }]},
        # allowAllUsers: any NAV employee's token is accepted here; who may see which person is
        # istilgangskontroll's decision per request (as the original, domain-reference 3.2).
        "azure": {"application": {"enabled": True, "allowAllUsers": True}},
        "maskinporten": {"enabled": True, "scopes": {"exposes": [SCOPE]}},
        "ingresses": ["{{ ingress }}"],
        "accessPolicy": {"inbound": {"rules": INBOUND}, "outbound": {"rules": rules, "external": external}},
        "env": env,
        # Drain (5 s) + graceful shutdown (30 s) + the watchdog's 5 s fit inside.
        "terminationGracePeriodSeconds": 45,
    }
    return {"apiVersion": "nais.io/v1alpha1", "kind": "Application",
            "metadata": {"name": NAIS_APP, "namespace": NAMESPACE, "labels": {"team": NAMESPACE}},
            "spec": spec}


def nais_autoscaler():
    """CPU and the lag (in seconds, as NAIS's metrics adapter reports it) of every consumer
    group, at most as many pods as the pipeline's topics have partitions. The metric and its
    labels: nais/doc workloads/application/reference/automatic-scaling.md ("Scaling based on
    external metrics")."""
    metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    for name, _, topic, _ in ROLES:
        if topic:
            metrics.append({"type": "External", "external": {
                "metric": {"name": "kafka_consumergroup_group_max_lag_seconds",
                           "selector": {"matchLabels": {"topic": topic_names()[topic], "group": f"{APP}-{GROUP[name]}"}}},
                "target": {"type": "AverageValue", "averageValue": "60"}}})
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": NAIS_APP, "namespace": NAMESPACE, "labels": {"team": NAMESPACE}},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAIS_APP},
                     "minReplicas": NAIS_REPLICAS["min"], "maxReplicas": NAIS_REPLICAS["max"], "metrics": metrics,
                     "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}}


def nais_vars(cluster):
    values = dict(CLUSTERS[cluster])
    for variable in NAV_API_VARIABLES:
        if variable.endswith("_URL") and values[variable].startswith("https://"):
            values[host_placeholder(variable)] = host(values[variable])
    return values


# Placeholders whose values are not strings: written unquoted, so that the rendered manifest
# has a boolean or a number there (NAIS's templating replaces text).
UNQUOTED = ("dbHighAvailability", "dbDiskSize", "dbPointInTimeRecovery")


def dump(documents):
    # JSON is YAML: exact, diff-friendly, and needs no YAML library.
    text = "".join("---\n" + json.dumps(doc, indent=2) + "\n" for doc in documents)
    for name in UNQUOTED:
        text = text.replace('"{{ %s }}"' % name, "{{ %s }}" % name)
    return HEADER + text


def files():
    out = {}
    for name, role, topic, partitions in ROLES:
        docs = [deployment(name, role, topic), pdb(name)]
        if topic:
            docs.append(scaled_object(name, topic, partitions))
        out[f"base/{name}.yaml"] = dump(docs)
    out["base/shared.yaml"] = dump(others())
    out["base/topics.yaml"] = dump(topics("nav-dev", APP))
    out["base/alerts.yaml"] = dump([prometheus_rule()])
    out["base/kustomization.yaml"] = HEADER + json.dumps({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": ["shared.yaml", "topics.yaml", "alerts.yaml"] + [f"{name}.yaml" for name, _, _, _ in ROLES],
    }, indent=2) + "\n"
    # NAIS: nais/deploy with RESOURCE=these files and VARS=nais/vars/<cluster>.json (the image
    # comes as VAR image=…, from the workflow's build).
    out["nais/app.yaml"] = dump([nais_application()])
    out["nais/hpa.yaml"] = dump([nais_autoscaler()])
    out["nais/topics.yaml"] = dump(topics("{{ kafkaPool }}", NAIS_APP))
    out["nais/alerts.yaml"] = dump([prometheus_rule()])
    for cluster in CLUSTERS:
        out[f"nais/vars/{cluster}.json"] = json.dumps(nais_vars(cluster), indent=2) + "\n"
    return out


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else HERE
    written = files()
    for folder in ("base", "nais", "nais/vars"):
        full = os.path.join(target, folder)
        for stale in os.listdir(full) if os.path.isdir(full) else []:
            path = os.path.join(full, stale)
            if os.path.isfile(path) and f"{folder}/{stale}" not in written:
                os.remove(path)
    for path, text in written.items():
        full = os.path.join(target, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(text)
