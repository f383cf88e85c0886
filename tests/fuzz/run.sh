#!/bin/sh
# tests/fuzz/run.sh FUZZ_O SECONDS TARGET... - replay every saved crash,
# then fuzz each target for SECONDS. A crash (replayed or new) fails the
# run; a new one is first copied to tests/fuzz/regressions/<target>/ so it
# becomes a regression test.
set -u
out=$1; secs=$2; shift 2
fail=0
for t in "$@"; do
	bin=$out/$t
	reg=tests/fuzz/regressions/$t
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null | grep -v '^README')" ]; then
		n=$(ls -A "$reg" | grep -vc '^README')
		if "$bin" -runs=1 $(ls -d "$reg"/* | grep -v '/README') >"$out/$t.replay.log" 2>&1; then
			echo "fuzz $t: $n regression input(s) replayed: ok"
		else
			echo "fuzz $t: a regression input crashes again:" >&2
			tail -n 30 "$out/$t.replay.log" >&2
			fail=1
			continue
		fi
	fi
	corpus=$out/corpus/$t
	crashes=$out/crashes/$t
	mkdir -p "$corpus" "$crashes"
	rm -f "$crashes"/*
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$corpus" "$out/seeds/$t" >"$out/$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
		echo "fuzz $t: ${secs}s, ${runs:-?} runs, corpus $(ls "$corpus" | wc -l) inputs: no crash"
	else
		mkdir -p "$reg"
		for c in "$crashes"/*; do
			[ -f "$c" ] && cp "$c" "$reg/" && echo "fuzz $t: crash saved as $reg/$(basename "$c")" >&2
		done
		echo "fuzz $t: FAILED (log: $out/$t.log):" >&2
		grep -m1 -A25 'ERROR\|invariant failed\|runtime error' "$out/$t.log" >&2 || tail -n 30 "$out/$t.log" >&2
		fail=1
	fi
done
exit $fail
