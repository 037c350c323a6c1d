/* SPDX-License-Identifier: MIT */
/*
 * wgdpctl: the operator's command line. The offline key commands behave like `wg genkey`,
 * `wg pubkey` and `wg genpsk`, so scripts written for wg work unchanged.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"

#define PROG "wgdpctl"

/* Like wg: a key written to a file others can read deserves a warning, not a refusal. */
static void warn_if_world_readable(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n",
		      stderr);
}

static int print_key(const uint8_t key[WGC_KEY_LEN])
{
	char b64[WGC_KEY_B64_LEN + 1];
	int rc = 0;

	wgc_key_to_base64(b64, key);
	if (printf("%s\n", b64) < 0 || fflush(stdout) != 0)
		rc = 1;
	wgc_memzero(b64, sizeof(b64));
	return rc;
}

static int cmd_genkey(void)
{
	uint8_t priv[WGC_KEY_LEN];
	int rc;

	warn_if_world_readable();
	wgc_x25519_generate(priv);
	rc = print_key(priv);
	wgc_memzero(priv, sizeof(priv));
	return rc;
}

static int cmd_genpsk(void)
{
	uint8_t psk[WGC_KEY_LEN];
	int rc;

	warn_if_world_readable();
	wgc_random(psk, sizeof(psk));
	rc = print_key(psk);
	wgc_memzero(psk, sizeof(psk));
	return rc;
}

/* Reads a private key from stdin: the 44 base64 characters, blanks and one newline around. */
static int cmd_pubkey(void)
{
	uint8_t priv[WGC_KEY_LEN], pub[WGC_KEY_LEN];
	char text[128];
	size_t len;
	int rc = 1;

	len = fread(text, 1, sizeof(text), stdin);
	if (ferror(stdin) || len == sizeof(text) || !wgc_key_from_text(priv, text, len)) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", PROG);
		goto out;
	}
	if (!wgc_x25519_public(pub, priv)) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", PROG);
		goto out;
	}
	rc = print_key(pub);
out:
	wgc_memzero(text, sizeof(text));
	wgc_memzero(priv, sizeof(priv));
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s <command>\n"
		"\n"
		"Offline key commands (compatible with wg):\n"
		"  genkey   print a new private key (base64) on stdout\n"
		"  pubkey   read a private key on stdin, print its public key\n"
		"  genpsk   print a new preshared key\n"
		"  help     this text\n",
		PROG);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (wgc_init() != 0) {
		fprintf(stderr, "%s: cannot initialise the crypto library\n", PROG);
		return 1;
	}
	cmd = argv[1];
	if (argc == 2 && strcmp(cmd, "genkey") == 0)
		return cmd_genkey();
	if (argc == 2 && strcmp(cmd, "genpsk") == 0)
		return cmd_genpsk();
	if (argc == 2 && strcmp(cmd, "pubkey") == 0)
		return cmd_pubkey();
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "%s: invalid command or arguments: '%s'\n", PROG, cmd);
	usage(stderr);
	return 1;
}
