#!/usr/bin/env python3
"""Puts each defect the NAIS manifests once had (issue 17) back into a copy of the repository
and expects scripts/check_deploy.py to refuse it: the checks are only worth something if each
of them can fail. Run by scripts/validate-deploy.sh (part of `make test`).

Usage: check_deploy_defects.py <python with jsonschema>"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.argv[1] if len(sys.argv) > 1 else sys.executable


def load(tree, name):
    with open(os.path.join(tree, "deploy", "nais", name)) as handle:
        header, *parts = handle.read().split("---\n")
    return header, parts


def edit_app(change):
    """A defect in the Application: `change(spec, app)` edits it (templated JSON text)."""
    def apply(tree):
        header, parts = load(tree, "app.yaml")
        # The non-string placeholders are not JSON until rendered: quote them for the edit.
        text = parts[0]
        for name in ("dbHighAvailability", "dbDiskSize", "dbPointInTimeRecovery"):
            text = text.replace("{{ %s }}" % name, '"{{ %s }}"' % name)
        app = json.loads(text)
        change(app["spec"], app)
        text = json.dumps(app, indent=2) + "\n"
        for name in ("dbHighAvailability", "dbDiskSize", "dbPointInTimeRecovery"):
            text = text.replace('"{{ %s }}"' % name, "{{ %s }}" % name)
        write(tree, "app.yaml", header + "---\n" + text)
    return apply


def write(tree, name, text):
    with open(os.path.join(tree, "deploy", "nais", name), "w") as handle:
        handle.write(text)


def env(spec, name, value=None):
    spec["env"] = [item for item in spec["env"] if item["name"] != name]
    if value is not None:
        spec["env"].append({"name": name, "value": value})


def one_app_per_role(tree):
    header, parts = load(tree, "app.yaml")
    write(tree, "app.yaml", header + "---\n" + parts[0] + "---\n" + parts[0].replace('"name": "lps-oppfolgingsplan-mottak"', '"name": "lps-oppfolgingsplan-mottak-lookup"'))


def drop_file(name, replacement=""):
    def apply(tree):
        write(tree, name, "# nothing\n" + replacement)
    return apply


def remove_topic(tree):
    header, parts = load(tree, "topics.yaml")
    write(tree, "topics.yaml", header + "".join("---\n" + part for part in parts[1:]))


def hpa_watches_one_group(tree):
    header, parts = load(tree, "hpa.yaml")
    hpa = json.loads(parts[0])
    hpa["spec"]["metrics"] = hpa["spec"]["metrics"][:2]
    write(tree, "hpa.yaml", header + "---\n" + json.dumps(hpa, indent=2) + "\n")


def workflow_deploys_latest(tree):
    path = os.path.join(tree, ".github", "workflows", "build-and-deploy.yaml")
    with open(path) as handle:
        text = handle.read()
    with open(path, "w") as handle:
        handle.write(text.replace("VAR: image=${{ needs.build.outputs.image }}", "VAR: image=ghcr.io/navikt/oppfolgingsplan-mottak:latest"))


def alert_without_namespace(tree):
    header, parts = load(tree, "alerts.yaml")
    rule = json.loads(parts[0])
    del rule["spec"]["groups"][0]["rules"][0]["labels"]["namespace"]
    write(tree, "alerts.yaml", header + "---\n" + json.dumps(rule, indent=2) + "\n")


DEFECTS = {
    "the code's local topic names on NAIS": edit_app(lambda spec, _: env(spec, "KAFKA_TOPIC_RECEIVED", "followupplan.received")),
    "an owned topic's name left unset": edit_app(lambda spec, _: env(spec, "KAFKA_TOPIC_CHANNEL_GP")),
    "the scope's name with the product in it": edit_app(
        lambda spec, _: spec["maskinporten"]["scopes"]["exposes"][0].update(name="oppfolgingsplan/lps.write")),
    "a scope no LPS can get (consumers: [], not accessibleForAll)": edit_app(
        lambda spec, _: spec["maskinporten"]["scopes"]["exposes"][0].update(accessibleForAll=False, consumers=[])),
    "a scope without Altinn delegation": edit_app(lambda spec, _: spec["maskinporten"]["scopes"]["exposes"][0].pop("delegationSource")),
    "one Application per role (a database each)": one_app_per_role,
    "a role under a name NAV's services do not know": edit_app(lambda _, app: app["metadata"].update(name="oppfolgingsplan-mottak-nav-channel")),
    "max_connections below the pools": edit_app(lambda spec, _: spec["gcp"]["sqlInstances"][0].update(flags=[{"name": "max_connections", "value": "50"}])),
    "no KRR outbound rule": edit_app(lambda spec, _: spec["accessPolicy"]["outbound"].update(
        rules=[r for r in spec["accessPolicy"]["outbound"]["rules"] if r["application"] != "digdir-krr-proxy"])),
    "a NAV API without its URL": edit_app(lambda spec, _: env(spec, "PDL_URL")),
    "scaling on CPU only (NAIS's own autoscaler)": edit_app(lambda spec, _: spec["replicas"].pop("disableAutoScaling")),
    "an autoscaler blind to most consumer groups": hpa_watches_one_group,
    "no Topic manifests": drop_file("topics.yaml"),
    "a topic the code uses without its Topic": remove_topic,
    "no alerts": drop_file("alerts.yaml"),
    "an alert NAIS cannot route": alert_without_namespace,
    "an image tagged latest": edit_app(lambda spec, _: spec.update(image="ghcr.io/navikt/oppfolgingsplan-mottak:latest")),
    "the workflow deploying latest": workflow_deploys_latest,
    "a misspelt field NAIS would drop": edit_app(lambda spec, _: spec.update(sqlInstance=spec["gcp"]["sqlInstances"])),
    "probes and metrics on the ingress's port": edit_app(lambda spec, _: [spec[probe].pop("port") for probe in ("liveness", "readiness", "startup", "prometheus")]),
    "no INTERNAL_PORT: the routes on the ingress's port": edit_app(lambda spec, _: env(spec, "INTERNAL_PORT")),
    "Modia's backend not let in": edit_app(lambda spec, _: spec["accessPolicy"].pop("inbound")),
    "case workers' tokens refused by NAIS (no allowAllUsers)": edit_app(lambda spec, _: spec["azure"]["application"].pop("allowAllUsers")),
    "no istilgangskontroll outbound rule": edit_app(lambda spec, _: spec["accessPolicy"]["outbound"].update(
        rules=[r for r in spec["accessPolicy"]["outbound"]["rules"] if r["application"] != "istilgangskontroll"])),
    "the analysts' user granted by a migration but not made by NAIS": edit_app(
        lambda spec, _: spec["gcp"]["sqlInstances"][0]["databases"][0].pop("users")),
    "a value NAIS's schema refuses": edit_app(lambda spec, _: spec["maskinporten"]["scopes"]["exposes"][0].update(atMaxAge=5)),
}


def main():
    survivors = []
    for name, defect in DEFECTS.items():
        with tempfile.TemporaryDirectory() as tree:
            for shared in ("Sources", "docs", "migrations"):
                os.symlink(os.path.join(ROOT, shared), os.path.join(tree, shared))
            shutil.copytree(os.path.join(ROOT, "deploy"), os.path.join(tree, "deploy"))
            shutil.copytree(os.path.join(ROOT, ".github"), os.path.join(tree, ".github"))
            defect(tree)
            result = subprocess.run([PYTHON, os.path.join(ROOT, "scripts", "check_deploy.py")], env={**os.environ, "CHECK_DEPLOY_ROOT": tree},
                                    capture_output=True, text=True)
            if result.returncode == 0:
                survivors.append(name)
    if survivors:
        print("check_deploy.py accepts these known defects: " + "; ".join(survivors), file=sys.stderr)
        sys.exit(1)
    print(f"deploy: check_deploy.py refuses each of the {len(DEFECTS)} known defects")


main()
