// SPDX-License-Identifier: GPL-2.0
/*
 * Unix domain sockets: both directions, stream and datagram (boundaries
 * kept), names in /tmp and in the abstract namespace, file descriptors
 * passed with SCM_RIGHTS, the peer's credentials.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30);

#define MAX_WORD	256
#define MAX_DGRAMS	8	/* net.unix.max_dgram_qlen is 10 */
#define MAX_DGRAM	65536

static const char *name;	/* host-chosen, for /tmp/NAME and "\0NAME" */
static char file[80];		/* /tmp/NAME */

static void arg_name(const char *s)
{
	if (!*s || strchr(s, '/') || strlen(s) > 64) {
		fail("usage: NAME must be 1..64 characters without '/', got \"%s\"",
		     s);
		exit(KSFT_FAIL);
	}
	name = s;
	snprintf(file, sizeof(file), "/tmp/%s", s);
}

enum { CONNECT, BIND, LISTEN };

/*
 * A socket of @type named /tmp/NAME or, with @abstract, "\0NAME": bound
 * (and listening) there, or connected to it; -1 and errno if that fails.
 */
static int sock_at(int type, int abstract, int op)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sa);
	int fd = must(socket(AF_UNIX, type | SOCK_CLOEXEC, 0), "socket");
	int ret, err;

	snprintf(sa.sun_path + abstract, sizeof(sa.sun_path) - abstract, "%s",
		 abstract ? name : file);
	if (abstract)
		len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	if (op == CONNECT)
		ret = connect(fd, (struct sockaddr *)&sa, len);
	else
		ret = bind(fd, (struct sockaddr *)&sa, len);
	if (!ret && op == LISTEN)
		ret = listen(fd, 4);
	if (!ret)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * stream SIZE SEED WORD: a socketpair carries SIZE seeded bytes one way and
 * WORD back the other way.
 */
LAB_CASE(stream, "SIZE SEED WORD", 3)
{
	size_t size = arg_num(argv[0], 1, 64 << 20, "SIZE"), bad;
	__u32 st = rnd_seed(arg_num(argv[1], 1, UINT_MAX, "SEED"), 0);
	const char *word = argv[2];
	size_t len = arg_word(word, MAX_WORD);
	unsigned char *buf = malloc(size);
	char back[MAX_WORD];
	ssize_t got;
	int sv[2];
	pid_t pid;

	if (!buf)
		die("malloc");
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	pid = xfork();
	if (pid == 0) {
		close(sv[0]);
		phase = "child reading";
		got = read_full(sv[1], buf, size);
		bad = got > 0 ? rnd_differ(buf, got, &st) : 0;
		printf("child received: %zd bytes, %zu differ\n", got, bad);
		expect_eq("child bytes", got, size);
		expect_eq("child bytes that differ", bad, 0);
		/* The other direction, on the same socket. */
		write_full(sv[1], word, len, "child write");
		child_exit();
	}
	close(sv[1]);
	rnd_fill(buf, size, &st);
	phase = "parent writing";
	write_full(sv[0], buf, size, "write");
	must(shutdown(sv[0], SHUT_WR), "shutdown");	/* EOF for the child */
	phase = "parent reading";
	print_word("parent received", back,
		   read_full(sv[0], back, sizeof(back)), word);
	reap(pid, "child");
}

/* SIZE... into @sizes: their count. */
static size_t arg_sizes(char **argv, size_t *sizes)
{
	size_t n;

	for (n = 0; argv[n] && n < MAX_DGRAMS; n++)
		sizes[n] = arg_num(argv[n], 1, 8192, "SIZE");
	return n;
}

/* Sends one write per size, of 'a', 'b', ... */
static void send_sizes(int fd, const size_t *sizes, size_t n, void *buf)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(buf, 'a' + i % 26, sizes[i]);
		write_full(fd, buf, sizes[i], "send");
	}
}

/* A datagram socketpair with room for all: the sends never block. */
static void dgram_pair(int sv[2])
{
	int sndbuf = 4 * MAX_DGRAM * MAX_DGRAMS;

	must(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), "socketpair");
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
}

/* dgram SIZE...: each datagram arrives whole, one per read. */
LAB_CASE(dgram, "SIZE...", -1)
{
	size_t sizes[MAX_DGRAMS], n = arg_sizes(argv, sizes), i, j, bad = 0;
	static char buf[MAX_DGRAM + 1];
	char line[MAX_DGRAMS * 8] = "";
	ssize_t r;
	int sv[2];

	dgram_pair(sv);
	send_sizes(sv[0], sizes, n, buf);
	for (i = 0; i < n; i++) {
		r = must(read(sv[1], buf, sizeof(buf)), "recv");
		for (j = 0; j < (size_t)r; j++)
			bad += buf[j] != (char)('a' + i % 26);
		expect_eq("datagram size", r, sizes[i]);
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " %zd", r);
	}
	printf("datagrams:%s\n", line);
	expect_eq("datagram bytes that differ", bad, 0);
}

/*
 * dgram-trunc SIZE: a datagram read into too small a buffer: MSG_TRUNC,
 * the rest of it is dropped, the next one is whole.
 */
LAB_CASE(dgram_trunc, "SIZE", 1)
{
	size_t size = arg_num(argv[0], 2, 8192, "SIZE");
	static char buf[MAX_DGRAM + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;
	int sv[2];

	dgram_pair(sv);
	send_sizes(sv[0], &size, 1, buf);
	write_full(sv[0], "z", 1, "send");
	r = recvmsg(sv[1], &mh, 0);
	printf("recv of %zu bytes into 1: %zd%s\n", size, r,
	       mh.msg_flags & MSG_TRUNC ? ", MSG_TRUNC" : "");
	print_word("next datagram", buf, read(sv[1], buf, sizeof(buf)), "z");
}

/* stream-merge SIZE...: a stream keeps no boundaries: one read takes all. */
LAB_CASE(stream_merge, "SIZE...", -1)
{
	size_t sizes[MAX_DGRAMS], n = arg_sizes(argv, sizes), total = 0, i;
	static char buf[MAX_DGRAM + 1];
	ssize_t r;
	int sv[2];

	for (i = 0; i < n; i++)
		total += sizes[i];
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	send_sizes(sv[0], sizes, n, buf);
	r = read(sv[1], buf, sizeof(buf));
	printf("stream: one read returned %zd of %zu\n", r, total);
	expect_eq("stream read", r, total);
}

/*
 * A datagram server on an abstract name: no connection, each datagram
 * carries its sender's address (the client's was autobound) for the reply.
 */
LAB_CASE(dgram_autobind, "NAME WORD", 2)
{
	const char *word = argv[1];
	struct sockaddr_un sa, from;
	socklen_t salen = sizeof(sa), fromlen = sizeof(from);
	sa_family_t af = AF_UNIX;
	char buf[MAX_WORD];
	ssize_t n;
	pid_t pid;
	int fd;

	arg_word(word, MAX_WORD);
	arg_name(argv[0]);
	fd = must(sock_at(SOCK_DGRAM, 1, BIND), "dgram bind");
	must(getsockname(fd, (struct sockaddr *)&sa, &salen), "getsockname");
	pid = xfork();
	if (pid == 0) {
		close(fd);
		fd = must(socket(AF_UNIX, SOCK_DGRAM, 0), "socket");
		/* A bare family: the kernel picks an abstract name. */
		must(bind(fd, (struct sockaddr *)&af, sizeof(af)), "autobind");
		must(sendto(fd, word, strlen(word), 0, (struct sockaddr *)&sa,
			    salen), "client sendto");
		phase = "dgram client waiting for the reply";
		print_word("dgram: client got back", buf,
			   recv(fd, buf, sizeof(buf), 0), word);
		child_exit();
	}
	phase = "dgram server waiting";
	n = must(recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			  &fromlen), "recvfrom");
	printf("dgram: server got: %.*s, from an %s address\n", (int)n, buf,
	       fromlen > sizeof(sa_family_t) && !from.sun_path[0] ?
	       "abstract" : "unnamed");
	must(sendto(fd, buf, n, 0, (struct sockaddr *)&from, fromlen),
	     "sendto the client");
	reap(pid, "dgram client");
}

/* A client connects to the name of listening @lfd, sends WORD, gets it back. */
static void echo(int lfd, int abstract, const char *word)
{
	const char *how = abstract ? "abstract" : "path";
	size_t len = arg_word(word, MAX_WORD);
	char buf[MAX_WORD], what[64];
	pid_t pid = xfork();
	ssize_t n;
	int fd;

	if (pid == 0) {
		fd = must(sock_at(SOCK_STREAM, abstract, CONNECT), "connect");
		write_full(fd, word, len, "client write");
		shutdown(fd, SHUT_WR);
		phase = "client reading the reply";
		snprintf(what, sizeof(what), "%s: client got back", how);
		print_word(what, buf, read_full(fd, buf, sizeof(buf)), word);
		child_exit();
	}
	phase = "accept";
	fd = must(accept(lfd, NULL, NULL), "accept");
	phase = "server reading";
	n = must(read_full(fd, buf, sizeof(buf)), "server read");
	printf("%s: server got: %.*s\n", how, (int)n, buf);
	write_full(fd, buf, n, "server write");	/* echo */
	close(fd);
	reap(pid, "client");
	close(lfd);
}

/* named-path NAME WORD: a server on /tmp/NAME, a socket file there. */
LAB_CASE(named_path, "NAME WORD", 2)
{
	struct stat sb;
	int lfd;

	arg_name(argv[0]);
	unlink(file);
	lfd = must(sock_at(SOCK_STREAM, 0, LISTEN), "listen");
	if (stat(file, &sb) == 0)
		printf("path: %s is a %s\n", file,
		       S_ISSOCK(sb.st_mode) ? "socket" : "non-socket");
	echo(lfd, 0, argv[1]);
	must(unlink(file), "unlink");	/* close leaves it */
}

/* named-abstract NAME WORD: a server on "\0NAME": no file anywhere. */
LAB_CASE(named_abstract, "NAME WORD", 2)
{
	int lfd;

	arg_name(argv[0]);
	unlink(file);
	lfd = must(sock_at(SOCK_STREAM, 1, LISTEN), "listen");
	expect_err("abstract: file in /tmp", access(file, F_OK), ENOENT);
	echo(lfd, 1, argv[1]);
}

/* enoent NAME: connect to a path that does not exist. */
LAB_CASE(enoent, "NAME", 1)
{
	arg_name(argv[0]);
	unlink(file);
	expect_err("connect to a missing path",
		   sock_at(SOCK_STREAM, 0, CONNECT), ENOENT);
}

/* Leaves the socket file of a server that is gone (the usual stale file). */
static void stale_file(const char *arg)
{
	arg_name(arg);
	unlink(file);
	close(sock_at(SOCK_STREAM, 0, LISTEN));
	expect_ok("socket file left behind", access(file, F_OK));
}

/* econnrefused NAME: connect to a name nobody listens on: ECONNREFUSED. */
LAB_CASE(econnrefused, "NAME", 1)
{
	stale_file(argv[0]);
	expect_err("connect to an abstract name nobody bound",
		   sock_at(SOCK_STREAM, 1, CONNECT), ECONNREFUSED);
	expect_err("connect to a path nobody listens on",
		   sock_at(SOCK_STREAM, 0, CONNECT), ECONNREFUSED);
	unlink(file);
}

/* eaddrinuse NAME: bind to a path where a socket file is: EADDRINUSE. */
LAB_CASE(eaddrinuse, "NAME", 1)
{
	stale_file(argv[0]);
	expect_err("bind to the existing path",
		   sock_at(SOCK_STREAM, 0, BIND), EADDRINUSE);
	unlink(file);
}

/* Sends one byte with @fd in SCM_RIGHTS, or receives one: the fd, or -1. */
static int pass_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	char c0;

	if (fd >= 0) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		return sendmsg(sock, &mh, 0);
	}
	iov.iov_base = &c0;
	must(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC), "recvmsg");
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
LAB_CASE(rights, "NAME WORD", 2)
{
	const char *word = argv[1];
	size_t len = arg_word(word, MAX_WORD);
	char buf[MAX_WORD];
	int sv[2], fd;
	pid_t pid;

	arg_name(argv[0]);
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	/* The child is forked first: it cannot inherit the file. */
	pid = xfork();
	if (pid == 0) {
		close(sv[0]);
		phase = "receiver waiting for the fd";
		fd = pass_fd(sv[1], -1);
		if (fd < 0)
			child_exit();
		printf("receiver: got fd %d\n", fd);
		print_word("receiver read through it", buf,
			   read_full(fd, buf, sizeof(buf)), word);
		child_exit();
	}
	close(sv[1]);
	fd = must(open(file, O_RDWR | O_CREAT | O_TRUNC, 0600), "open");
	write_full(fd, word, len, "write");
	lseek(fd, 0, SEEK_SET);
	must(unlink(file), "unlink");
	expect_err("file name before sending", access(file, F_OK), ENOENT);
	must(pass_fd(sv[0], fd), "sendmsg SCM_RIGHTS");
	reap(pid, "receiver");
	/* One open file, two descriptors: the child's read moved our offset. */
	printf("sender's offset after the receiver's read: %lld\n",
	       (long long)lseek(fd, 0, SEEK_CUR));
	expect_eq("shared offset", lseek(fd, 0, SEEK_CUR), len);
}

/* rights-ebadf: SCM_RIGHTS with a descriptor that is not open: EBADF. */
LAB_CASE(rights_ebadf, "", 0)
{
	int sv[2], fd;

	(void)argv;
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	fd = must(dup(sv[1]), "dup");
	close(fd);	/* a number that is free */
	expect_err("SCM_RIGHTS with a closed fd", pass_fd(sv[0], fd), EBADF);
}

/* Prints what SO_PEERCRED says of @fd's peer; FAILs unless as expected. */
static void expect_peer(int fd, const char *who, pid_t pid, uid_t uid,
			gid_t gid)
{
	socklen_t sl = sizeof(struct ucred);
	struct ucred cr;

	must(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl), "SO_PEERCRED");
	printf("%s: pid %s, uid=%u gid=%u\n", who,
	       cr.pid == pid ? "matches" : "differs", cr.uid, cr.gid);
	expect_eq("peer pid", cr.pid, pid);
	expect_eq("peer uid", cr.uid, uid);
	expect_eq("peer gid", cr.gid, gid);
}

/*
 * peercred NAME UID GID: the server learns who connected (SO_PEERCRED):
 * the client's pid and the uid/gid it switched to before connect().
 */
LAB_CASE(peercred, "NAME UID GID", 3)
{
	uid_t uid = arg_num(argv[1], 1, 65534, "UID");
	gid_t gid = arg_num(argv[2], 1, 65534, "GID");
	gid_t sgid = getegid();
	int lfd, fd;
	pid_t pid;
	char c;

	arg_name(argv[0]);
	if (geteuid() != 0) {
		printf("SKIP: peercred needs root to switch uid\n");
		exit(KSFT_SKIP);
	}
	lfd = must(sock_at(SOCK_STREAM, 1, LISTEN), "listen");
	pid = xfork();
	if (pid == 0) {
		close(lfd);
		must(setresgid(gid, gid, gid), "setresgid");
		must(setresuid(uid, uid, uid), "setresuid");
		fd = must(sock_at(SOCK_STREAM, 1, CONNECT), "connect");
		/* The server's credentials, as they were at listen(). */
		expect_peer(fd, "client sees the server", getppid(), 0, sgid);
		phase = "client waiting for the server";
		read(fd, &c, 1);
		child_exit();
	}
	phase = "accept";
	fd = must(accept(lfd, NULL, NULL), "accept");
	expect_peer(fd, "server sees the client", pid, uid, gid);
	write(fd, "x", 1);
	reap(pid, "client");
}
