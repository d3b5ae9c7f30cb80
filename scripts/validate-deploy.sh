#!/usr/bin/env bash
# Validates deploy/ and the GitHub workflow offline (part of `make test`): the generated files
# are current (deploy/generate.py), every overlay renders (kubectl kustomize), built-in kinds pass
# kubernetes-validate --strict, the workflow passes GitHub's schema (check-jsonschema's vendored
# copy) and zizmor, and scripts/check_deploy.py checks the manifests against the code and NAIS's
# rules (NAIS manifests against NAIS's own CRD schemas in deploy/schemas). Tools from PyPI,
# pinned, in a venv under .build/.
set -euo pipefail
cd "$(dirname "$0")/.."

generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
python3 deploy/generate.py "$generated"
for folder in base nais; do
    if ! diff -r "$generated/$folder" "deploy/$folder" >/dev/null; then
        echo "deploy/$folder is not what deploy/generate.py writes; run: python3 deploy/generate.py" >&2
        diff -r "$generated/$folder" "deploy/$folder" | head -40 >&2
        exit 1
    fi
done

if ! command -v kubectl >/dev/null; then scripts/install-system-packages.sh kubernetes-client; fi
venv=.build/deploy-venv
tools="kubernetes-validate==1.37.0 check-jsonschema==0.39.0 zizmor==1.32.0"
if [ "$(cat "$venv/tools" 2>/dev/null)" != "$tools" ]; then
    python3 -m venv "$venv"
    # shellcheck disable=SC2086 # one word per requirement
    "$venv/bin/pip" install --quiet --disable-pip-version-check $tools
    echo "$tools" >"$venv/tools"
fi

"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yaml
"$venv/bin/zizmor" --offline --quiet --config .github/zizmor.yml .github/workflows/
"$venv/bin/kubernetes-validate" --strict --quiet --no-warn deploy/nais/hpa.yaml

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
"$venv/bin/python" scripts/check_deploy_defects.py "$venv/bin/python"
