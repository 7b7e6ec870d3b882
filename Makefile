# esreconcile build. `make` builds ./esreconcile; see README.md for the targets.
#   make SANITIZER=address,undefined test   builds into build/san-... and tests that
#   make V=1                                shows full command lines
#   make WERROR=1                           turns warnings into errors (CI does)

VERSION     := 0.1.0
PREFIX      ?= /usr/local
DESTDIR     ?=
CC          ?= cc
PKGS        := yaml-0.1 libcurl libcjson openssl libmicrohttpd
STD         := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN        := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
               -Wconversion -Wno-sign-conversion -Wundef -Wpointer-arith -Wvla
OPT         ?= -O2 -g
ifeq ($(WERROR),1)
WARN        += -Werror
endif

comma       := ,
SANITIZER   ?=
ifneq ($(SANITIZER),)
BUILD       := build/san-$(subst $(comma),-,$(SANITIZER))
SAN_FLAGS   := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT         := -O1 -g
else
BUILD       := build/default
SAN_FLAGS   :=
endif

PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# -fdebug-prefix-map: the binary's debug info names source files relative to the tree, not by the
# build machine's path.
FINAL_CFLAGS = $(STD) $(WARN) $(OPT) $(SAN_FLAGS) $(CFLAGS) -fdebug-prefix-map=$(CURDIR)=. -Ireconciler $(PKG_CFLAGS) \
               -DESR_VERSION='"$(VERSION)"' -MMD -MP
FINAL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)
FINAL_LIBS   = $(PKG_LIBS) -lpthread -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS    := $(sort $(filter-out reconciler/main.c,$(shell find reconciler -name '*.c')))
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ    := $(BUILD)/reconciler/main.o
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%-replay)
BIN         := $(BUILD)/esreconcile
# Test-only driver programs: tests/tools/<name>.c -> $(BUILD)/tools/<name>, built by unit-tests.
TOOL_SRCS   := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS   := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all esreconcile deps test unit-tests demo bench lint install uninstall clean fuzz

all: esreconcile

# ./esreconcile is always the build this make invocation asked for (plain, or
# sanitized with SANITIZER=): phony, so a sanitized copy never lingers.
esreconcile: $(BIN)
	$(Q)cp $(BIN) esreconcile.tmp && mv -f esreconcile.tmp esreconcile

$(BIN): $(MAIN_OBJ) $(LIB_OBJS)
	@echo "  LINK  $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(FINAL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/fuzz/%-replay: tests/fuzz/%.c tests/fuzz/standalone_driver.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(FINAL_CFLAGS) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

unit-tests: $(UNIT_BINS) $(FUZZ_REPLAY) $(TOOL_BINS)

# Installs missing build and test dependencies (apt-get, as root) when something is missing.
deps:
	$(Q)sh tests/install-deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory esreconcile unit-tests
	$(Q)BUILD=$(BUILD) sh tests/run_all.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory esreconcile
	$(Q)sh examples/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory esreconcile
	$(Q)sh tests/bench/run.sh

# libFuzzer build of every fuzz target (clang). Run with a scratch directory first,
# where libFuzzer writes what it finds, and the committed corpus second:
#   mkdir -p build/fuzz/new && build/fuzz/fuzz_loader -max_total_time=120 build/fuzz/new tests/fuzz/corpus/loader
fuzz:
	$(Q)mkdir -p build/fuzz
	$(Q)for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  echo "  FUZZ  build/fuzz/$$n"; \
	  clang $(STD) -g -O1 -fsanitize=fuzzer,address,undefined -Ireconciler $(PKG_CFLAGS) \
	    -DESR_VERSION='"$(VERSION)"' -o build/fuzz/$$n $$f $(LIB_SRCS) $(FINAL_LIBS) || exit 1; done

lint:
	$(Q)clang-tidy --quiet $(LIB_SRCS) reconciler/main.c -- $(STD) -Ireconciler $(PKG_CFLAGS) -DESR_VERSION='"lint"'
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --inline-suppr --suppress=missingIncludeSystem --std=c11 -Ireconciler reconciler

install: esreconcile
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/esreconcile/schemas
	install -m 0755 esreconcile $(DESTDIR)$(PREFIX)/bin/esreconcile
	install -m 0644 schemas/desired-state.schema.json $(DESTDIR)$(PREFIX)/share/esreconcile/schemas/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/esreconcile
	rm -rf $(DESTDIR)$(PREFIX)/share/esreconcile

clean:
	rm -rf build esreconcile

-include $(shell find build -name '*.d' 2>/dev/null)
