/* bench-client: the rpcgen + libtirpc client of the benchmarks, through the stubs rpcgen -l
 * writes from bench.x (one call in flight: the stubs are synchronous).
 *
 *   bench-client HOST udp|tcp PORT echo PAYLOAD_BYTES WARM_MS MS   ECHO_BYTES ping-pong
 *   bench-client HOST tcp PORT sink TOTAL_BYTES CHUNK_BYTES          SINK calls moving TOTAL_BYTES
 *
 * Connects and warms up, prints {"ready":true}, then for each line "go" on stdin runs the measured
 * part and prints {"result":{...}}: calls, seconds, p50us, p99us and cpuUs (this process's user +
 * system time over the measured part), or bytes, seconds and cpuUs. Echo windows repeat for every
 * "go" until stdin ends; a sink transfer runs once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <rpc/rpc.h>
#include "bench.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void ready(void)
{
	printf("{\"ready\":true}\n");
	fflush(stdout);
}

/* Waits for the next "go" line; 0 once stdin ends. */
static int go(void)
{
	char line[64];
	while (fgets(line, sizeof line, stdin))
		if (strncmp(line, "go", 2) == 0) return 1;
	return 0;
}

static int echo_once(CLIENT *cl, bench_bytes *arg)
{
	bench_bytes *r = echo_bytes_1(arg, cl);
	if (!r || r->bench_bytes_len != arg->bench_bytes_len) {
		clnt_perror(cl, "bench-client: ECHO_BYTES");
		return -1;
	}
	xdr_free((xdrproc_t)xdr_bench_bytes, (char *)r);
	return 0;
}

static int run_echo(CLIENT *cl, size_t payload, double warm_ms, double ms)
{
	bench_bytes arg = { (u_int)payload, calloc(1, payload ? payload : 1) };
	double end = now_us() + warm_ms * 1000;
	while (now_us() < end)
		if (echo_once(cl, &arg)) return 1;
	size_t cap = 1 << 22;
	double *lat = calloc(cap, sizeof *lat);
	ready();
	while (go()) {
		size_t n = 0;
		double cpu0 = cpu_us(), start = now_us();
		end = start + ms * 1000;
		while (n < cap) {
			double t0 = now_us();
			if (t0 >= end) break;
			if (echo_once(cl, &arg)) return 1;
			lat[n++] = now_us() - t0;
		}
		double secs = (now_us() - start) / 1e6, cpu = cpu_us() - cpu0;
		qsort(lat, n, sizeof *lat, cmp);
		printf("{\"result\":{\"calls\":%zu,\"seconds\":%.6f,\"p50us\":%.1f,\"p99us\":%.1f,\"cpuUs\":%.0f}}\n",
		       n, secs, n ? lat[n / 2] : 0.0, n ? lat[n * 99 / 100] : 0.0, cpu);
		fflush(stdout);
	}
	return 0;
}

static int sink_once(CLIENT *cl, bench_bytes *arg)
{
	u_int *r = sink_1(arg, cl);
	if (!r || *r != arg->bench_bytes_len) {
		clnt_perror(cl, "bench-client: SINK");
		return -1;
	}
	return 0;
}

static int run_sink(CLIENT *cl, double total, size_t chunk)
{
	bench_bytes arg = { (u_int)chunk, calloc(1, chunk) };
	if (sink_once(cl, &arg)) return 1;
	ready();
	if (!go()) return 0;
	double cpu0 = cpu_us(), start = now_us(), sent = 0;
	while (sent < total) {
		arg.bench_bytes_len = (u_int)(total - sent < chunk ? total - sent : chunk);
		if (sink_once(cl, &arg)) return 1;
		sent += arg.bench_bytes_len;
	}
	printf("{\"result\":{\"bytes\":%.0f,\"seconds\":%.6f,\"cpuUs\":%.0f}}\n", sent,
	       (now_us() - start) / 1e6, cpu_us() - cpu0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 8 && argc != 7) {
		fprintf(stderr, "usage: bench-client HOST udp|tcp PORT echo BYTES WARM_MS MS\n"
				"       bench-client HOST tcp PORT sink TOTAL_BYTES CHUNK_BYTES\n");
		return 2;
	}
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
	inet_pton(AF_INET, argv[1], &sin.sin_addr);
	int sock = RPC_ANYSOCK;
	struct timeval retry = { 1, 0 }, total = { 60, 0 };
	CLIENT *cl = strcmp(argv[2], "udp") == 0 ? clntudp_create(&sin, BENCH_PROG, BENCH_V1, retry, &sock)
						 : clnttcp_create(&sin, BENCH_PROG, BENCH_V1, &sock, 0, 0);
	if (!cl) { clnt_pcreateerror("bench-client"); return 1; }
	clnt_control(cl, CLSET_TIMEOUT, (char *)&total);
	int rc = strcmp(argv[4], "sink") == 0 ? run_sink(cl, atof(argv[5]), (size_t)atol(argv[6]))
					       : run_echo(cl, (size_t)atol(argv[5]), atof(argv[6]), atof(argv[7]));
	fflush(stdout);
	return rc;
}
