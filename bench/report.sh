#!/bin/sh
# bench/report.sh DIR - the RESULT| lines of the last `make bench` as the
# markdown table bench/RESULTS.md and the README keep, with the machine
# they were measured on.
dir=$1
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "Measured $(date -u +%Y-%m-%d) on: ${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr), $(${CC:-cc} --version | head -n1)."
echo
echo "| bench | figure | baseline (same run) | ratio | target |"
echo "|---|---|---|---|---|"
cat "$dir"/*.out 2>/dev/null | sed -n 's/^RESULT|//p' | awk -F'|' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }'
