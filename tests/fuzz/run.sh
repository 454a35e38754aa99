#!/bin/sh
# run.sh - `make fuzz`: build every tests/fuzz/<name>/fuzz.c with clang's
# libFuzzer against the whole library (compiled with clang and ASan+UBSan),
# then fuzz each for FUZZ_SECONDS (default 60) starting from its corpus.
# New interesting inputs go to build/fuzzing/<name>/corpus; a crash leaves
# crash-* in build/fuzzing/<name>/: copy it into tests/fuzz/<name>/corpus/ so
# make check replays it from then on.  FUZZ_ONLY="mime quote" picks harnesses.
set -eu
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-60}
OUT=build/fuzzing
CF="-std=c11 -D_GNU_SOURCE -Isrc -include src/base/banned.h -g -O1 -fno-omit-frame-pointer
 $(pkg-config --cflags libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0 gmime-3.0 libcurl libcmark-gfm icu-i18n icu-uc)"
LIBS="$(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0 gmime-3.0 libcurl libcmark-gfm icu-i18n icu-uc) -lstemmer -lmagic -lpthread -lm"
mkdir -p "$OUT/obj"
objs=""
for c in $(ls src/*/*.c src/*/*/*.c); do
	o="$OUT/obj/$(echo "$c" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ]; then
		clang $CF -fsanitize=fuzzer-no-link,address,undefined -c "$c" -o "$o"
	fi
	objs="$objs $o"
done
status=0
for h in tests/fuzz/*/fuzz.c; do
	name=$(basename "$(dirname "$h")")
	case " ${FUZZ_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
	mkdir -p "$OUT/$name/corpus"
	clang $CF -fsanitize=fuzzer,address,undefined "$h" $objs $LIBS -o "$OUT/$name/fuzz"
	echo "fuzz: $name for ${SECS}s"
	if ! (cd "$OUT/$name" && ./fuzz -max_total_time="$SECS" -max_len=65536 \
		-rss_limit_mb=2048 corpus "../../../tests/fuzz/$name/corpus" 2>fuzz.log); then
		echo "fuzz: $name FAILED; see $OUT/$name/fuzz.log and $OUT/$name/crash-*"
		tail -30 "$OUT/$name/fuzz.log"
		status=1
	else
		grep -E "Done [0-9]+ runs" "$OUT/$name/fuzz.log" | tail -1 || true
	fi
done
exit $status
