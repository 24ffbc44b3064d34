/* bench-server: BENCH_PROG over UDP and TCP on ephemeral ports (no rpcbind); prints
 * "ready udp N tcp M". rpcgen -m writes the dispatcher. */
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
