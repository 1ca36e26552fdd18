#!/bin/sh
# rkm_accept's part of `make bench`: accept_bench (built next to this script)
# prints the JSON report. It loads the module with the parameters of each
# measurement, so the copy the harness loaded goes first and comes back with
# its defaults at the end.
dir=$(dirname "$(readlink -f "$0")")
ko=$dir/../../modules/rkm_accept/rkm_accept.ko
rmmod rkm_accept || exit 1
"$dir/accept_bench" "$ko"
status=$?
insmod "$ko"
exit $status
