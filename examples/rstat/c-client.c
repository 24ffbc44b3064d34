/*
 * A tiny C rstat client, built by rstat.test.ts with the system's rpcgen from the same stock
 * /usr/include/rpcsvc/rstat.x (rpcgen -h, -c, -l) and libtirpc: asks RSTATPROG version 3 at a
 * given UDP port (no rpcbind) and prints what the Lupine server answered, one fact per line.
 *
 *   c-client 127.0.0.1 PORT
 */
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rstat.h"

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: c-client ADDRESS PORT\n");
		return 2;
	}
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	int sock = RPC_ANYSOCK;
	struct timeval wait = {1, 0};
	CLIENT *c = clntudp_create(&addr, RSTATPROG, RSTATVERS_TIME, wait, &sock);
	if (c == NULL) {
		clnt_pcreateerror("clntudp_create");
		return 1;
	}
	statstime *s = rstatproc_stats_3(NULL, c);
	if (s == NULL) {
		clnt_perror(c, "RSTATPROC_STATS");
		return 1;
	}
	printf("cp_time %d %d %d %d\n", s->cp_time[0], s->cp_time[1], s->cp_time[2], s->cp_time[3]);
	printf("avenrun %d %d %d\n", s->avenrun[0], s->avenrun[1], s->avenrun[2]);
	printf("boottime %u\n", s->boottime.tv_sec);
	printf("curtime %u\n", s->curtime.tv_sec);
	printf("v_swtch %u\n", s->v_swtch);
	u_int *disk = rstatproc_havedisk_3(NULL, c);
	if (disk == NULL) {
		clnt_perror(c, "RSTATPROC_HAVEDISK");
		return 1;
	}
	printf("havedisk %u\n", *disk);
	clnt_destroy(c);
	return 0;
}
