#!/usr/bin/env bash
# Every benchmark with its defaults: about 6 minutes on a 2-core machine. Figures and ratios only,
# never pass/fail (see BENCHMARKS.md). Run from anywhere: bash benchmarks/run_all.sh | tee bench.txt
# Pass --full to run the rate-limited fan-out with 2,000 channels (adds >= 3 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
fanout_args=()
[[ "${1:-}" == "--full" ]] && fanout_args=(--full)
export LOG_LEVEL=WARNING
for bench in http_commands fanout plan memory queries; do
    echo
    echo "################ python -m benchmarks.${bench} $([[ $bench == fanout ]] && echo "${fanout_args[@]:-}")"
    started=$SECONDS
    if [[ $bench == fanout ]]; then
        uv run python -m "benchmarks.${bench}" "${fanout_args[@]}"
    else
        uv run python -m "benchmarks.${bench}"
    fi 2>&1 | grep -v "mattermostautodriver.websocket"
    echo "(${bench}: $((SECONDS - started)) s)"
done
