/* bench-client HOST udp|tcp PORT MS: ping-pong ECHO calls for MS milliseconds through the
 * rpcgen stub; prints "calls N seconds S p50us X p99us Y". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include "bench.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 5) { fprintf(stderr, "usage: bench-client HOST udp|tcp PORT MS\n"); return 2; }
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
	inet_pton(AF_INET, argv[1], &sin.sin_addr);
	int sock = RPC_ANYSOCK;
	struct timeval retry = { 1, 0 }, total = { 5, 0 };
	CLIENT *cl = strcmp(argv[2], "udp") == 0 ? clntudp_create(&sin, BENCH_PROG, BENCH_V1, retry, &sock)
						 : clnttcp_create(&sin, BENCH_PROG, BENCH_V1, &sock, 0, 0);
	if (!cl) { clnt_pcreateerror("bench-client"); return 1; }
	clnt_control(cl, CLSET_TIMEOUT, (char *)&total);
	double ms = atof(argv[4]), start = now_us(), end = start + ms * 1000;
	size_t cap = 1 << 22, n = 0;
	double *lat = malloc(cap * sizeof *lat);
	int x = 0;
	while (now_us() < end && n < cap) {
		double t0 = now_us();
		int *r = echo_1(&x, cl);
		if (!r || *r != x) { fprintf(stderr, "bench-client: call failed\n"); return 1; }
		lat[n++] = now_us() - t0;
		x++;
	}
	double secs = (now_us() - start) / 1e6;
	qsort(lat, n, sizeof *lat, cmp);
	printf("calls %zu seconds %.3f p50us %.1f p99us %.1f\n", n, secs, lat[n / 2], lat[n * 99 / 100]);
	return 0;
}
