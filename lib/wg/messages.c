/* SPDX-License-Identifier: MIT */
#include "messages.h"

enum wg_message_type wg_msg_classify(const void *buf, size_t len)
{
	const struct wg_msg_header *h = buf;

	if (len < sizeof(*h) || h->reserved[0] | h->reserved[1] | h->reserved[2])
		return 0;

	switch (h->type) {
	case WG_MSG_INITIATION:
		return len == sizeof(struct wg_msg_initiation) ? WG_MSG_INITIATION : 0;
	case WG_MSG_RESPONSE:
		return len == sizeof(struct wg_msg_response) ? WG_MSG_RESPONSE : 0;
	case WG_MSG_COOKIE:
		return len == sizeof(struct wg_msg_cookie) ? WG_MSG_COOKIE : 0;
	case WG_MSG_DATA:
		return len >= WG_MSG_DATA_MIN_LEN ? WG_MSG_DATA : 0;
	default:
		return 0;
	}
}
