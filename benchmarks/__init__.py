"""Benchmarks against the physical ceiling (SPEC §7). They print figures and ratios, never pass/fail.

Run everything: `bash benchmarks/run_all.sh`; or one of `python -m benchmarks.http_commands`,
`benchmarks.fanout`, `benchmarks.plan`, `benchmarks.memory` (see BENCHMARKS.md).
"""
