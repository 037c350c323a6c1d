/* SPDX-License-Identifier: MIT */
/*
 * Keys in jansson's memory: the wiping free zeroes whole blocks, jansson frees the buffers it
 * grows through it (so wgdp's and wgdpctl's keys are wiped there), and the wg-quick import
 * leaves no template key in a block it frees.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "secret_alloc.h"
#include "wgquick.h"
#include "unit.h"

#define OUR_KEY	 "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define BOB_PUB	 "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define TMPL_KEY "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define TMPL_PSK "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE="

/* The free the tests give jansson: it counts the blocks that still hold a secret when freed,
 * then frees them as wgdp does. */
static const char *spied[2];
static unsigned int spied_hits;

static void spy_free(void *p)
{
	size_t n = p ? malloc_usable_size(p) : 0;

	for (unsigned int i = 0; i < 2; i++)
		if (spied[i] && memmem(p, n, spied[i], strlen(spied[i])))
			spied_hits++;
	wgdp_wiping_free(p);
}

static void spy_on(const char *a, const char *b)
{
	spied[0] = a;
	spied[1] = b;
	spied_hits = 0;
	json_set_alloc_funcs(malloc, spy_free);
}

static void spy_off(void)
{
	wgdp_json_wipe_on_free();
}

/* All of the block, past the size asked for too (glibc rounds it up). */
static void test_wipe_block(void)
{
	for (size_t size = 1; size < 5000; size = size * 3 + 1) {
		unsigned char *p = malloc(size);
		size_t n = malloc_usable_size(p), zero = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_TRUE(n >= size);
		memset(p, 0xa5, n);
		CU_ASSERT_EQUAL(wgdp_wipe_block(p), n);
		for (size_t i = 0; i < n; i++)
			zero += p[i] == 0;
		CU_ASSERT_EQUAL(zero, n);
		free(p);
	}
	CU_ASSERT_EQUAL(wgdp_wipe_block(NULL), 0);
	wgdp_wiping_free(NULL);
}

static void test_installed(void)
{
	json_malloc_t m;
	json_free_t f;

	wgdp_json_wipe_on_free();
	json_get_alloc_funcs(&m, &f);
	CU_ASSERT_PTR_EQUAL(m, malloc);
	CU_ASSERT_PTR_EQUAL(f, wgdp_wiping_free);
}

/*
 * Why jansson's free has to wipe: json_dumps' text and the parser's token buffer hold a key
 * and are freed inside jansson, where no wgdp_json_wipe reaches, as are the blocks they grow
 * out of. If jansson ever freed them some other way (realloc), they would not pass its free
 * and this test would say so.
 */
static void test_jansson_frees_grown_buffers(void)
{
	char pad[20000], *text;
	json_t *o;

	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	/* The key last: the parser's token buffer, grown for the pad, then holds it whole. */
	o = json_pack("{s:s,s:s}", "pad", pad, "private_key", TMPL_KEY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	spy_on(TMPL_KEY, NULL);
	text = json_dumps(o, JSON_COMPACT);
	spy_off();
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_TRUE(spied_hits > 0);
	wgdp_json_wipe(o);
	json_decref(o);

	/* The next token ("}") overwrites the buffer's first bytes: look for the rest. */
	spy_on(&TMPL_KEY[4], NULL);
	o = json_loads(text, 0, NULL);
	spy_off();
	CU_ASSERT_PTR_NOT_NULL(o);
	CU_ASSERT_TRUE(spied_hits > 0);
	wgdp_json_wipe(o);
	json_decref(o);
	memset(text, 0, strlen(text));
	free(text);
}

/* The template's private key and its peers' preshared keys are replaced by the file's: wiped
 * before jansson frees them, without counting on the wiping free (a caller may not set it). */
static void test_import_wipes_the_template(void)
{
	static const char file[] = "[Interface]\nPrivateKey = " OUR_KEY "\n"
				   "[Peer]\nPublicKey = " BOB_PUB "\n";
	static const char tmpl_text[] =
		"{\"interface\":{\"private_key\":\"" TMPL_KEY "\"},"
		"\"peers\":[{\"public_key\":\"" BOB_PUB "\",\"preshared_key\":\"" TMPL_PSK "\"}]}";
	struct wgdp_config_error err;
	struct wgdp_wgq_msg msg;
	struct wgdp_wgq wq;
	json_t *tmpl = json_loads(tmpl_text, 0, NULL), *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmpl);
	CU_ASSERT_TRUE_FATAL(wgdp_wgq_parse(file, strlen(file), &wq, &msg));
	/* The spy looks before it wipes: only the conversion's own wipes keep it from a hit. */
	spy_on(TMPL_KEY, TMPL_PSK);
	out = wgdp_wgq_to_json(&wq, "wg0", tmpl, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(spied_hits, 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(out, "interface"),
								 "private_key")),
			       OUR_KEY);
	wgdp_json_wipe(out);
	json_decref(out);
	wgdp_json_wipe(tmpl);
	json_decref(tmpl);
	spy_off();
	CU_ASSERT_EQUAL(spied_hits, 0);
	wgdp_wgq_free(&wq);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "the whole block is wiped", test_wipe_block },
		{ "jansson gets the wiping free", test_installed },
		{ "jansson frees grown buffers through it", test_jansson_frees_grown_buffers },
		{ "import wipes the template's keys it replaces", test_import_wipes_the_template },
		CU_TEST_INFO_NULL,
	};

	return unit_run("secret_alloc", tests);
}
