"""rkm's test harness: boots the test kernel, runs suites, reads results.

Pure parsing (splat scanning, KTAP) lives in its own modules so host tests can
run it over captured logs without a VM.
"""
