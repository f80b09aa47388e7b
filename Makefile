# chat: a terminal chat suite.  make; make check; make install.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
CC	?= cc
CFLAGS	?= -O2 -g
PKG_CONFIG ?= pkg-config
VERSION	 = 0.1.0

# Objects go beside their sources; a sanitized build goes under build/san.
ifeq ($(SANITIZE),1)
O	 = build/san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
else
O	 = .
SANFLAGS =
endif

CURSES_CFLAGS := $(filter-out -D_XOPEN_SOURCE% -D_DEFAULT_SOURCE, \
		 $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null))
CURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || \
		 echo -lncursesw)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || \
		 echo -lcmocka)

ALL_CPPFLAGS = -D_XOPEN_SOURCE=700 -DCHAT_VERSION='"$(VERSION)"' \
	       -Icommon $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 -Wall -Wextra -Wpedantic $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(SANFLAGS) $(LDFLAGS)

COMMON_SRC = $(sort $(wildcard common/*.c))
SERVER_SRC = $(sort $(wildcard server/*.c))
CLIENT_SRC = $(sort $(wildcard client/*.c))
UNIT_SRC   = $(sort $(wildcard tests/unit/test_*.c))

COMMON_OBJ = $(COMMON_SRC:%.c=$(O)/%.o)
SERVER_OBJ = $(SERVER_SRC:%.c=$(O)/%.o)
CLIENT_OBJ = $(CLIENT_SRC:%.c=$(O)/%.o)
UNIT_OBJ   = $(UNIT_SRC:%.c=$(O)/%.o)
UNIT_BIN   = $(UNIT_SRC:%.c=$(O)/%)

LIBCHAT	= $(O)/common/libchat.a
SERVER	= $(O)/server/chat-server
CLIENT	= $(O)/client/chat-client
MANS	= $(sort $(wildcard man/*.1 man/*.7))

all: $(SERVER) $(CLIENT)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/client/%.o: client/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iclient $(CURSES_CFLAGS) $(ALL_CFLAGS) \
	    -MMD -MP -c -o $@ $<

$(O)/server/%.o: server/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iserver $(SQLITE_CFLAGS) $(ALL_CFLAGS) \
	    -MMD -MP -c -o $@ $<

$(O)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iserver -Iclient $(CURSES_CFLAGS) \
	    $(CMOCKA_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBCHAT): $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(COMMON_OBJ)

# The server keeps history in SQLite (server/store_sql.c), whose WAL a
# thread syncs (server/syncer.c).
SQLITE_CFLAGS := $(shell $(PKG_CONFIG) --cflags sqlite3 2>/dev/null)
SQLITE_LIBS   := $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null || \
		 echo -lsqlite3)
$(SERVER): $(SERVER_OBJ) $(LIBCHAT)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(SERVER_OBJ) $(LIBCHAT) \
	    $(SQLITE_LIBS) -pthread $(LDLIBS)

# The client looks names up in a thread (client/resolve.c).
CLIENT_LIBS = $(CURSES_LIBS) -pthread

$(CLIENT): $(CLIENT_OBJ) $(LIBCHAT)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CLIENT_OBJ) $(LIBCHAT) \
	    $(CLIENT_LIBS) $(LDLIBS)

# A unit suite links the library, and the objects of the program it
# tests (test_server_*, test_client_*) less that program's main.o.
$(O)/tests/unit/test_server_%: $(O)/tests/unit/test_server_%.o \
    $(filter-out %/main.o,$(SERVER_OBJ)) $(LIBCHAT)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) \
	    $(SQLITE_LIBS) -pthread $(LDLIBS)

$(O)/tests/unit/test_client_%: $(O)/tests/unit/test_client_%.o \
    $(filter-out %/main.o,$(CLIENT_OBJ)) $(LIBCHAT)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) \
	    $(CLIENT_LIBS) $(LDLIBS)

# These hold name lookups at a gate and count the resolver's threads.
$(O)/tests/unit/test_client_session $(O)/tests/unit/test_client_resolve: \
    LDLIBS += -Wl,--wrap=getaddrinfo,--wrap=pthread_create

# test_outq sees the library's free() calls, to tell when a block goes.
$(O)/tests/unit/test_outq: LDLIBS += -Wl,--wrap=free

$(O)/tests/unit/test_%: $(O)/tests/unit/test_%.o $(LIBCHAT)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

check: all $(UNIT_BIN)
	CHAT_SERVER=$(SERVER) CHAT_CLIENT=$(CLIENT) \
	    sh tests/run $(UNIT_BIN)

# The same suites with the server under valgrind (the end-to-end server
# suites) and every unit suite under valgrind: no error, nothing
# definitely lost.  Waits are stretched ten times.
VALGRIND = valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
	   --error-exitcode=1
VALGRIND_SUITES = test_server_*.py test_faults_server.py

check-valgrind: all $(UNIT_BIN)
	@if [ "$(SANITIZE)" = 1 ]; then \
	    echo "check-valgrind: valgrind cannot run a SANITIZE=1 build" >&2; \
	    exit 2; fi
	CHAT_SERVER=$(SERVER) CHAT_CLIENT=$(CLIENT) \
	    CHAT_SERVER_WRAPPER='$(VALGRIND)' CHAT_UNIT_WRAPPER='$(VALGRIND)' \
	    CHAT_TIMEOUT_SCALE=10 UNIT_TIMEOUT=900 E2E_TIMEOUT=1800 \
	    E2E_SUITES='$(VALGRIND_SUITES)' sh tests/run $(UNIT_BIN)

lint:
	sh tests/lint-man $(MANS)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7
	cp -f $(SERVER) $(CLIENT) $(DESTDIR)$(BINDIR)/
	cp -f $(filter %.1,$(MANS)) $(DESTDIR)$(MANDIR)/man1/
	cp -f $(filter %.7,$(MANS)) $(DESTDIR)$(MANDIR)/man7/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/chat-server $(DESTDIR)$(BINDIR)/chat-client
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(filter %.1,$(MANS)))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(filter %.7,$(MANS)))

clean:
	rm -f common/*.o common/*.d server/*.o server/*.d client/*.o \
	    client/*.d tests/unit/*.o tests/unit/*.d $(LIBCHAT) $(SERVER) \
	    $(CLIENT) $(UNIT_SRC:%.c=%)
	rm -rf build

.PHONY: all check check-valgrind lint install uninstall clean

-include $(COMMON_OBJ:.o=.d) $(SERVER_OBJ:.o=.d) $(CLIENT_OBJ:.o=.d) \
	 $(UNIT_OBJ:.o=.d)

# Benchmarks (bench/bench.mk): make bench, make bench-deps.
-include bench/bench.mk

# Fuzzing (fuzz/fuzz.mk): make fuzz FUZZ_SECONDS=N.
-include fuzz/fuzz.mk
