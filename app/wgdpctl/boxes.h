/* SPDX-License-Identifier: MIT */
/*
 * wgdpctl over several boxes (`-s SOCK1 -s SOCK2 ...`, docs/scale-out.md): boxes behind ECMP
 * anycast hold the same key and peers, so a change goes to every one of them, and the
 * operator reads one line a box.
 *
 * A change (reload, set-config, peer-add, peer-remove, set-peers) goes in two rounds. First a
 * dry run to every box ("dry_run": true: each checks it whole, as it would apply it); a box
 * that refuses it, or cannot be reached, stops it there, and no box has changed. Then the
 * change itself, box by box. It can still be refused in that round only if something changed
 * the box between the rounds (another operator, a box that went away); those that applied it
 * keep it (there is no undo), and the report names the boxes that did not, so they can be set
 * right alone. A wgdp older than dry runs ignores "dry_run" and applies the change in the
 * first round: its ok answer lacks "dry_run":true, and the report says so (BOXES_PARTIAL).
 * The report is text, with --json too: the exit status is the verdict.
 */
#ifndef WGDPCTL_BOXES_H
#define WGDPCTL_BOXES_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* Exit statuses of a change over several boxes. */
enum {
	BOXES_APPLIED = 0, /* every box applied it (or, dry run, would) */
	BOXES_REFUSED = 1, /* refused or unreachable at the check: no box changed */
	BOXES_PARTIAL = 2, /* applied by some boxes only: the boxes differ now */
};

struct boxes_io {
	/* Sends one request to the box at sock; its answer line (malloc'd), or NULL when the
	 * box cannot be reached (the transport said why on stderr). */
	char *(*transact)(void *ctx, const char *sock, json_t *req);
	void *ctx;
	FILE *out; /* the report: a line a box, then a verdict */
};

/* Whether cmd changes a box's config (and so goes in two rounds). */
bool boxes_is_change(const char *cmd);

/*
 * The change req (not taken) to the n boxes at socks, as above; dry_run: the first round
 * only. Returns BOXES_*.
 */
int boxes_change(const struct boxes_io *io, const char *const *socks, unsigned int n, json_t *req,
		 bool dry_run);

/*
 * A request that only reads (show, stats, health) to each box: a "== box SOCK" header, then
 * print(ans) for the answer (raw: the answer line in {"box":SOCK,"answer":...}). 0 when every
 * box answered ok:true (and, to health, serving), 1 otherwise.
 */
int boxes_each(const struct boxes_io *io, const char *const *socks, unsigned int n, json_t *req,
	       bool raw, void (*print)(json_t *ans, void *arg), void *arg);

/*
 * Appends the sockets listed in file (one a line; blank lines and '#' comments skipped) to
 * *socks (malloc'd strings in a realloc'd array of *n). -1 with err filled on failure.
 */
int boxes_read_list(const char *file, char ***socks, unsigned int *n, char *err, size_t errlen);

#endif
