#!/bin/sh
# rkm_phy's part of `make bench`: MDIO transactions per poll and per link-up,
# rkm_phy's drivers against the in-tree ones (bench_phy.py).
exec python3 "$(dirname "$0")/bench_phy.py"
