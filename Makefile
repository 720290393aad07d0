# intercom: plain GNU make.
#   make               build/intercom-server and build/intercom-client
#   make test          build and run every test (unit-test, integration-test)
#   make sanitize      every test under ASan+UBSan, then TSan
#   make fuzz          the libFuzzer targets, FUZZ_SECONDS each
#   make windows       cross-compile the .exe files (MinGW-w64); test-windows: under Wine
#   make bench         N conversations at once against a bare thread-per-connection floor
#   make portable-check the fallbacks for macOS and the BSDs, forced and tested here
#   make install       PREFIX=/usr/local DESTDIR= (both honoured)
#   make prerequisites what is installed, and how to install what is missing
#   make clean
# CXX, CXXFLAGS, CPPFLAGS, LDFLAGS and LDLIBS may be overridden as usual.

CXXFLAGS ?= -O2 -g
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD ?= build

WARNINGS := -Wall -Wextra -Werror
ALL_CXXFLAGS := -std=c++17 $(WARNINGS) $(CXXFLAGS) -MMD -MP
ALL_LDLIBS := $(LDLIBS) -pthread

# One body per platform for what differs (shared/*_posix.cpp, shared/*_win32.cpp).
ifeq ($(OS),Windows_NT)
  PLATFORM := win32
  ALL_LDLIBS += -lws2_32 -liconv
  EXE := .exe
else
  PLATFORM := posix
  # The line typed at a terminal is edited with libedit (Debian: libedit-dev; BSD
  # licence). Windows consoles edit their own lines and need none.
  ALL_LDLIBS += -ledit
  # glibc has iconv built in; macOS and the BSDs keep it in libiconv.
  ifneq ($(filter Darwin FreeBSD OpenBSD NetBSD,$(shell uname -s)),)
    ALL_LDLIBS += -liconv
  endif
endif

# --- prerequisites ---
# What is missing is said in one line with the command that installs it (Debian/Ubuntu
# package names; README.md says more), before any compiler error could say it
# worse. Each check runs once per make, and only for the goals that need it: `make`
# checks the compiler; `make test` GoogleTest too, so `make` builds the programs without
# it. Goals that start a make of their own (sanitize, fuzz, windows) leave the checks to
# that make, which knows its compiler.
GTEST_CHECK_HEADER ?= gtest/gtest.h
LIBEDIT_CHECK_HEADERS ?= histedit.h editline/readline.h

# "yes" if $(CXX) runs; if it finds every header of $(1); if $(1) is on PATH.
found-compiler = $(shell $(CXX) --version >/dev/null 2>&1 && echo yes)
found-headers = $(shell $(CXX) $(CPPFLAGS) -E -x c++ $(addprefix -include ,$(1)) /dev/null >/dev/null 2>&1 && echo yes)
found-program = $(shell command -v $(1) >/dev/null 2>&1 && echo yes)

# The package that has $(CXX): g++, clang++ (make sanitize, fuzz) or MinGW-w64 (make windows).
CXX_PACKAGE = $(if $(findstring mingw,$(CXX)),g++-mingw-w64-x86-64-posix,$(if $(findstring clang,$(CXX)),clang,g++))
CXX_MISSING = the C++ compiler $(CXX) is missing: sudo apt-get install $(CXX_PACKAGE)
GTEST_MISSING = GoogleTest is missing: sudo apt-get install libgtest-dev
LIBEDIT_MISSING = libedit, the line editor, is missing: sudo apt-get install libedit-dev

GOALS := $(or $(MAKECMDGOALS),all)
ifneq ($(filter-out clean uninstall prerequisites windows sanitize% fuzz,$(GOALS)),)
  ifneq ($(found-compiler),yes)
    $(info $(CXX_MISSING))
    $(error no C++ compiler, nothing can be built)
  endif
endif
ifneq ($(filter test unit-test integration-test,$(GOALS)),)
  ifneq ($(call found-headers,$(GTEST_CHECK_HEADER)),yes)
    $(info $(GTEST_MISSING))
    $(error the tests need GoogleTest; `make` alone builds the programs without it)
  endif
endif

# HAVE_LIBEDIT is "yes" when libedit's headers are found, for the code that will use it.
# It is worked out where it is first used, then kept (the = variable sets itself once
# with :=), so a make that never asks pays nothing; when missing, it says how to install.
check-libedit = $(or $(call found-headers,$(LIBEDIT_CHECK_HEADERS)),$(info $(LIBEDIT_MISSING)))
HAVE_LIBEDIT = $(eval HAVE_LIBEDIT := $(check-libedit))$(HAVE_LIBEDIT)

# --- end prerequisites ---

SHARED_SRC := $(filter-out %_posix.cpp %_win32.cpp,$(wildcard shared/*.cpp)) \
              $(wildcard shared/*_$(PLATFORM).cpp)
SERVER_SRC := $(wildcard intercom-server/*.cpp)
CLIENT_SRC := $(wildcard intercom-client/*.cpp)
UNIT_SRC := $(wildcard tests/unit/*.cpp)
INTEGRATION_SRC := $(wildcard tests/integration/*.cpp)

obj = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(1))
SHARED_OBJ := $(call obj,$(SHARED_SRC))
SERVER_OBJ := $(call obj,$(SERVER_SRC))
CLIENT_OBJ := $(call obj,$(CLIENT_SRC))
# The unit tests link the programs' own option parsers, not their main().
PARSER_OBJ := $(call obj,$(filter-out %/main.cpp,$(SERVER_SRC) $(CLIENT_SRC)))

SERVER := $(BUILD)/intercom-server$(EXE)
CLIENT := $(BUILD)/intercom-client$(EXE)
UNIT_TESTS := $(BUILD)/unit-tests$(EXE)
INTEGRATION_TESTS := $(BUILD)/integration-tests$(EXE)

.PHONY: all test unit-test integration-test install uninstall clean
.DELETE_ON_ERROR:

all: $(SERVER) $(CLIENT)

$(SERVER): $(SERVER_OBJ) $(SHARED_OBJ)
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(CLIENT): $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(ALL_CXXFLAGS) -c -o $@ $<

# GoogleTest from the system (Debian: libgtest-dev).
GTEST_LIBS := -lgtest_main -lgtest

$(UNIT_TESTS): $(call obj,$(UNIT_SRC)) $(PARSER_OBJ) $(SHARED_OBJ)
	$(CXX) $(LDFLAGS) -o $@ $^ $(GTEST_LIBS) $(ALL_LDLIBS)

$(INTEGRATION_TESTS): $(call obj,$(INTEGRATION_SRC))
	$(CXX) $(LDFLAGS) -o $@ $^ $(GTEST_LIBS) $(ALL_LDLIBS)

test: unit-test integration-test

unit-test: $(UNIT_TESTS)
	$(UNIT_TESTS)

# The integration tests run the built programs over 127.0.0.1, on ports the system picks.
integration-test: $(INTEGRATION_TESTS) $(SERVER) $(CLIENT)
	INTERCOM_BUILD=$(abspath $(BUILD)) INTERCOM_TESTS=$(abspath tests) $(INTEGRATION_TESTS)

# --- sanitize and fuzz ---
# make sanitize: every test with AddressSanitizer + UndefinedBehaviorSanitizer in
# $(BUILD)/asan, then the integration tests with ThreadSanitizer in $(BUILD)/tsan. The
# programs the integration tests start are instrumented too; every process writes its
# reports under <dir>/reports, and any report there fails the run, even one from a
# server that a test ended without looking at its exit status.
# No vptr check: it tests memory with a pipe, so a process out of file descriptors (a
# case the tests make on purpose) gets a false "invalid vptr".
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
SANITIZE_CXXFLAGS := -O1 -g
# clang: g++ 12 at -O1 with sanitizers warns falsely on the unit tests' own operator new.
SANITIZE_CXX ?= clang++
# ThreadSanitizer runs the integration tests (the unit tests' own operator new clashes
# with its runtime's), all but those that cap the programs' threads: the runtime keeps
# a thread of its own. Nor do AddressSanitizer's runs take the ones that allow no
# thread at all (Process.*Thread*): its leak check starts one at exit. Nor does TSan
# take the second-signal test: it holds a signal back until the thread it lands on
# next enters its runtime (a second here, not "at once"), and it calls the _exit that
# cuts the conversations off a thread leak.
TSAN_TESTS ?= *-Hostile.ThreadCreationFailing*:Process.*Thread*:Process.SecondSigint*
ASAN_TESTS ?= *-Process.*Thread*

# $(call same-flags-or-clean,dir,flags): objects in dir built with other flags go.
define same-flags-or-clean
	@mkdir -p $(1) && echo '$(2)' > $(1)/flags.new
	@cmp -s $(1)/flags.new $(1)/flags || rm -rf $(1)/obj
	@mv $(1)/flags.new $(1)/flags
endef

sanitized-make-args = BUILD=$(1) CXX=$(SANITIZE_CXX) CXXFLAGS="$(SANITIZE_CXXFLAGS) $(2)" LDFLAGS="$(2)"

# $(call sanitized-run,dir,flags,env,targets): build and run the test targets in dir,
# one after the other (timing tests suffer side by side), then fail on any report
# left behind. Objects built with other flags are rebuilt.
define sanitized-run
	$(call same-flags-or-clean,$(1),$(SANITIZE_CXX) $(SANITIZE_CXXFLAGS) $(2))
	rm -rf $(1)/reports && mkdir -p $(1)/reports
	+status=0; for target in $(4); do \
	  $(3) $(MAKE) $(call sanitized-make-args,$(1),$(2)) $$target || { status=1; break; }; done; \
	if ls $(1)/reports/* >/dev/null 2>&1; then cat $(1)/reports/*; \
	  echo "sanitizer reports in $(1)/reports"; exit 1; fi; exit $$status
endef

.PHONY: sanitize sanitize-asan sanitize-tsan
sanitize:  # one after the other: timing tests would suffer side by side
	$(MAKE) sanitize-asan
	$(MAKE) sanitize-tsan

sanitize-asan:
	$(call sanitized-run,$(BUILD)/asan,$(ASAN_FLAGS),\
	  GTEST_FILTER='$(ASAN_TESTS)' \
	  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_stacktrace=1:log_path=$(abspath $(BUILD))/asan/reports/asan \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(abspath $(BUILD))/asan/reports/ubsan,\
	  unit-test integration-test)

sanitize-tsan:
	$(call sanitized-run,$(BUILD)/tsan,$(TSAN_FLAGS),\
	  GTEST_FILTER='$(TSAN_TESTS)' \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$(abspath $(BUILD))/tsan/reports/tsan,\
	  integration-test)

# make fuzz: each libFuzzer target tests/fuzz/<name>_fuzz.cpp runs for FUZZ_SECONDS, starting from
# its seeds in tests/fuzz/corpus/<name>; what it learns is kept in $(BUILD)/fuzz/corpus
# and an input that breaks a guarantee is saved in $(BUILD)/fuzz/findings.
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++
FUZZ_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp))

.PHONY: fuzz fuzz-targets
fuzz:
	$(call same-flags-or-clean,$(BUILD)/fuzz,$(FUZZ_CXX) $(FUZZ_FLAGS))
	+$(MAKE) BUILD=$(BUILD)/fuzz CXX=$(FUZZ_CXX) CXXFLAGS="-O1 -g $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
	  LDFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer" fuzz-targets
	@mkdir -p $(BUILD)/fuzz/findings
	@failed=; for target in $(FUZZ_TARGETS); do \
	  echo "fuzz: $$target for $(FUZZ_SECONDS) s"; mkdir -p $(BUILD)/fuzz/corpus/$$target; \
	  $(BUILD)/fuzz/targets/$$target -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/findings/$$target- \
	    $(BUILD)/fuzz/corpus/$$target tests/fuzz/corpus/$${target%_fuzz} || failed="$$failed $$target"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings from$$failed in $(BUILD)/fuzz/findings"; exit 1; fi

# Built by `make fuzz` in $(BUILD)/fuzz, with the fuzzing flags.
fuzz-targets: $(patsubst %,$(BUILD)/targets/%,$(FUZZ_TARGETS))

$(BUILD)/targets/%: $(BUILD)/obj/tests/fuzz/%.o $(SHARED_OBJ)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# --- end sanitize and fuzz ---

# --- portable ---
# make portable-check: the code paths for systems without SOCK_CLOEXEC, accept4 or
# glibc's default thread stack (macOS, older BSDs), forced on this one with
# -DINTERCOM_PORTABLE_FALLBACKS and built in $(BUILD)/portable; then the unit tests and
# the integration tests that create, accept and connect sockets, one after the other.
PORTABLE_TESTS ?= Conversation.*:Network.*:Process.*
PORTABLE_MAKE = $(MAKE) BUILD=$(BUILD)/portable CPPFLAGS="$(CPPFLAGS) -DINTERCOM_PORTABLE_FALLBACKS"

.PHONY: portable-check
portable-check:
	$(call same-flags-or-clean,$(BUILD)/portable,$(CXX) $(CPPFLAGS) -DINTERCOM_PORTABLE_FALLBACKS)
	+$(PORTABLE_MAKE) unit-test
	+GTEST_FILTER='$(PORTABLE_TESTS)' $(PORTABLE_MAKE) integration-test
# --- end portable ---

# --- windows (cross-compiled with MinGW-w64, tested under Wine) ---
# On Windows itself (MSYS2 MinGW) plain `make` builds the .exe files, as OS=Windows_NT
# there. From Linux:
#   make windows        $(BUILD)/windows/intercom-server.exe and intercom-client.exe,
#                       linked statically so they run on a bare Windows
#   make test-windows   the unit tests built for Windows and run under Wine, then a
#                       conversation each way between the Windows and the Linux build
WINDOWS_CXX ?= x86_64-w64-mingw32-g++-posix
WINDOWS_BUILD ?= $(BUILD)/windows
WINE ?= wine
GTEST_SRC ?= /usr/src/googletest/googletest
WINDOWS_GTEST := $(WINDOWS_BUILD)/gtest
WINDOWS_GTEST_OBJ := $(WINDOWS_GTEST)/gtest_main.o $(WINDOWS_GTEST)/gtest-all.o

# The Windows build is a make of its own, so it never touches the native objects.
WINDOWS_MAKE = $(MAKE) --no-print-directory OS=Windows_NT BUILD=$(WINDOWS_BUILD) \
               CXX=$(WINDOWS_CXX) LDFLAGS="-static $(LDFLAGS)"

ifeq ($(OS),Windows_NT)
  # Without libiconv (Debian's MinGW-w64 has none) the codec uses the Win32 functions
  # (shared/codec_win32.cpp), and there is no -liconv to link.
  ifneq ($(call found-headers,iconv.h),yes)
    ALL_LDLIBS := $(filter-out -liconv,$(ALL_LDLIBS))
  endif
endif

.PHONY: windows test-windows
windows:
	+$(WINDOWS_MAKE) all

# GoogleTest from its sources (Debian: googletest), built with the cross compiler.
$(WINDOWS_GTEST)/%.o: $(GTEST_SRC)/src/%.cc
	@mkdir -p $(@D)
	$(WINDOWS_CXX) -std=c++17 -O2 -isystem $(GTEST_SRC)/include -I$(GTEST_SRC) -c -o $@ $<

# Wine 8 has no code page 54936 (GB18030), which Windows has, so the codec refuses
# GB18030 there (tests/windows checks that it does so clearly): the unit tests that
# need GB18030 carry it in their names.
WINE_GTEST_FILTER ?= -*Gb18030*

# The unit tests, with the Windows-only ones from tests/windows, run under Wine; then
# tests/windows/conversations.sh talks across: Windows client to Linux server, Linux
# client to Windows server.
test-windows: all $(WINDOWS_GTEST_OBJ)
	+$(WINDOWS_MAKE) all $(WINDOWS_BUILD)/unit-tests.exe \
	    UNIT_SRC="$(wildcard tests/unit/*.cpp tests/windows/*.cpp)" \
	    CPPFLAGS="$(CPPFLAGS) -isystem $(GTEST_SRC)/include" \
	    GTEST_LIBS="$(WINDOWS_GTEST_OBJ)"
	WINEDEBUG=-all GTEST_FILTER='$(WINE_GTEST_FILTER)' timeout 600 $(WINE) $(WINDOWS_BUILD)/unit-tests.exe
	WINE=$(WINE) timeout 600 tests/windows/conversations.sh $(BUILD) $(WINDOWS_BUILD)

# --- end windows ---

# --- bench ---
# make bench N=10000 T=20: N conversations held at once, T turns each, against
# intercom-server --echo and a bare thread-per-connection floor (Linux: epoll, /proc);
# then the channel against ncat --chat: CHANNEL_MEMBERS members sending CHANNEL_LINES
# lines each, and CHANNEL_HELD members held for the memory per member; then a file of
# TRANSFER_MB MiB from intercom-server --files to intercom-client --get against nc.
N ?= 10000
T ?= 20
CHANNEL_MEMBERS ?= 100
CHANNEL_LINES ?= 100
CHANNEL_HELD ?= 1000
TRANSFER_MB ?= 1024
BENCH_TOOLS := $(patsubst tests/bench/%.cpp,$(BUILD)/bench/%$(EXE),$(wildcard tests/bench/*.cpp))

.PHONY: bench bench-tools
.PRECIOUS: $(BUILD)/obj/tests/bench/%.o
bench-tools: $(BENCH_TOOLS)

$(BUILD)/bench/%$(EXE): $(BUILD)/obj/tests/bench/%.o
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

bench: $(SERVER) $(CLIENT) $(BENCH_TOOLS)
	bash tests/bench/run.sh $(abspath $(BUILD)) $(N) $(T) $(CHANNEL_MEMBERS) $(CHANNEL_LINES) $(CHANNEL_HELD) $(TRANSFER_MB)
# --- end bench ---

# make prerequisites: one line each, found or how to install it. python3 and nc are peers
# in the integration tests; without them, those tests are skipped.
PYTHON_MISSING = python3 is missing: sudo apt-get install python3
NC_MISSING = nc is missing: sudo apt-get install netcat-openbsd
report = echo "$(if $(1),$(2): found,$(3))"

.PHONY: prerequisites
prerequisites:
	@$(call report,$(found-compiler),the C++ compiler $(CXX),$(CXX_MISSING))
	@$(call report,$(call found-headers,$(GTEST_CHECK_HEADER)),GoogleTest,$(GTEST_MISSING))
	@$(call report,$(call found-headers,$(LIBEDIT_CHECK_HEADERS)),libedit,$(LIBEDIT_MISSING))
	@$(call report,$(call found-program,python3),python3,$(PYTHON_MISSING))
	@$(call report,$(call found-program,nc),nc,$(NC_MISSING))

MAN_PAGES := intercom-server/intercom-server.1 intercom-client/intercom-client.1

install: $(SERVER) $(CLIENT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(SERVER) $(CLIENT) $(DESTDIR)$(BINDIR)
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/intercom-server$(EXE) $(DESTDIR)$(BINDIR)/intercom-client$(EXE)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES)))

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
