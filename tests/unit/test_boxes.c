/* SPDX-License-Identifier: MIT */
/*
 * app/wgdpctl/boxes.c with a transport of our own: which boxes got the dry run, which the
 * change, and what the report says, when every box agrees, when one refuses at the check, when
 * one cannot be reached, and when one refuses after its check passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boxes.h"
#include "unit.h"

#define N_BOXES 3

static const char *const socks[N_BOXES] = { "/run/a.sock", "/run/b.sock", "/run/c.sock" };

/* How each box behaves, and what it was sent. */
struct fake {
	bool refuse_check[N_BOXES];
	bool refuse_apply[N_BOXES];
	bool unreachable[N_BOXES];
	bool no_dry_run[N_BOXES]; /* a wgdp older than dry runs: it applies them */
	bool draining[N_BOXES];
	bool silent_apply[N_BOXES]; /* answers the check, not the change (timed out) */
	unsigned int checks[N_BOXES], applies[N_BOXES], reads[N_BOXES];
};

static int box_of(const char *sock)
{
	for (int i = 0; i < N_BOXES; i++)
		if (strcmp(sock, socks[i]) == 0)
			return i;
	return -1;
}

static char *fake_transact(void *ctx, const char *sock, json_t *req)
{
	struct fake *f = ctx;
	int i = box_of(sock);
	bool dry = json_is_true(json_object_get(req, "dry_run"));
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	CU_ASSERT_TRUE_FATAL(i >= 0);
	if (f->unreachable[i])
		return NULL;
	if (strcmp(cmd, "show") == 0) {
		f->reads[i]++;
		return strdup("{\"ok\":true,\"peers\":[]}");
	}
	if (strcmp(cmd, "health") == 0)
		return strdup(f->draining[i] ? "{\"ok\":true,\"state\":\"draining\"}"
					     : "{\"ok\":true,\"state\":\"serving\"}");
	if (f->no_dry_run[i])
		dry = false;
	if (dry)
		f->checks[i]++;
	else
		f->applies[i]++;
	if (!dry && f->silent_apply[i])
		return NULL;
	if ((dry && f->refuse_check[i]) || (!dry && f->refuse_apply[i]))
		return strdup("{\"ok\":false,\"error\":\"not a prefix\","
			      "\"path\":\"peer.allowed_ips[0]\"}");
	if (dry)
		return strdup("{\"ok\":true,\"dry_run\":true,\"added\":1,\"removed\":0,"
			      "\"changed\":0,\"peers\":5}");
	return strdup("{\"ok\":true,\"added\":1,\"removed\":0,\"changed\":0,\"peers\":5}");
}

/* Runs a peer-add over the three boxes; the report is left in report[]. */
static int run(struct fake *f, bool dry_run, char *report, size_t cap)
{
	FILE *out = fmemopen(report, cap, "w");
	struct boxes_io io = { .transact = fake_transact, .ctx = f, .out = out };
	json_t *req = json_pack("{s:s,s:{s:s}}", "cmd", "peer-add", "peer", "public_key", "k");
	int rc;

	CU_ASSERT_TRUE_FATAL(out != NULL);
	rc = boxes_change(&io, socks, N_BOXES, req, dry_run);
	/* The request the caller owns is as it was: the dry run went on a copy. */
	CU_ASSERT_PTR_NULL(json_object_get(req, "dry_run"));
	json_decref(req);
	fclose(out);
	return rc;
}

static void test_all_agree(void)
{
	struct fake f = { 0 };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, false, report, sizeof(report)), BOXES_APPLIED);
	for (int i = 0; i < N_BOXES; i++) {
		CU_ASSERT_EQUAL(f.checks[i], 1);
		CU_ASSERT_EQUAL(f.applies[i], 1);
	}
	CU_ASSERT_PTR_NOT_NULL(
		strstr(report, "box /run/b.sock: applied: 1 added, 0 removed, 0 changed; 5 peers"));
}

static void test_dry_run_only(void)
{
	struct fake f = { 0 };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, true, report, sizeof(report)), BOXES_APPLIED);
	for (int i = 0; i < N_BOXES; i++) {
		CU_ASSERT_EQUAL(f.checks[i], 1);
		CU_ASSERT_EQUAL(f.applies[i], 0);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "box /run/c.sock: would apply: 1 added"));
}

/* One refusal at the check: nobody is sent the change, and the report says who and why. */
static void test_refused_at_check(void)
{
	struct fake f = { .refuse_check = { false, true, false } };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, false, report, sizeof(report)), BOXES_REFUSED);
	for (int i = 0; i < N_BOXES; i++) {
		CU_ASSERT_EQUAL(f.checks[i], 1);
		CU_ASSERT_EQUAL(f.applies[i], 0);
	}
	CU_ASSERT_PTR_NOT_NULL(
		strstr(report, "box /run/b.sock: refused: peer.allowed_ips[0]: not a prefix"));
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "box /run/a.sock: checked"));
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "refused by 1 of 3 boxes: no box was changed"));
}

static void test_unreachable_at_check(void)
{
	struct fake f = { .unreachable = { false, false, true } };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, false, report, sizeof(report)), BOXES_REFUSED);
	for (int i = 0; i < N_BOXES; i++)
		CU_ASSERT_EQUAL(f.applies[i], 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "box /run/c.sock: unreachable"));
}

/* A box that changes between the rounds: the others keep the change, the report names it. */
static void test_refused_after_check(void)
{
	struct fake f = { .refuse_apply = { true, false, false } };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, false, report, sizeof(report)), BOXES_PARTIAL);
	for (int i = 0; i < N_BOXES; i++)
		CU_ASSERT_EQUAL(f.applies[i], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "box /run/a.sock: refused (after its check passed)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "applied by 2 of 3 boxes"));
}

/* Every box refuses after its check passed (all restarted, say): nothing changed, exit 1. */
static void test_all_refused_after_check(void)
{
	struct fake f = { .refuse_apply = { true, true, true } };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, false, report, sizeof(report)), BOXES_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "refused by every box after its check passed"));
}

/* Every box silent in the apply round (past --timeout, say): they may have applied it, so
 * not "no box was changed" but the boxes may differ, exit 2. */
static void test_silent_after_check(void)
{
	struct fake f = { .silent_apply = { true, true, true } };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, false, report, sizeof(report)), BOXES_PARTIAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(report,
				      "box /run/a.sock: no answer (after its check passed): "
				      "it may have applied the change"));
	CU_ASSERT_PTR_NULL(strstr(report, "no box was changed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "applied by 0 of 3 boxes, 3 gave no answer"));
}

/*
 * A wgdp older than dry runs ignores "dry_run" and applies: its ok answer lacks "dry_run":true.
 * The others are not sent the change, and the report says that box changed.
 */
static void test_older_box_applies_the_check(void)
{
	struct fake f = { .no_dry_run = { false, true, false } };
	char report[2048];

	CU_ASSERT_EQUAL(run(&f, false, report, sizeof(report)), BOXES_PARTIAL);
	CU_ASSERT_EQUAL(f.applies[0], 0);
	CU_ASSERT_EQUAL(f.applies[1], 1);
	CU_ASSERT_EQUAL(f.applies[2], 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(report, "box /run/b.sock: APPLIED (it does not know dry runs"));
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "but 1 applied the change instead of checking it"));
	memset(&f, 0, sizeof(f));
	f.no_dry_run[2] = true;
	CU_ASSERT_EQUAL(run(&f, true, report, sizeof(report)), BOXES_PARTIAL);
}

static void print_none(json_t *ans, void *arg)
{
	(void)ans;
	(void)arg;
}

/* health over several boxes exits 0 only when every box serves. */
static void test_health_draining(void)
{
	struct fake f = { 0 };
	char report[2048];
	FILE *out = fmemopen(report, sizeof(report), "w");
	struct boxes_io io = { .transact = fake_transact, .ctx = &f, .out = out };
	json_t *req = json_pack("{s:s}", "cmd", "health");

	CU_ASSERT_EQUAL(boxes_each(&io, socks, N_BOXES, req, false, print_none, NULL), 0);
	f.draining[1] = true;
	CU_ASSERT_EQUAL(boxes_each(&io, socks, N_BOXES, req, false, print_none, NULL), 1);
	CU_ASSERT_EQUAL(boxes_each(&io, socks, N_BOXES, req, true, print_none, NULL), 1);
	fclose(out);
	json_decref(req);
}

static void print_peers(json_t *ans, void *arg)
{
	(void)ans;
	(*(unsigned int *)arg)++;
}

static void test_reads(void)
{
	struct fake f = { .unreachable = { false, true, false } };
	char report[2048];
	FILE *out = fmemopen(report, sizeof(report), "w");
	struct boxes_io io = { .transact = fake_transact, .ctx = &f, .out = out };
	json_t *req = json_pack("{s:s}", "cmd", "show");
	unsigned int printed = 0;

	CU_ASSERT_EQUAL(boxes_each(&io, socks, N_BOXES, req, false, print_peers, &printed), 1);
	CU_ASSERT_EQUAL(printed, 2);
	CU_ASSERT_EQUAL(boxes_each(&io, socks, N_BOXES, req, true, print_peers, &printed), 1);
	fclose(out);
	json_decref(req);
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "== box /run/c.sock\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "box /run/b.sock: unreachable"));
	CU_ASSERT_PTR_NOT_NULL(strstr(report, "{\"box\":\"/run/b.sock\",\"answer\":null}"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(report, "{\"box\":\"/run/a.sock\",\"answer\":{\"ok\":true,\"peers\":[]}}"));
}

static void test_list_file(void)
{
	char path[] = "/tmp/wgdp-test-boxes.XXXXXX", err[128];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	char **list = NULL;
	unsigned int n = 0;

	CU_ASSERT_TRUE_FATAL(f != NULL);
	fputs("# the cluster\n/run/wgdp/a.sock\n\n  /run/wgdp/b.sock  \n#/run/wgdp/c.sock\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(boxes_read_list(path, &list, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(list[0], "/run/wgdp/a.sock");
	CU_ASSERT_STRING_EQUAL(list[1], "/run/wgdp/b.sock");
	unlink(path);
	CU_ASSERT_EQUAL(boxes_read_list(path, &list, &n, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
	for (unsigned int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void test_is_change(void)
{
	CU_ASSERT_TRUE(boxes_is_change("set-config"));
	CU_ASSERT_TRUE(boxes_is_change("peer-remove"));
	CU_ASSERT_TRUE(boxes_is_change("set-peers"));
	CU_ASSERT_FALSE(boxes_is_change("show"));
	CU_ASSERT_FALSE(boxes_is_change("health"));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "every box agrees: checked, then applied", test_all_agree },
		{ "--dry-run: checked, nothing applied", test_dry_run_only },
		{ "a refusal at the check changes no box", test_refused_at_check },
		{ "an unreachable box changes no box", test_unreachable_at_check },
		{ "a refusal after the check is reported", test_refused_after_check },
		{ "every box refuses after the check: exit 1", test_all_refused_after_check },
		{ "an older box applies the check: reported", test_older_box_applies_the_check },
		{ "boxes silent after the check may have applied", test_silent_after_check },
		{ "health: exit 0 only when every box serves", test_health_draining },
		{ "reads: a header and an answer a box", test_reads },
		{ "the list file", test_list_file },
		{ "which commands are changes", test_is_change },
		CU_TEST_INFO_NULL,
	};

	return unit_run("boxes", tests);
}
