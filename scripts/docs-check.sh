#!/bin/bash
# Builds Documentation/ with Sphinx, every warning an error (-W), every
# cross-reference checked (-n); the dummy builder writes nothing but its
# environment, under build/docs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

exec "$RKM_VENV/bin/sphinx-build" -q -n -W --keep-going -C -D master_doc=index -D project=rkm \
	-b dummy "$RKM_ROOT/Documentation" "$RKM_ROOT/build/docs"
