/*
 * c-encoder: writes values of every type in conformance.x with the XDR routines rpcgen
 * generates (`rpcgen -N -c`) and libtirpc, one line per value: `NAME HEX`. The byte-exactness
 * test (xdr-bytes.test.ts) encodes the same values with Lupine's generated codecs and compares,
 * then decodes these bytes with Lupine. The values are the edge values of
 * ../shared/oncrpc-peer/peer-client.c.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rpc/rpc.h>
#include "conformance.h"

static void emit(const char *name, xdrproc_t proc, void *v)
{
	u_long n = xdr_sizeof(proc, v);
	char *buf = malloc(n ? n : 4);
	XDR x;
	xdrmem_create(&x, buf, (u_int)n, XDR_ENCODE);
	if (!proc(&x, v)) { printf("%s FAILED\n", name); free(buf); return; }
	printf("%s ", name);
	for (u_int i = 0; i < xdr_getpos(&x); i++) printf("%02x", (unsigned char)buf[i]);
	printf("\n");
	free(buf);
}

#define EMIT(name, proc, var) emit((name), (xdrproc_t)(proc), &(var))

int main(void)
{
	char name[64];
	static const int ints[] = { INT_MIN, -1, 0, 1, INT_MAX };
	static const u_int uints[] = { 0, 1, 0x80000000u, UINT_MAX };
	static const hyper_t hypers[] = { INT64_MIN, -1, 0, 9007199254740993LL, INT64_MAX };
	static const uhyper_t uhypers[] = { 0, 9007199254740993ULL, 0x8000000000000000ULL, UINT64_MAX };
	const float floats[] = { 3.5f, -0.0f, 1e-40f, FLT_MAX, INFINITY, NAN };
	const double doubles[] = { 0.1, -1.25e300, 5e-324, -INFINITY, NAN };
	for (int i = 0; i < 5; i++) { int v = ints[i]; snprintf(name, sizeof name, "int%d", i); EMIT(name, xdr_int, v); }
	for (int i = 0; i < 4; i++) { u_int v = uints[i]; snprintf(name, sizeof name, "uint%d", i); EMIT(name, xdr_u_int, v); }
	for (int i = 0; i < 5; i++) { hyper_t v = hypers[i]; snprintf(name, sizeof name, "hyper%d", i); EMIT(name, xdr_hyper_t, v); }
	for (int i = 0; i < 4; i++) { uhyper_t v = uhypers[i]; snprintf(name, sizeof name, "uhyper%d", i); EMIT(name, xdr_uhyper_t, v); }
	for (int i = 0; i < 6; i++) { float v = floats[i]; snprintf(name, sizeof name, "float%d", i); EMIT(name, xdr_float, v); }
	for (int i = 0; i < 5; i++) { double v = doubles[i]; snprintf(name, sizeof name, "double%d", i); EMIT(name, xdr_double, v); }
	bool_t t = TRUE, f = FALSE;
	EMIT("bool_true", xdr_bool, t);
	EMIT("bool_false", xdr_bool, f);
	color red = RED, blue = BLUE, orange = ORANGE;
	EMIT("color_red", xdr_color, red);
	EMIT("color_blue", xdr_color, blue);
	EMIT("color_orange", xdr_color, orange);

	fixed_opaque_box fo = { { 0x00, 0x01, 0x02, 0x7f, (char)0x80, (char)0xfe, (char)0xff, 0x00 } };
	EMIT("fixed_opaque", xdr_fixed_opaque_box, fo);
	static const u_int lens[] = { 0, 1, 3, 4, 5, CONF_MAX_NAME };
	char bytes[CONF_MAX_NAME];
	for (int i = 0; i < CONF_MAX_NAME; i++) bytes[i] = (char)(255 - i * 7);
	for (int i = 0; i < 6; i++) {
		var_opaque_t vo = { lens[i], bytes };
		snprintf(name, sizeof name, "var_opaque%u", lens[i]);
		EMIT(name, xdr_var_opaque_t, vo);
	}
	static char max[CONF_MAX_NAME + 1];
	memset(max, 'x', CONF_MAX_NAME);
	const char *strings[] = { "", "a", "abc", "abcd", "abcde", "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93", max };
	for (int i = 0; i < 7; i++) {
		name_t s = (char *)strings[i];
		snprintf(name, sizeof name, "string%d", i);
		EMIT(name, xdr_name_t, s);
	}
	char *text = malloc(5001);
	for (int i = 0; i < 5000; i++) text[i] = (char)('a' + i % 26);
	text[5000] = 0;
	text_t tx = text;
	EMIT("text5000", xdr_text_t, tx);

	fixed_array_box fa = { { INT_MIN, -1, 0, INT_MAX } };
	EMIT("fixed_array", xdr_fixed_array_box, fa);
	static int items[1000];
	for (int i = 0; i < 1000; i++) items[i] = i * 1000003 - 500000;
	bounded_array_t b0 = { 0, items }, b16 = { CONF_MAX_ITEMS, items };
	EMIT("bounded0", xdr_bounded_array_t, b0);
	EMIT("bounded16", xdr_bounded_array_t, b16);
	unbounded_array_t u0 = { 0, items }, u1000 = { 1000, items };
	EMIT("unbounded0", xdr_unbounded_array_t, u0);
	EMIT("unbounded1000", xdr_unbounded_array_t, u1000);

	point p = { 3, -4 };
	optional_point none = NULL, some = &p;
	EMIT("optional_none", xdr_optional_point, none);
	EMIT("optional_some", xdr_optional_point, some);
	EMIT("point", xdr_point, p);
	inner more[2] = { { { 1, 2 }, GREEN, "first" }, { { -1, -2 }, ORANGE, "" } };
	nested n = { { { 10, 20 }, BLUE, "label" }, { { 0, 0 }, { INT_MAX, INT_MIN } }, { 2, more }, &p };
	EMIT("nested", xdr_nested, n);
	static int_list nodes[1000];
	for (int i = 0; i < 1000; i++) { nodes[i].value = i - 3; nodes[i].next = i + 1 < 1000 ? &nodes[i + 1] : NULL; }
	static const int lengths[] = { 1, 5, 1000 };
	for (int i = 0; i < 3; i++) {
		int_list head = nodes[1000 - lengths[i]];
		snprintf(name, sizeof name, "list%d", lengths[i]);
		EMIT(name, xdr_int_list, head);
	}
	result r[7];
	memset(r, 0, sizeof r);
	r[0].status = 0; r[0].result_u.value = -77;
	r[1].status = 1; r[1].result_u.message = "error text";
	r[2].status = 2;
	r[3].status = 3; r[3].result_u.real = 2.5;
	r[4].status = 4; r[4].result_u.real = -0.5;
	r[5].status = 7; r[5].result_u.other = INT64_MIN;
	r[6].status = -1; r[6].result_u.other = 42;
	for (int i = 0; i < 7; i++) { snprintf(name, sizeof name, "result%d", i); EMIT(name, xdr_result, r[i]); }
	color_choice cc[4];
	memset(cc, 0, sizeof cc);
	cc[0].c = RED; cc[0].color_choice_u.red_value = 7;
	cc[1].c = BLUE; cc[1].color_choice_u.blue_point = (point){ 5, 6 };
	cc[2].c = GREEN;
	cc[3].c = ORANGE;
	for (int i = 0; i < 4; i++) { snprintf(name, sizeof name, "choice%d", i); EMIT(name, xdr_color_choice, cc[i]); }
	maybe_int yes = { TRUE, { 9 } }, no = { FALSE, { 0 } };
	EMIT("maybe_yes", xdr_maybe_int, yes);
	EMIT("maybe_no", xdr_maybe_int, no);

	int ba[3] = { 1, 2, 3 }, ua[5] = { -5, -4, -3, -2, -1 };
	all_types a;
	memset(&a, 0, sizeof a);
	a.i = -123456; a.u = 4000000000u; a.h = -9000000000000000000LL; a.uh = 18000000000000000000ULL;
	a.f = 1.5f; a.d = -2.75; a.b = TRUE; a.e = BLUE;
	memcpy(a.fo, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	a.vo.vo_len = 3; a.vo.vo_val = "xyz";
	a.s = "string"; a.t = "text";
	a.fa[0] = 1; a.fa[1] = -1; a.fa[2] = 0; a.fa[3] = INT_MAX;
	a.ba.ba_len = 3; a.ba.ba_val = ba;
	a.ua.ua_len = 5; a.ua.ua_val = ua;
	a.opt = &p; a.n = n; a.r = r[1]; a.cc = cc[1]; a.mi = yes;
	a.list = &nodes[995];
	EMIT("all_types", xdr_all_types, a);
	free(text);
	return 0;
}
