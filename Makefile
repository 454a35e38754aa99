# Sonnim build.  `make run` = deps + build + init + serve; `make check` = all tests
# under ASan+UBSan; `make bench`, `make fuzz` are kept out of `make check`.
CC      ?= cc
BUILD   ?= build
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0 gmime-3.0 libcurl libcmark-gfm icu-i18n icu-uc
PKGCF   := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lmagic -lpthread -lm
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wstrict-prototypes
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -Isrc -include src/base/banned.h $(WARN) $(PKGCF) -g
REL_CFLAGS  := $(CFLAGS_COMMON) -O2
ASAN_CFLAGS := $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_LDFLAGS := -fsanitize=address,undefined

SRC  := $(filter-out src/main.c,$(wildcard src/*/*.c src/*/*/*.c))
HDRS := $(wildcard src/*/*.h src/*/*/*.h)
UNIT := $(wildcard tests/unit/*/test_*.c tests/unit/*/*/test_*.c)
FUZZ := $(wildcard tests/fuzz/*/fuzz.c)

REL_OBJ  := $(SRC:src/%.c=$(BUILD)/rel/%.o) $(BUILD)/rel/gen/web_assets.o
ASAN_OBJ := $(SRC:src/%.c=$(BUILD)/asan/%.o) $(BUILD)/asan/gen/web_assets.o
UNIT_BIN := $(UNIT:tests/unit/%.c=$(BUILD)/asan/tests/%)
REPLAY_BIN := $(FUZZ:tests/fuzz/%/fuzz.c=$(BUILD)/asan/replay/%)

.PHONY: all run check bench fuzz clean deps deps-check format
all: $(BUILD)/rel/sonnim

deps:
	@sh scripts/deps.sh run
deps-check:
	@sh scripts/deps.sh check

$(BUILD)/rel/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(REL_CFLAGS) -c $< -o $@
$(BUILD)/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ASAN_CFLAGS) -c $< -o $@

# The agent workspace (web/): npm ci from the lockfile when node_modules is
# missing or older than it, esbuild into $(BUILD)/web (hashed names), then
# scripts/embed-web.mjs turns that into $(BUILD)/gen/web_assets.c (bytes +
# gzip + ETags), compiled into the binary like any other source.
WEB_SRC := web/package.json web/package-lock.json web/build.mjs $(wildcard web/src/*) $(wildcard web/widget/*)
web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	@echo "  NPM     web (npm ci)"
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@
$(BUILD)/web/index.html: $(WEB_SRC) web/node_modules/.package-lock.json
	@echo "  WEB     $(BUILD)/web"
	@node web/build.mjs $(BUILD)/web
$(BUILD)/gen/web_assets.c: $(BUILD)/web/index.html scripts/embed-web.mjs
	@node scripts/embed-web.mjs $(BUILD)/web $@
$(BUILD)/rel/gen/web_assets.o: $(BUILD)/gen/web_assets.c src/http/static.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(REL_CFLAGS) -c $< -o $@
$(BUILD)/asan/gen/web_assets.o: $(BUILD)/gen/web_assets.c src/http/static.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ASAN_CFLAGS) -c $< -o $@

$(BUILD)/rel/libsonnim.a: $(REL_OBJ)
	@ar rcs $@ $^
$(BUILD)/asan/libsonnim.a: $(ASAN_OBJ)
	@ar rcs $@ $^

$(BUILD)/rel/sonnim: src/main.c $(BUILD)/rel/libsonnim.a
	@echo "  LINK    $@"
	@$(CC) $(REL_CFLAGS) $< $(BUILD)/rel/libsonnim.a $(PKGLIBS) -o $@
$(BUILD)/asan/sonnim: src/main.c $(BUILD)/asan/libsonnim.a
	@echo "  LINK    $@"
	@$(CC) $(ASAN_CFLAGS) $< $(BUILD)/asan/libsonnim.a $(ASAN_LDFLAGS) $(PKGLIBS) -o $@

$(BUILD)/asan/tests/%: tests/unit/%.c $(BUILD)/asan/libsonnim.a tests/unit/testutil.h tests/unit/store/testdb.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ASAN_CFLAGS) -Itests/unit $< $(BUILD)/asan/libsonnim.a $(ASAN_LDFLAGS) $(PKGLIBS) -lcmocka -o $@

# the end-to-end mail tests (tests/mail/run.sh runs them against Postfix+Dovecot)
$(BUILD)/asan/mail/%: tests/mail/%.c $(BUILD)/asan/libsonnim.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ASAN_CFLAGS) -Itests/unit $< $(BUILD)/asan/libsonnim.a $(ASAN_LDFLAGS) $(PKGLIBS) -lcmocka -o $@

# every fuzz harness is also built with gcc and a plain main() that replays
# its corpus (crashers included) in make check
$(BUILD)/asan/replay/%: tests/fuzz/%/fuzz.c tests/fuzz/replay.c $(BUILD)/asan/libsonnim.a
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	@$(CC) $(ASAN_CFLAGS) $< tests/fuzz/replay.c $(BUILD)/asan/libsonnim.a $(ASAN_LDFLAGS) $(PKGLIBS) -o $@

# make run: install what is missing, build, create var/sonnim.db with the demo
# workspace if absent, then serve http://127.0.0.1:8080
run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p var
	@if [ -f var/sonnim.db ]; then cat var/admin.txt 2>/dev/null; \
	 else ./$(BUILD)/rel/sonnim init --demo; fi
	./$(BUILD)/rel/sonnim serve

check: deps-check
	@$(MAKE) --no-print-directory $(BUILD)/asan/sonnim $(UNIT_BIN) $(REPLAY_BIN) \
		$(BUILD)/asan/mail/test_transport
	@sh tests/run.sh

$(BUILD)/rel/bench/mail_parse: bench/mail_parse.c $(BUILD)/rel/libsonnim.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(REL_CFLAGS) $< $(BUILD)/rel/libsonnim.a $(PKGLIBS) -o $@

bench: deps-check all $(BUILD)/rel/bench/mail_parse
	@sh bench/run.sh
	@SONNIM_BIN=$(BUILD)/rel/sonnim sh bench/mail.sh

fuzz: deps-check $(BUILD)/gen/web_assets.c
	@sh tests/fuzz/run.sh

format:
	clang-format -i src/*/*.c src/*/*.h src/main.c

clean:
	rm -rf $(BUILD)
