#include "es/tls_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/strlist.h"

static int set_error(struct tls_probe_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int set_error(struct tls_probe_result *r, const char *fmt, ...)
{
	va_list ap;

	free(r->error);
	va_start(ap, fmt);
	r->error = buf_vformat(fmt, ap);
	va_end(ap);
	return r->error ? 0 : -ENOMEM;
}

/* "host:port" or "[v6]:port" split into host and port (both new strings). */
static int split_address(char **host, char **port, const char *address)
{
	const char *colon = strrchr(address, ':'), *start = address, *end;

	*host = *port = NULL;
	if (!colon || !colon[1])
		return -EINVAL;
	end = colon;
	if (*address == '[') {
		start++;
		if (end[-1] != ']')
			return -EINVAL;
		end--;
	}
	if (end <= start)
		return -EINVAL;
	*host = strndup(start, (size_t)(end - start));
	*port = strdup(colon + 1);
	if (!*host || !*port) {
		free(*host);
		free(*port);
		*host = *port = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Waits until fd is ready for events or the deadline passes; 1 ready, 0 timed out. */
static int wait_fd(int fd, short events, long deadline_ms)
{
	struct pollfd p = { fd, events, 0 };
	long left = deadline_ms - clock_now_ms();
	int n;

	if (left <= 0)
		return 0;
	do
		n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
	while (n < 0 && errno == EINTR);
	return n > 0;
}

/* A non-blocking socket connected to host:port before the deadline, or -1 (*why set). */
static int connect_before(const char *host, const char *port, long deadline_ms, const char **why)
{
	struct addrinfo hints, *list = NULL, *ai;
	int fd = -1, err = 0, rc;
	socklen_t len = sizeof(err);

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &list)) != 0) {
		*why = gai_strerror(rc);
		return -1;
	}
	*why = "connection refused";
	for (ai = list; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS && !wait_fd(fd, POLLOUT, deadline_ms)) {
			*why = "timed out connecting";
		} else {
			if (err == EINPROGRESS && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
				err = errno;
			if (!err)
				break;
			*why = strerror(err);
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(list);
	return fd;
}

static int note_client_cert_request(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	struct tls_probe_result *r = SSL_get_app_data(ssl);

	(void)x509;
	(void)pkey;
	r->asked_client_cert = true;
	return 0; /* no certificate to send: the far side decides what follows */
}

static int keep_chain(struct tls_probe_result *r, SSL *ssl)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	BIO *bio = NULL;
	BUF_MEM *mem;
	char *pem;
	int i, err = 0;

	for (i = 0; !err && chain && i < sk_X509_num(chain); i++) {
		bio = BIO_new(BIO_s_mem());
		if (!bio || !PEM_write_bio_X509(bio, sk_X509_value(chain, i))) {
			err = -ENOMEM;
			break;
		}
		BIO_get_mem_ptr(bio, &mem);
		pem = strndup(mem->data, mem->length);
		err = pem ? strlist_append(&r->chain_pem, &r->chain_count, pem) : -ENOMEM;
		free(pem);
		BIO_free(bio);
		bio = NULL;
	}
	BIO_free(bio);
	return err;
}

/* Shakes hands on fd; the far side may end the handshake once it sees that we
 * send no client certificate, which is fine: its chain came before that. */
static int handshake(struct tls_probe_result *r, int fd, const char *server_name, long deadline_ms)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	char detail[256] = "";
	int rc, err = 0, ready = 1;

	if (!ssl) {
		err = -ENOMEM;
		goto done;
	}
	SSL_CTX_set_client_cert_cb(ctx, note_client_cert_request);
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL); /* the trust stage verifies, against the declared CAs */
	SSL_set_app_data(ssl, r);
	if (server_name)
		SSL_set_tlsext_host_name(ssl, server_name);
	SSL_set_fd(ssl, fd);
	ERR_clear_error();
	while ((rc = SSL_connect(ssl)) != 1) {
		int code = SSL_get_error(ssl, rc);

		if (code == SSL_ERROR_WANT_READ)
			ready = wait_fd(fd, POLLIN, deadline_ms);
		else if (code == SSL_ERROR_WANT_WRITE)
			ready = wait_fd(fd, POLLOUT, deadline_ms);
		else
			break;
		if (!ready)
			break;
	}
	if (rc != 1)
		ERR_error_string_n(ERR_peek_last_error(), detail, sizeof(detail));
	err = keep_chain(r, ssl);
	if (!err && !r->chain_count)
		err = set_error(r, "no certificate from the far side: %s",
				!ready ? "the TLS handshake timed out" : *detail ? detail : "not a TLS server");
done:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return err;
}

int tls_probe(struct tls_probe_result *out, const char *address, const char *server_name, long timeout_ms)
{
	long deadline_ms = clock_now_ms() + timeout_ms;
	char *host = NULL, *port = NULL;
	const char *why = NULL;
	int fd, err;

	memset(out, 0, sizeof(*out));
	err = split_address(&host, &port, address);
	if (err)
		return err;
	fd = connect_before(host, port, deadline_ms, &why);
	if (fd < 0)
		err = set_error(out, "cannot connect to %s: %s", address, why);
	else
		err = handshake(out, fd, server_name, deadline_ms);
	if (fd >= 0)
		close(fd);
	free(host);
	free(port);
	if (err)
		tls_probe_result_dispose(out);
	return err;
}

void tls_probe_result_dispose(struct tls_probe_result *r)
{
	if (!r)
		return;
	strlist_free(r->chain_pem, r->chain_count);
	free(r->error);
	memset(r, 0, sizeof(*r));
}
