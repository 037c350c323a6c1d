/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "secret_file.h"

#define FIRST_BLOCK (64u << 10)

void wgdp_secret_text_free(char *text, size_t len)
{
	if (!text)
		return;
	wgc_memzero(text, len + 1);
	free(text);
}

/* A block of cap bytes holding text's len: a new one, the old one wiped (never realloc). */
static char *grown(char *text, size_t len, size_t cap)
{
	char *bigger = malloc(cap);

	if (bigger && text)
		memcpy(bigger, text, len);
	if (bigger && text)
		wgdp_secret_text_free(text, len);
	return bigger;
}

static char *refuse(char *text, size_t len, int fd, char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	wgdp_secret_text_free(text, len);
	if (fd >= 0)
		close(fd);
	return NULL;
}

char *wgdp_secret_file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 0;
	char *text = NULL;

	*len = 0;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (*len + 1 >= cap) {
			size_t want = cap ? 2 * cap : FIRST_BLOCK;
			char *bigger = grown(text, *len, want);

			if (!bigger)
				return refuse(text, *len, fd, err, errlen, "out of memory");
			text = bigger;
			cap = want;
		}
		n = read(fd, text + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return refuse(text, *len, fd, err, errlen, strerror(errno));
		if (n == 0)
			break;
		*len += (size_t)n;
		if (*len > max) {
			char msg[64];

			if (max >= (1u << 20))
				snprintf(msg, sizeof(msg), "larger than %zu MiB", max >> 20);
			else
				snprintf(msg, sizeof(msg), "larger than %zu bytes", max);
			return refuse(text, *len, fd, err, errlen, msg);
		}
	}
	close(fd);
	text[*len] = '\0';
	return text;
}

json_t *wgdp_peer_list_load(const char *path, size_t max, char *err, size_t errlen)
{
	json_t *root, *peers;
	json_error_t jerr;
	size_t len;
	char *text = wgdp_secret_file_read(path, max, &len, err, errlen);

	if (!text)
		return NULL;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	wgdp_secret_text_free(text, len);
	if (!root) {
		snprintf(err, errlen, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	peers = json_incref(json_is_array(root) ? root : json_object_get(root, "peers"));
	if (!json_is_array(peers))
		snprintf(err, errlen, "%s",
			 json_object_get(root, "interfaces") && !json_object_get(root, "peers")
				 ? "its peers are each interface's (interfaces[].peers): give a "
				   "file of the interface's peers, an array or {\"peers\":[...]}, "
				   "and IFACE"
				 : "neither an array of peers nor an object with peers");
	json_decref(root);
	if (json_is_array(peers))
		return peers;
	json_decref(peers);
	return NULL;
}
