#!/usr/bin/env bash
# Validates deploy/ offline (part of `make test`): the generated files are current
# (deploy/generate.py), every overlay renders (kubectl kustomize), its built-in resources pass
# kubernetes-validate --strict (from PyPI, in a venv under .build/), and scripts/check_deploy.py
# checks what the manifests promise against the code (roles, topics and partitions, probes,
# security context, PDBs, KEDA bounds, alert metrics, NAIS placeholders).
set -euo pipefail
cd "$(dirname "$0")/.."

generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
python3 deploy/generate.py "$generated"
for folder in base nais; do
    if ! diff -r -x vars "$generated/$folder" "deploy/$folder" >/dev/null; then
        echo "deploy/$folder is not what deploy/generate.py writes; run: python3 deploy/generate.py" >&2
        diff -r -x vars "$generated/$folder" "deploy/$folder" | head -40 >&2
        exit 1
    fi
done

if ! command -v kubectl >/dev/null; then scripts/install-system-packages.sh kubernetes-client; fi
venv=.build/deploy-venv
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check kubernetes-validate
fi

rendered=()
for overlay in deploy/overlays/*/; do
    name=$(basename "$overlay")
    kubectl kustomize "$overlay" >"$generated/$name.yaml"
    "$venv/bin/kubernetes-validate" --strict --quiet --no-warn "$generated/$name.yaml"
    "$venv/bin/python" - "$generated/$name.yaml" "$generated/$name.jsonl" <<'PY'
import json, sys, yaml
with open(sys.argv[1]) as source, open(sys.argv[2], "w") as target:
    for document in yaml.safe_load_all(source):
        if document:
            target.write(json.dumps(document) + "\n")
PY
    rendered+=("$generated/$name.jsonl")
done
"$venv/bin/python" scripts/check_deploy.py "${rendered[@]}"
