/* bench-server: BENCH_PROG (bench.x) over UDP and TCP on ephemeral ports of every address (no
 * rpcbind); prints "ready udp N tcp M" and serves until killed.
 * rpcgen -m writes the dispatcher; the procedures below are what it calls. */
#include <stdio.h>
#include <stdlib.h>
#include <rpc/rpc.h>
#include "bench.h"

void bench_prog_1(struct svc_req *rqstp, SVCXPRT *transp);

int *echo_1_svc(int *arg, struct svc_req *rq)
{
	static int result;
	(void)rq;
	result = *arg;
	return &result;
}

/* The reply points into the arguments: the dispatcher sends it before it frees them. */
bench_bytes *echo_bytes_1_svc(bench_bytes *arg, struct svc_req *rq)
{
	static bench_bytes result;
	(void)rq;
	result = *arg;
	return &result;
}

u_int *sink_1_svc(bench_bytes *arg, struct svc_req *rq)
{
	static u_int result;
	(void)rq;
	result = arg->bench_bytes_len;
	return &result;
}

int main(void)
{
	SVCXPRT *u = svcudp_bufcreate(RPC_ANYSOCK, 9000, 9000);
	SVCXPRT *t = svctcp_create(RPC_ANYSOCK, 0, 0);
	if (!u || !t || !svc_register(u, BENCH_PROG, BENCH_V1, bench_prog_1, 0) ||
	    !svc_register(t, BENCH_PROG, BENCH_V1, bench_prog_1, 0)) {
		fprintf(stderr, "bench-server: cannot serve\n");
		return 1;
	}
	printf("ready udp %u tcp %u\n", u->xp_port, t->xp_port);
	fflush(stdout);
	svc_run();
	return 0;
}
