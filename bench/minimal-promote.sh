#!/usr/bin/env bash
# The protocol's minimum for a promotion, one request after another, as a careful bash user writes it:
#   minimal-promote.sh BASE_URL SOURCE_REPO SOURCE_TAG DEST_REPO TAG...
# Same repository: GET the manifest, PUT it under each tag. Another repository: also GET each child
# manifest, mount its config and layers (POST ?mount=&from=), PUT the children by digest first.
set -euo pipefail
base=$1 src=$2 srctag=$3 dst=$4
shift 4
accept='application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

get_manifest() { # ref file -> prints the media type
  curl -sSf -H "Accept: $accept" -D "$2.headers" -o "$2" "$base/v2/$src/manifests/$1"
  tr -d '\r' <"$2.headers" | awk -F': ' 'tolower($1)=="content-type"{print $2}'
}
put_manifest() { # file mediatype ref
  curl -sSf -X PUT -H "Content-Type: $2" --data-binary "@$1" -o /dev/null "$base/v2/$dst/manifests/$3"
}

type=$(get_manifest "$srctag" "$work/root")
if [ "$src" != "$dst" ]; then
  for child in $(jq -r '.manifests[]?.digest' "$work/root"); do
    ctype=$(get_manifest "$child" "$work/child")
    for blob in $(jq -r '.config.digest, .layers[].digest' "$work/child"); do
      curl -sSf -X POST -o /dev/null "$base/v2/$dst/blobs/uploads/?mount=$blob&from=$src"
    done
    put_manifest "$work/child" "$ctype" "$child"
  done
fi
for tag in "$@"; do put_manifest "$work/root" "$type" "$tag"; done
