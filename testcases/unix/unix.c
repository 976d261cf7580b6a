// SPDX-License-Identifier: GPL-2.0
/*
 * Unix domain sockets: both directions, stream and datagram (boundaries
 * kept), names in /tmp and in the abstract namespace, file descriptors
 * passed with SCM_RIGHTS, the peer's credentials; exits 0/1/4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define TIMEOUT_S	30	/* every blocking call ends by then */
#define MAX_WORD	256
#define MAX_DGRAMS	8	/* net.unix.max_dgram_qlen is 10 */
#define MAX_DGRAM	65536

#include "labtest.h"

static void arg_name(const char *name)
{
	if (!*name || strchr(name, '/') || strlen(name) > 64) {
		fail("usage: NAME must be 1..64 characters without '/', got \"%s\"",
		     name);
		exit(KSFT_FAIL);
	}
}

static void xsocketpair(int type, int sv[2])
{
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
}

/* A path name (/tmp/NAME) or, with @abstract, "\0NAME"; returns its size. */
static socklen_t make_addr(struct sockaddr_un *sa, const char *name,
			   int abstract)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(sa->sun_path + 1, name, strlen(name));
		return offsetof(struct sockaddr_un, sun_path) + 1 +
		       strlen(name);
	}
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/tmp/%s", name);
	return sizeof(*sa);
}

static int listen_on(const char *name, int abstract)
{
	struct sockaddr_un sa;
	socklen_t len = make_addr(&sa, name, abstract);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (!abstract)
		unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0)
		die("bind");
	if (listen(fd, 4) < 0)
		die("listen");
	return fd;
}

static int connect_to(const char *name, int abstract)
{
	struct sockaddr_un sa;
	socklen_t len = make_addr(&sa, name, abstract);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static size_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0)
			die("read");
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

static void print_word(const char *what, const char *buf, size_t n,
		       const char *word)
{
	printf("%s: %.*s\n", what, (int)n, buf);
	if (n != strlen(word) || memcmp(buf, word, n))
		fail("%s: got \"%.*s\", expected \"%s\"", what, (int)n, buf,
		     word);
}

/*
 * stream SIZE SEED WORD: a socketpair carries SIZE seeded bytes one way and
 * WORD back the other way.
 */
static void cmd_stream(char **argv)
{
	size_t size = arg_num(argv[0], 1, 64 << 20, "SIZE");
	unsigned long seed = arg_num(argv[1], 1, UINT_MAX, "SEED");
	const char *word = argv[2];
	size_t len = arg_word(word), i;
	unsigned char *buf = malloc(size);
	char back[MAX_WORD];
	int sv[2];
	pid_t pid;

	if (!buf)
		die("malloc");
	xsocketpair(SOCK_STREAM, sv);
	pid = xfork();
	if (pid == 0) {
		__u32 st = rnd_seed(seed, 0);
		size_t got, bad = 0;

		close(sv[0]);
		phase = "child reading";
		got = read_full(sv[1], buf, size);
		for (i = 0; i < got; i++)
			bad += buf[i] != (unsigned char)(rnd_next(&st) >> 24);
		printf("child received: %zu bytes, %zu differ\n", got, bad);
		expect_eq("child bytes", got, size);
		expect_eq("child bytes that differ", bad, 0);
		/* The other direction, on the same socket. */
		if (write(sv[1], word, len) != (ssize_t)len)
			die("child write");
		child_exit();
	}
	close(sv[1]);
	{
		__u32 st = rnd_seed(seed, 0);

		for (i = 0; i < size; i++)
			buf[i] = rnd_next(&st) >> 24;
	}
	phase = "parent writing";
	if (write(sv[0], buf, size) != (ssize_t)size)
		die("write");
	if (shutdown(sv[0], SHUT_WR) < 0)	/* EOF for the child */
		die("shutdown");
	phase = "parent reading";
	print_word("parent received", back, read_full(sv[0], back, sizeof(back)),
		   word);
	reap(pid, "child");
	close(sv[0]);
	free(buf);
}

/* dgram SIZE...: each datagram arrives whole; a stream merges them. */
static void cmd_dgram(char **argv)
{
	size_t sizes[MAX_DGRAMS], total = 0, n = 0, i, j;
	static unsigned char buf[MAX_DGRAM + 1];
	char line[MAX_DGRAMS * 8] = "";
	int sv[2], type;

	for (; argv[n] && n < MAX_DGRAMS; n++) {
		sizes[n] = arg_num(argv[n], 1, 8192, "SIZE");
		total += sizes[n];
	}
	for (type = 0; type < 2; type++) {
		xsocketpair(type ? SOCK_STREAM : SOCK_DGRAM, sv);
		if (!type) {
			/* Room for them all: the sends never block. */
			int sndbuf = 4 * MAX_DGRAM * MAX_DGRAMS;

			setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
				   sizeof(sndbuf));
		}
		for (i = 0; i < n; i++) {
			memset(buf, 'a' + i % 26, sizes[i]);
			if (write(sv[0], buf, sizes[i]) != (ssize_t)sizes[i])
				die("send");
		}
		if (type) {
			ssize_t r = read(sv[1], buf, sizeof(buf));

			printf("stream: one read returned %zd of %zu\n", r,
			       total);
			expect_eq("stream read", r, total);
			close(sv[0]);
			close(sv[1]);
			break;
		}
		line[0] = '\0';
		for (i = 0; i < n; i++) {
			ssize_t r = read(sv[1], buf, sizeof(buf));
			size_t bad = 0;

			if (r < 0)
				die("recv");
			for (j = 0; j < (size_t)r; j++)
				bad += buf[j] != 'a' + i % 26;
			expect_eq("datagram bytes that differ", bad, 0);
			expect_eq("datagram size", r, sizes[i]);
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 " %zd", r);
		}
		printf("datagrams:%s\n", line);
		/* Too small a buffer: the rest of the datagram is dropped. */
		if (write(sv[0], buf, sizes[0]) < 0 ||
		    write(sv[0], "z", 1) < 0)
			die("send");
		{
			struct iovec iov = { .iov_base = buf, .iov_len = 1 };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
			ssize_t r = recvmsg(sv[1], &mh, 0);

			printf("recv of %zu bytes into 1: %zd%s\n", sizes[0], r,
			       mh.msg_flags & MSG_TRUNC ? ", MSG_TRUNC" : "");
			r = read(sv[1], buf, sizeof(buf));
			printf("next datagram: %.*s\n", (int)r, buf);
		}
		close(sv[0]);
		close(sv[1]);
	}
}

/*
 * A datagram server on an abstract name: no connection, each datagram
 * carries its sender's address (the client's was autobound) for the reply.
 */
static void named_dgram(const char *name, const char *word)
{
	size_t len = strlen(word);
	struct sockaddr_un sa, from;
	socklen_t salen = make_addr(&sa, name, 1), fromlen = sizeof(from);
	char buf[MAX_WORD];
	ssize_t n;
	pid_t pid;
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, salen) < 0)
		die("dgram socket/bind");
	pid = xfork();
	if (pid == 0) {
		sa_family_t af = AF_UNIX;
		int cfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		close(fd);
		/* A bare family: the kernel picks an abstract name. */
		if (cfd < 0 || bind(cfd, (struct sockaddr *)&af, sizeof(af)) < 0)
			die("client autobind");
		if (sendto(cfd, word, len, 0, (struct sockaddr *)&sa,
			   salen) != (ssize_t)len)
			die("client sendto");
		phase = "dgram client waiting for the reply";
		n = recv(cfd, buf, sizeof(buf), 0);
		if (n < 0)
			die("client recv");
		print_word("dgram: client got back", buf, n, word);
		child_exit();
	}
	phase = "dgram server waiting";
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		     &fromlen);
	if (n < 0)
		die("recvfrom");
	printf("dgram: server got: %.*s, from an %s address\n", (int)n, buf,
	       fromlen > sizeof(sa_family_t) && !from.sun_path[0] ?
	       "abstract" : "unnamed");
	if (sendto(fd, buf, n, 0, (struct sockaddr *)&from, fromlen) != n)
		die("sendto the client");
	reap(pid, "dgram client");
	close(fd);
}

/* named NAME WORD: a path in /tmp, the abstract namespace, datagrams. */
static void cmd_named(char **argv)
{
	const char *name = argv[0], *word = argv[1];
	size_t len = arg_word(word);
	char buf[MAX_WORD], file[128];
	int abstract;

	arg_name(name);
	snprintf(file, sizeof(file), "/tmp/%s", name);
	for (abstract = 0; abstract < 2; abstract++) {
		const char *how = abstract ? "abstract" : "path";
		int lfd = listen_on(name, abstract), cfd;
		struct stat sb;
		pid_t pid;

		if (abstract)
			printf("abstract: file in /tmp: %s\n",
			       access(file, F_OK) ? "none" : "exists");
		else if (stat(file, &sb) == 0)
			printf("path: %s is a %s\n", file,
			       S_ISSOCK(sb.st_mode) ? "socket" : "non-socket");
		pid = xfork();
		if (pid == 0) {
			int fd;

			close(lfd);
			fd = connect_to(name, abstract);
			if (fd < 0)
				die("connect");
			if (write(fd, word, len) != (ssize_t)len)
				die("client write");
			shutdown(fd, SHUT_WR);
			phase = "client reading the reply";
			print_word(abstract ? "abstract: client got back" :
				   "path: client got back", buf,
				   read_full(fd, buf, sizeof(buf)), word);
			child_exit();
		}
		phase = "accept";
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			die("accept");
		phase = "server reading";
		len = read_full(cfd, buf, sizeof(buf));
		printf("%s: server got: %.*s\n", how, (int)len, buf);
		if (write(cfd, buf, len) != (ssize_t)len)	/* echo */
			die("server write");
		close(cfd);
		reap(pid, "client");
		close(lfd);
		if (!abstract && unlink(file) < 0)	/* close leaves it */
			die("unlink");
	}
	named_dgram(name, word);
}

/* errors NAME: ECONNREFUSED, ENOENT, EADDRINUSE. */
static void cmd_errors(char **argv)
{
	const char *name = argv[0];
	struct sockaddr_un sa;
	char file[128];
	socklen_t len;
	int fd;

	arg_name(name);
	snprintf(file, sizeof(file), "/tmp/%s", name);
	unlink(file);
	expect_err("connect to a missing path", connect_to(name, 0), ENOENT);
	expect_err("connect to an abstract name nobody bound",
		   connect_to(name, 1), ECONNREFUSED);
	/* A socket file whose server is gone (the usual stale file). */
	fd = listen_on(name, 0);
	close(fd);
	printf("socket file left behind: %s\n",
	       access(file, F_OK) ? "no" : "yes");
	expect_err("connect to a path nobody listens on", connect_to(name, 0),
		   ECONNREFUSED);
	len = make_addr(&sa, name, 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	expect_err("bind to the existing path",
		   bind(fd, (struct sockaddr *)&sa, len), EADDRINUSE);
	close(fd);
	unlink(file);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0);
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c0;
	struct iovec iov = { .iov_base = &c0, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		die("recvmsg");
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
		fail("recvmsg: no SCM_RIGHTS message");
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * rights NAME WORD: a process that never had the file gets its descriptor;
 * the file's name is gone before, and the offset is shared after.
 */
static void cmd_rights(char **argv)
{
	const char *name = argv[0], *word = argv[1];
	size_t len = arg_word(word);
	char file[128], buf[MAX_WORD];
	int sv[2], fd;
	off_t off;
	pid_t pid;

	arg_name(name);
	snprintf(file, sizeof(file), "/tmp/%s", name);
	xsocketpair(SOCK_STREAM, sv);
	/* The child is forked first: it cannot inherit the file. */
	pid = xfork();
	if (pid == 0) {
		close(sv[0]);
		phase = "receiver waiting for the fd";
		fd = recv_fd(sv[1]);
		if (fd < 0)
			child_exit();
		printf("receiver: got fd %d\n", fd);
		print_word("receiver read through it", buf,
			   read_full(fd, buf, sizeof(buf)), word);
		child_exit();
	}
	close(sv[1]);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open");
	if (write(fd, word, len) != (ssize_t)len)
		die("write");
	lseek(fd, 0, SEEK_SET);
	if (unlink(file) < 0)
		die("unlink");
	printf("file name removed before sending: %s\n",
	       access(file, F_OK) ? "yes" : "no");
	if (send_fd(sv[0], fd) < 0)
		die("sendmsg SCM_RIGHTS");
	reap(pid, "receiver");
	/* One open file, two descriptors: the child's read moved our offset. */
	off = lseek(fd, 0, SEEK_CUR);
	printf("sender's offset after the receiver's read: %lld\n",
	       (long long)off);
	expect_eq("shared offset", off, len);
	close(fd);
	expect_err("SCM_RIGHTS with a closed fd", send_fd(sv[0], fd), EBADF);
	close(sv[0]);
}

/*
 * peercred NAME UID GID: the server learns who connected (SO_PEERCRED):
 * the client's pid and the uid/gid it switched to before connect().
 */
static void cmd_peercred(char **argv)
{
	const char *name = argv[0];
	uid_t uid = arg_num(argv[1], 1, 65534, "UID");
	gid_t gid = arg_num(argv[2], 1, 65534, "GID");
	socklen_t sl = sizeof(struct ucred);
	struct ucred cr;
	int lfd, cfd;
	pid_t pid;
	char c;

	arg_name(name);
	if (geteuid() != 0) {
		printf("SKIP: peercred needs root to switch uid\n");
		exit(KSFT_SKIP);
	}
	lfd = listen_on(name, 1);
	pid = xfork();
	if (pid == 0) {
		int fd;

		close(lfd);
		if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
			die("setresuid");
		fd = connect_to(name, 1);
		if (fd < 0)
			die("connect");
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) < 0)
			die("SO_PEERCRED");
		printf("client sees the server: pid %s, uid=%u gid=%u\n",
		       cr.pid == getppid() ? "matches" : "differs",
		       cr.uid, cr.gid);
		if (cr.pid != getppid())
			fail("server pid: got %d, expected %d", cr.pid,
			     getppid());
		phase = "client waiting for the server";
		read(fd, &c, 1);
		child_exit();
	}
	phase = "accept";
	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		die("accept");
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) < 0)
		die("SO_PEERCRED");
	printf("server sees the client: pid %s, uid=%u gid=%u\n",
	       cr.pid == pid ? "matches" : "differs", cr.uid, cr.gid);
	if (cr.pid != pid)
		fail("client pid: got %d, expected %d", cr.pid, pid);
	expect_eq("client uid", cr.uid, uid);
	expect_eq("client gid", cr.gid, gid);
	write(cfd, "x", 1);
	close(cfd);
	reap(pid, "client");
	close(lfd);
}

static const struct command commands[] = {
	{ "stream", "SIZE SEED WORD", 3, cmd_stream },
	{ "dgram", "SIZE...", -1, cmd_dgram },
	{ "named", "NAME WORD", 2, cmd_named },
	{ "errors", "NAME", 1, cmd_errors },
	{ "rights", "NAME WORD", 2, cmd_rights },
	{ "peercred", "NAME UID GID", 3, cmd_peercred },
};

int main(int argc, char **argv)
{
	labtest_start();

	return run_command("unix", commands, ARRAY_SIZE(commands), argc, argv);
}
