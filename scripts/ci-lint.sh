#!/bin/bash
# actionlint over the CI workflows (.github/workflows/); it runs shellcheck
# over their run: steps when shellcheck is installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

exec "$RKM_VENV/bin/actionlint" "$RKM_ROOT"/.github/workflows/*.yml
