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
CMOCKA_LIBS  = $(shell pkg-config --libs cmocka 2>/dev/null)

# The pure layer: loading, planning, trust checking, the models they share and
# the metrics text, which need neither libcurl nor threads. The unit tests of
# plan, the loader, trust, parsing, metrics and the YAML writer link against it
# alone, without libcurl, and check-purity proves that it stays that way. The
# rest (es/http, es/live_read, util/work_queue, metrics/server, apply/, cmd/)
# may need anything.
PURE_SRCS   := $(filter-out reconciler/util/work_queue.c,\
                 $(filter reconciler/desired/% reconciler/plan/% reconciler/trust/% reconciler/util/%,$(LIB_SRCS))) \
               reconciler/es/live.c reconciler/es/path.c reconciler/es/retry.c \
               reconciler/metrics/metrics.c
PURE_OBJS   := $(PURE_SRCS:%.c=$(BUILD)/%.o)
PURE_PKGS   := yaml-0.1 libcjson openssl
PURE_LIBS    = $(shell pkg-config --libs $(PURE_PKGS) 2>/dev/null) -lm
PURE_UNIT_BINS := $(filter $(BUILD)/tests/test_plan_% $(BUILD)/tests/test_loader% \
                    $(BUILD)/tests/test_trust% $(BUILD)/tests/test_util_parse \
                    $(BUILD)/tests/test_metrics $(BUILD)/tests/test_yaml_writer,$(UNIT_BINS))
# Headers of the modules outside the pure layer, which no pure object may include.
empty       :=
space       := $(empty) $(empty)
IMPURE_HDRS := $(patsubst %.c,%.h,$(filter-out $(PURE_SRCS),$(LIB_SRCS)))
# Objects of the stages, which take no header of the commands (reconciler/cmd/).
STAGE_OBJS  := $(filter-out $(BUILD)/reconciler/cmd/%,$(LIB_OBJS))

.PHONY: all esreconcile deps test unit-tests check-purity demo bench lint install uninstall clean fuzz

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

$(PURE_UNIT_BINS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(PURE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@ (pure: no libcurl)"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(PURE_LIBS) $(CMOCKA_LIBS)

$(filter-out $(PURE_UNIT_BINS),$(UNIT_BINS)): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS) $(CMOCKA_LIBS)

$(BUILD)/fuzz/%-replay: tests/fuzz/%.c tests/fuzz/standalone_driver.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(FINAL_CFLAGS) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

unit-tests: $(UNIT_BINS) $(FUZZ_REPLAY) $(TOOL_BINS)

# Fails when the pure layer stops being pure:
#  - a program of the pure objects alone, linked without libcurl, must link: an
#    object of plan/ or desired/ that calls into es/http.c (or libcurl) leaves
#    an undefined reference;
#  - no pure object may start a thread or call libcurl itself (glibc defines
#    pthread_create, so the link alone would not notice), but the YAML parser's
#    helper (desired/yaml_events.c), which only reads the text of the file being
#    loaded and is joined before its file's parse returns;
#  - no pure object may include a header of a module outside the pure layer
#    (es/http.h, es/live_read.h, util/work_queue.h, apply/, cmd/), and no stage
#    a header of the commands (the compiler's .d files list what each includes).
check-purity: $(LIB_OBJS)
	@mkdir -p $(BUILD)/purity
	@echo "  CHECK purity"
	$(Q)printf 'int main(void) { return 0; }\n' >$(BUILD)/purity/probe.c
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $(BUILD)/purity/probe $(BUILD)/purity/probe.c $(PURE_OBJS) $(PURE_LIBS) || \
	  { echo "check-purity: the pure objects need more than $(PURE_PKGS) (undefined references above)"; exit 1; }
	$(Q)if nm -A -u $(filter-out $(BUILD)/reconciler/desired/yaml_events.o,$(PURE_OBJS)) | \
	  grep -E ' U (pthread_create|curl_)'; then \
	  echo "check-purity: a pure object starts a thread or calls libcurl"; exit 1; fi
	$(Q)if grep -lE '$(subst $(space),|,$(subst .,\.,$(IMPURE_HDRS)))' $(PURE_OBJS:.o=.d); then \
	  echo "check-purity: these pure objects include a header that needs libcurl or threads"; exit 1; fi
	$(Q)if grep -l 'reconciler/cmd/' $(STAGE_OBJS:.o=.d); then \
	  echo "check-purity: these stages include a header of reconciler/cmd/"; exit 1; fi

# Installs missing build and test dependencies (apt-get, as root) when something is missing.
deps:
	$(Q)sh tests/install-deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory esreconcile unit-tests check-purity
	$(Q)BUILD=$(BUILD) sh tests/run_all.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory esreconcile
	$(Q)sh examples/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory esreconcile $(BUILD)/tools/parse_floor
	$(Q)BUILD=$(BUILD) sh tests/bench/run.sh

# libFuzzer build of every fuzz target (clang). Run with a scratch directory first,
# where libFuzzer writes what it finds, and the committed corpus second:
#   mkdir -p build/fuzz/new && build/fuzz/fuzz_loader -max_total_time=120 build/fuzz/new tests/fuzz/corpus/loader
fuzz:
	$(Q)mkdir -p build/fuzz
	$(Q)for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  echo "  FUZZ  build/fuzz/$$n"; \
	  clang $(STD) -g -O1 -fsanitize=fuzzer,address,undefined -Ireconciler $(PKG_CFLAGS) \
	    -DESR_VERSION='"$(VERSION)"' -o build/fuzz/$$n $$f $(LIB_SRCS) $(FINAL_LIBS) || exit 1; done

lint: check-purity
	$(Q)clang-tidy --quiet $(LIB_SRCS) reconciler/main.c -- $(STD) -Ireconciler $(PKG_CFLAGS) -DESR_VERSION='"lint"'
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --inline-suppr --suppress=missingIncludeSystem --std=c11 -Ireconciler reconciler

# The man page is hand-written roff (docs/esreconcile.1); bash finds the
# completion by the command's name.
MANDIR      ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

install: esreconcile
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/esreconcile/schemas \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 esreconcile $(DESTDIR)$(PREFIX)/bin/esreconcile
	install -m 0644 schemas/desired-state.schema.json $(DESTDIR)$(PREFIX)/share/esreconcile/schemas/
	install -m 0644 docs/esreconcile.1 $(DESTDIR)$(MANDIR)/man1/esreconcile.1
	install -m 0644 completions/esreconcile.bash $(DESTDIR)$(COMPLETIONDIR)/esreconcile

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/esreconcile
	rm -rf $(DESTDIR)$(PREFIX)/share/esreconcile
	rm -f $(DESTDIR)$(MANDIR)/man1/esreconcile.1 $(DESTDIR)$(COMPLETIONDIR)/esreconcile

clean:
	rm -rf build esreconcile

-include $(shell find build -name '*.d' 2>/dev/null)
