# fuzz/fuzz.mk: libFuzzer targets, included by the top-level Makefile.
# make fuzz [FUZZ_SECONDS=20] builds every fuzz/fuzz_*.c under build/fuzz
# and runs each for FUZZ_SECONDS on a copy of its seed corpus; it fails if
# any target finds a crash.  make fuzz-build only builds them.

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 20
FUZZ_DIR	 = build/fuzz
FUZZ_SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	 = -std=c11 -Wall -Wextra -Wpedantic -g -O1 \
		   -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_CPPFLAGS	 = -D_XOPEN_SOURCE=700 -DCHAT_VERSION='"$(VERSION)"' \
		   -Icommon -Iclient -Ifuzz

# The code under test is compiled here from its sources, instrumented for
# coverage, never taken from the normal objects.
FUZZ_LIB_SRC	 = common/clock.c common/frame.c common/linebuf.c \
		   common/proto.c common/text.c client/edit.c client/sanitize.c \
		   client/scrollback.c client/wrap.c fuzz/check.c
FUZZ_LIB_OBJ	 = $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_SRC	 = $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES	 = $(FUZZ_SRC:fuzz/%.c=%)
FUZZ_BIN	 = $(FUZZ_NAMES:%=$(FUZZ_DIR)/%)

# Longest input per target; the line decoder needs room for long lines.
FUZZ_MAXLEN		 = 8192
FUZZ_MAXLEN_fuzz_linebuf = 32768
FUZZ_MAXLEN_fuzz_client_recv = 16384

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^

fuzz-build: $(FUZZ_BIN)

# Kept between runs: make would delete them as intermediates.
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz/%.o)

# Each target runs on a fresh copy of its corpus, so that what it finds
# stays under build/; a crash leaves its input in build/fuzz/crash/.
fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/crash; failed=; \
	for t in $(FUZZ_NAMES); do \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		rm -rf $(FUZZ_DIR)/corpus/$$t; \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		if [ -d fuzz/corpus/$$t ]; then \
			cp fuzz/corpus/$$t/* $(FUZZ_DIR)/corpus/$$t/; fi; \
		case $$t in \
		fuzz_linebuf) len=$(FUZZ_MAXLEN_fuzz_linebuf) ;; \
		fuzz_client_recv) len=$(FUZZ_MAXLEN_fuzz_client_recv) ;; \
		*) len=$(FUZZ_MAXLEN) ;; \
		esac; \
		timeout -k 10 $$(($(FUZZ_SECONDS) + 120)) \
		    $(FUZZ_DIR)/$$t -dict=fuzz/chat.dict -max_len=$$len \
		    -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		    -print_final_stats=1 \
		    -artifact_prefix=$(FUZZ_DIR)/crash/$$t- \
		    $(FUZZ_DIR)/corpus/$$t >$(FUZZ_DIR)/$$t.log 2>&1; \
		rc=$$?; \
		grep -E '^(stat::number_of_executed_units|Done )' \
		    $(FUZZ_DIR)/$$t.log | sed "s/^/fuzz: $$t: /"; \
		if [ $$rc -ne 0 ]; then \
			echo "fuzz: $$t FAILED (exit $$rc):" \
			    "see $(FUZZ_DIR)/$$t.log"; \
			tail -n 40 $(FUZZ_DIR)/$$t.log; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "fuzz: failed:$$failed"; exit 1; \
	fi; \
	echo "fuzz: no finding"

.PHONY: fuzz fuzz-build

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz/%.d)
