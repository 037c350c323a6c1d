/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "crypto/ct.h"
#include "keypair.h"

void wg_keypair_wipe(struct wg_keypair *kp)
{
	wgc_memzero(kp->send_key, sizeof(kp->send_key));
	wgc_memzero(kp->recv_key, sizeof(kp->recv_key));
	kp->valid = false;
}

static void retire(struct wg_keypair *kp, struct wg_keypair **retired, unsigned int *n)
{
	if (kp)
		retired[(*n)++] = kp;
}

unsigned int wg_keypairs_add(struct wg_keypairs *kps, struct wg_keypair *kp,
			     struct wg_keypair *retired[2])
{
	unsigned int n = 0;

	if (kp->initiator) {
		/*
		 * A responder keypair still in next was never confirmed, yet the peer may send
		 * under it for a moment: keep it as previous rather than the older current.
		 */
		if (kps->next) {
			retire(kps->previous, retired, &n);
			retire(kps->current, retired, &n);
			kps->previous = kps->next;
			kps->next = NULL;
		} else {
			retire(kps->previous, retired, &n);
			kps->previous = kps->current;
		}
		kps->current = kp;
	} else {
		/* Until the initiator confirms, the previous keypair has no further use. */
		retire(kps->next, retired, &n);
		retire(kps->previous, retired, &n);
		kps->next = kp;
		kps->previous = NULL;
	}
	return n;
}

bool wg_keypairs_confirm(struct wg_keypairs *kps, const struct wg_keypair *kp,
			 struct wg_keypair **retired)
{
	*retired = NULL;
	if (!kp || kp != kps->next)
		return false;
	*retired = kps->previous;
	kps->previous = kps->current;
	kps->current = kps->next;
	kps->next = NULL;
	return true;
}

unsigned int wg_keypairs_clear(struct wg_keypairs *kps, struct wg_keypair *retired[3])
{
	unsigned int n = 0;

	retire(kps->previous, retired, &n);
	retire(kps->current, retired, &n);
	retire(kps->next, retired, &n);
	kps->previous = kps->current = kps->next = NULL;
	return n;
}
