# bench/bench.mk: the load generator and the benchmark grid, included by
# the top-level Makefile.  make bench [BENCH_ARGS=--quick]; make bench-deps.
# After the server grid, bench/store measures what the durable history
# costs [STORE_BENCH_ARGS=--quick], and bench/client-bench measures
# chat-client under a flood [CLIENT_BENCH_ARGS=--quick].

BENCH_SRC  = $(sort $(wildcard bench/*.c))
BENCH_BIN  = bench/chat-bench
BENCH_ARGS ?=

# Always optimised and never sanitized: the generator must not be the
# bottleneck.  libc only; nothing from common/.
$(BENCH_BIN): $(BENCH_SRC) bench/bench.h
	$(CC) -std=c11 -Wall -Wextra -Wpedantic -O2 -D_XOPEN_SOURCE=700 \
	    $(BENCH_CFLAGS) -o $@ $(BENCH_SRC)

bench: $(SERVER) $(CLIENT) $(BENCH_BIN)
	sh bench/run --server $(SERVER) --bench $(BENCH_BIN) $(BENCH_ARGS)
	/usr/bin/python3 bench/store --server $(SERVER) --bench $(BENCH_BIN) \
	    $(STORE_BENCH_ARGS)
	/usr/bin/python3 bench/client-bench --server $(SERVER) \
	    --client $(CLIENT) $(CLIENT_BENCH_ARGS)

# gnuplot draws the plot; ngircd is the server compared against.  The
# package starts ngircd as a system service: stop it, bench/run starts
# its own private instance.
bench-deps:
	@missing=; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot-nox"; \
	command -v ngircd >/dev/null 2>&1 || test -x /usr/sbin/ngircd || \
	    missing="$$missing ngircd"; \
	if [ -z "$$missing" ]; then \
		echo "bench-deps: gnuplot and ngircd are installed"; \
	else \
		echo "bench-deps: installing$$missing"; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing || \
		exit 1; \
		service ngircd stop >/dev/null 2>&1 || :; \
	fi

bench-clean:
	rm -f $(BENCH_BIN)

clean: bench-clean

.PHONY: bench bench-deps bench-clean
