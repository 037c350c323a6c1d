/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boxes.h"
#include "ctl/format.h"

bool boxes_is_change(const char *cmd)
{
	static const char *const changes[] = { "reload",      "set-config", "peer-add",
					       "peer-remove", "set-peers",  NULL };

	for (const char *const *c = changes; *c; c++)
		if (strcmp(cmd, *c) == 0)
			return true;
	return false;
}

/* The decoded answer of the box at sock, NULL when it could not be reached or spoke garbage. */
static json_t *ask(const struct boxes_io *io, const char *sock, json_t *req)
{
	char *line = io->transact(io->ctx, sock, req);
	json_t *ans = line ? json_loads(line, 0, NULL) : NULL;

	if (line && !ans)
		fprintf(stderr, "wgdpctl: %s answered with something not JSON\n", sock);
	free(line);
	return ans;
}

static bool answered_ok(json_t *ans)
{
	return ans && json_is_true(json_object_get(ans, "ok"));
}

static long long member(json_t *ans, const char *key)
{
	return (long long)json_integer_value(json_object_get(ans, key));
}

/* "box SOCK: refused: path: message", or unreachable; when: what round, for the reader. */
static void report_refusal(FILE *out, const char *sock, const char *when, json_t *ans)
{
	const char *path = json_string_value(json_object_get(ans, "path"));
	const char *error = json_string_value(json_object_get(ans, "error"));

	if (!ans) {
		fprintf(out, "box %s: unreachable%s\n", sock, when);
		return;
	}
	fprintf(out, "box %s: refused%s: %s%s%s\n", sock, when, path ? path : "", path ? ": " : "",
		error ? error : "(no reason given)");
}

static void report_counts(FILE *out, const char *sock, const char *verb, json_t *ans)
{
	fprintf(out, "box %s: %s: %lld added, %lld removed, %lld changed; %lld peers", sock, verb,
		member(ans, "added"), member(ans, "removed"), member(ans, "changed"),
		member(ans, "peers"));
	if (json_object_get(ans, "interfaces_added"))
		fprintf(out, "; interfaces %lld added, %lld removed",
			member(ans, "interfaces_added"), member(ans, "interfaces_removed"));
	fputc('\n', out);
}

/*
 * An ok answer to a dry run that does not say "dry_run": a wgdp older than dry runs, which
 * ignored the member and applied the change.
 */
static bool applied_instead(json_t *ans)
{
	return answered_ok(ans) && !json_is_true(json_object_get(ans, "dry_run"));
}

/*
 * Round one: every box checks req. The answers go in ans[]; returns how many refused, and
 * in *applied how many of those applied it instead.
 */
static unsigned int check_all(const struct boxes_io *io, const char *const *socks, unsigned int n,
			      json_t *req, json_t **ans, unsigned int *applied)
{
	json_t *check = json_copy(req); /* shallow: req itself stays as it was */
	unsigned int refused = 0;

	*applied = 0;
	json_object_set_new(check, "dry_run", json_true());
	for (unsigned int i = 0; i < n; i++) {
		ans[i] = ask(io, socks[i], check);
		refused += !answered_ok(ans[i]) || applied_instead(ans[i]);
		*applied += applied_instead(ans[i]);
	}
	json_decref(check);
	return refused;
}

static void report_check(FILE *out, const char *sock, json_t *ans, bool refused)
{
	if (applied_instead(ans))
		report_counts(out, sock, "APPLIED (it does not know dry runs: an older wgdp)", ans);
	else if (answered_ok(ans))
		report_counts(out, sock, refused ? "checked" : "would apply", ans);
	else
		report_refusal(out, sock, "", ans);
}

/*
 * Round two: every box applies req; returns how many did not say they did, and in *refused
 * how many of those said no. The others gave no answer (gone, or silent past --timeout): a
 * box may have applied the change all the same.
 */
static unsigned int apply_all(const struct boxes_io *io, const char *const *socks, unsigned int n,
			      json_t *req, unsigned int *refused)
{
	unsigned int failed = 0;

	*refused = 0;
	for (unsigned int i = 0; i < n; i++) {
		json_t *ans = ask(io, socks[i], req);

		if (answered_ok(ans)) {
			report_counts(io->out, socks[i], "applied", ans);
		} else if (ans) {
			report_refusal(io->out, socks[i], " (after its check passed)", ans);
			(*refused)++;
		} else {
			fprintf(io->out,
				"box %s: no answer (after its check passed): it may have "
				"applied the change\n",
				socks[i]);
		}
		failed += !answered_ok(ans);
		json_decref(ans);
	}
	return failed;
}

int boxes_change(const struct boxes_io *io, const char *const *socks, unsigned int n, json_t *req,
		 bool dry_run)
{
	json_t **ans = calloc(n ? n : 1, sizeof(*ans));
	unsigned int refused, failed, applied, said_no;

	if (!ans)
		return BOXES_REFUSED;
	refused = check_all(io, socks, n, req, ans, &applied);
	if (refused || dry_run) {
		for (unsigned int i = 0; i < n; i++) {
			report_check(io->out, socks[i], ans[i], refused);
			json_decref(ans[i]);
		}
		free(ans);
		if (applied) {
			fprintf(io->out,
				"refused by %u of %u boxes, but %u applied the change instead of "
				"checking it: the boxes differ now\n",
				refused, n, applied);
			return BOXES_PARTIAL;
		}
		if (refused)
			fprintf(io->out, "refused by %u of %u boxes: no box was changed\n", refused,
				n);
		return refused ? BOXES_REFUSED : BOXES_APPLIED;
	}
	for (unsigned int i = 0; i < n; i++)
		json_decref(ans[i]);
	free(ans);
	failed = apply_all(io, socks, n, req, &said_no);
	if (said_no == n) {
		fprintf(io->out, "refused by every box after its check passed: no box was "
				 "changed\n");
		return BOXES_REFUSED;
	}
	if (failed > said_no)
		fprintf(io->out,
			"applied by %u of %u boxes, %u gave no answer: the boxes may differ now "
			"(ask those, above, with -s SOCK show)\n",
			n - failed, n, failed - said_no);
	else if (failed)
		fprintf(io->out,
			"applied by %u of %u boxes: the boxes differ now (the others, above, need "
			"the change on their own: -s SOCK)\n",
			n - failed, n);
	return failed ? BOXES_PARTIAL : BOXES_APPLIED;
}

/* health's answer counts as ok only while the box serves: health checks read the status. */
static bool serving(json_t *req, json_t *ans)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	return !cmd || strcmp(cmd, "health") != 0 || ctl_health_serving(ans);
}

int boxes_each(const struct boxes_io *io, const char *const *socks, unsigned int n, json_t *req,
	       bool raw, void (*print)(json_t *ans, void *arg), void *arg)
{
	int rc = 0;

	for (unsigned int i = 0; i < n; i++) {
		json_t *ans = ask(io, socks[i], req);

		if (!answered_ok(ans) || !serving(req, ans))
			rc = 1;
		if (raw) {
			json_t *o = json_pack("{s:s,s:O?}", "box", socks[i], "answer", ans);
			char *line = json_dumps(o, JSON_COMPACT);

			if (line)
				fprintf(io->out, "%s\n", line);
			free(line);
			json_decref(o);
		} else {
			fprintf(io->out, "%s== box %s\n", i ? "\n" : "", socks[i]);
			fflush(io->out); /* print may write elsewhere than io->out's buffer */
			if (answered_ok(ans))
				print(ans, arg);
			else
				report_refusal(io->out, socks[i], "", ans);
		}
		json_decref(ans);
	}
	return rc;
}

static char *trimmed(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int boxes_read_list(const char *file, char ***socks, unsigned int *n, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *s = trimmed(line), **more;

		if (!*s || *s == '#')
			continue;
		more = realloc(*socks, (*n + 1) * sizeof(**socks));
		if (!more || !(more[*n] = strdup(s))) {
			if (more)
				*socks = more;
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		*socks = more;
		(*n)++;
	}
	free(line);
	fclose(f);
	return rc;
}
