#!/usr/bin/env bash
# Builds the sample apps' images (examples/web, examples/api), the shared echo backend's
# (examples/echo: the shared one, and any Beta's personal copy of it) and the QA suite's
# (examples/qa, run by `beta test`) and loads them into the kind cluster, where the platform
# runs them as beta-examples/<name>:<tag>.
#
#   bash examples/load-images.sh            # tag local-1 (beta:releaseTag in Pulumi.local.yaml)
#   bash examples/load-images.sh local-2    # a new build, then: npx beta release local-2 --platform-stack local
#
# Env: KIND_CLUSTER (default beta, the cluster of examples/kind.yaml).
set -euo pipefail

tag="${1:-local-1}"
cluster="${KIND_CLUSTER:-beta}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
  echo "load-images: $*" >&2
  exit 1
}

# The same rule as an image tag in beta:releaseTag.
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
  fail "\"$tag\" is not an image tag (letters, digits, '_', '.', '-'; at most 128 characters), e.g. local-2"

command -v docker >/dev/null 2>&1 ||
  fail "docker is not installed or not on PATH: install Docker (https://docs.docker.com/get-docker/) and start it"
docker info >/dev/null 2>&1 ||
  fail "docker is installed but its daemon does not answer (docker info failed): start Docker, or add yourself to the docker group"
command -v kind >/dev/null 2>&1 ||
  fail "kind is not installed or not on PATH: install kind v0.24.0 or newer (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"
kind get clusters 2>/dev/null | grep -qx "$cluster" ||
  fail "there is no kind cluster \"$cluster\": create it with: kind create cluster --config examples/kind.yaml"

for app in web api echo qa; do
  image="beta-examples/$app:$tag"
  echo "Building $image from examples/$app..."
  docker build --quiet --build-arg "VERSION=$tag" --tag "$image" "$here/$app" >/dev/null
  echo "Loading $image into kind cluster $cluster..."
  kind load docker-image --name "$cluster" "$image"
done
echo "Loaded beta-examples/web, api, echo and qa, tagged $tag, into kind cluster $cluster."
