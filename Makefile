# techbridge: one Makefile. `make` builds build/techbridge and the web UI;
# `make test` runs the whole suite (see tests/run); `make bench` the benchmarks.

CC ?= cc
PKGS := libmicrohttpd sqlite3 libpq jansson libsodium libutf8proc xlsxwriter liboath
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lm -lpthread

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wno-format-nonliteral -Wvla
ifeq ($(CI),true)
WARN += -Werror
endif

# SAN=1 builds everything into build/san with ASan and UBSan.
# FUZZER=1 builds lib/ and core/ with clang's libFuzzer coverage, ASan and UBSan into
# build/fuzzer, and the fuzz targets as libFuzzer programs (`make fuzz`, tools/fuzz).
ifeq ($(FUZZER),1)
CC := clang
BUILD := build/fuzzer
OPT := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
       -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
else ifeq ($(SAN),1)
BUILD := build/san
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
else
BUILD := build
OPT ?= -O2 -g
LDSAN :=
endif

CFLAGS := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(LDSAN) $(EXTRA_LDFLAGS)

LAYERS := lib core db app http cli
SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c src/$(l)/*/*.c))
MAIN := src/cli/main.c
LIB_SRC := $(filter-out $(MAIN),$(SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# The fuzz targets call only lib/ and core/ (pure, no I/O): FUZZER=1 links them with those.
PURE_OBJ := $(filter $(BUILD)/src/lib/% $(BUILD)/src/core/%,$(LIB_OBJ))
FUZZER_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/libfuzzer/%)
# Generated sources: the SQL schema and the web UI, embedded in the binary.
GEN_OBJ := $(BUILD)/gen/embed.o

.PHONY: all bin web test unit lint format bench clean run demo tools fuzz fuzzers man
# The web UI is built first so that the binary embeds it.
all: web
	$(MAKE) bin

bin: $(BUILD)/techbridge

$(BUILD)/techbridge: $(BUILD)/src/cli/main.o $(BUILD)/libtechbridge.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libtechbridge.a: $(LIB_OBJ) $(GEN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Embedded files: migrations and rulesets (always) and the built web UI (when present).
$(BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

# The common-password list: John the Ripper's (Debian john-data), lowercased and sorted
# for core/password.c; entries shorter than the minimum length are refused anyway.
COMMON_PASSWORDS := /usr/share/john/password.lst
$(BUILD)/gen/common-passwords.txt: $(COMMON_PASSWORDS)
	@mkdir -p $(dir $@)
	grep -v '^#!comment:' $< | awk 'length >= 8' | tr 'A-Z' 'a-z' | LC_ALL=C sort -u > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/embed.c: $(BUILD)/embed $(BUILD)/gen/common-passwords.txt $(wildcard sql/migrations/*.sql) $(wildcard rules/*.json) $(wildcard rules/holidays/*.json) $(shell find web/dist -type f 2>/dev/null)
	@mkdir -p $(dir $@)
	$(BUILD)/embed sql/migrations rules web/dist $(BUILD)/gen/common-passwords.txt=passwords/common.txt > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/embed.o: $(BUILD)/gen/embed.c
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libtechbridge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libtechbridge.a $(PKG_LIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libtechbridge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/libtechbridge.a $(PKG_LIBS)

unit: $(UNIT_BIN) $(FUZZ_BIN)

# libFuzzer programs (FUZZER=1 only): the target without replay.c, libFuzzer's main instead.
$(BUILD)/libpure.a: $(PURE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libfuzzer/%: tests/fuzz/%.c $(BUILD)/libpure.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILD)/libpure.a $(PKG_LIBS)

ifeq ($(FUZZER),1)
fuzzers: $(FUZZER_BIN)
else
fuzzers:
	$(MAKE) FUZZER=1 fuzzers
endif

# Fuzz for a while: `make fuzz FUZZ="text index" FUZZ_SECONDS=240` (default: every
# target, 60 s each). See tools/fuzz.
fuzz:
	tools/fuzz -t $(or $(FUZZ_SECONDS),60) $(FUZZ)

web: web/dist/index.html

WEB_SRC := $(shell find web/src web/public web/index.html web/vite.config.* web/package.json -type f 2>/dev/null)
web/dist/index.html: $(WEB_SRC)
	@if [ -d web/node_modules ]; then cd web && npx vite build --logLevel warn; \
	else echo "web: node_modules missing (run tools/bootstrap); UI not built" >&2; fi

test: all unit
	tests/run

lint:
	tools/lint

# The manual page is generated from the command table; tests/unit/test_man.c fails
# when docs/techbridge.1 is stale.
man: $(BUILD)/techbridge
	$(BUILD)/techbridge man > docs/techbridge.1.tmp && mv docs/techbridge.1.tmp docs/techbridge.1

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h src/*/*/*.h) $(UNIT_SRC)

bench: all
	bench/run

run: all
	tools/run-demo

clean:
	rm -rf build web/dist

-include $(shell find build -name '*.d' 2>/dev/null)
