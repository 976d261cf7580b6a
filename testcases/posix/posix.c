// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX IPC: message queues with priorities and notification, shared memory
 * and semaphores found by name (/dev/mqueue, /dev/shm), limits as errors,
 * unlink as cleanup; exits 0/1/4.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define TIMEOUT_S	30	/* every blocking call ends by then */
#define MAX_WORD	64
#define MAX_MSGS	10	/* fs.mqueue.msg_max */
#define LABTEST_LOST	"notification"

#include "labtest.h"

static char name[80];		/* "/NAME" */
static char file[128];		/* where the kernel shows it */

static void arg_name(const char *s, const char *dir, const char *prefix)
{
	if (!*s || strchr(s, '/') || strlen(s) > 64) {
		fail("usage: NAME must be 1..64 characters without '/', got \"%s\"",
		     s);
		exit(KSFT_FAIL);
	}
	snprintf(name, sizeof(name), "/%s", s);
	snprintf(file, sizeof(file), "%s/%s%s", dir, prefix, s);
}

static const char *exists(void)
{
	return access(file, F_OK) ? "no" : "yes";
}

static struct timespec deadline_in(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static mqd_t open_queue(long maxmsg, long msgsize, int flags)
{
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	mqd_t q;

	mq_unlink(name);	/* a leftover of an earlier run */
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | flags, 0600, &attr);
	if (q == (mqd_t)-1)
		die("mq_open");
	return q;
}

static void unlink_queue(mqd_t q)
{
	mq_close(q);
	if (mq_unlink(name) < 0)
		die("mq_unlink");
	printf("after mq_unlink, in /dev/mqueue: %s\n", exists());
	expect_err("mq_open without O_CREAT after unlink",
		   mq_open(name, O_RDWR), ENOENT);
}

/* mq-priority NAME PRIO:WORD...: highest priority first, FIFO within one. */
static void cmd_mq_priority(char **argv)
{
	char line[MAX_MSGS * (MAX_WORD + 8)] = "", buf[MAX_WORD + 1], qsize[128];
	struct mq_attr attr;
	unsigned int prio;
	int n, i;
	mqd_t q;

	arg_name(argv[0], "/dev/mqueue", "");
	q = open_queue(MAX_MSGS, MAX_WORD, O_NONBLOCK);
	printf("in /dev/mqueue: %s\n", exists());
	for (n = 0; argv[n + 1]; n++) {
		char *arg = argv[n + 1], *colon = strchr(arg, ':');

		if (n == MAX_MSGS || !colon || strlen(colon + 1) > MAX_WORD) {
			fail("usage: at most %d PRIO:WORD, WORD of 0..%d letters",
			     MAX_MSGS, MAX_WORD);
			exit(KSFT_FAIL);
		}
		*colon = '\0';
		prio = arg_num(arg, 0, 31, "PRIO");
		if (mq_send(q, colon + 1, strlen(colon + 1), prio) < 0)
			die("mq_send");
	}
	if (mq_getattr(q, &attr) < 0)
		die("mq_getattr");
	printf("queued: %ld\n", (long)attr.mq_curmsgs);
	expect_eq("mq_curmsgs", attr.mq_curmsgs, n);
	/* The file in /dev/mqueue tells the size of what is queued. */
	if (read_file(file, qsize, sizeof(qsize)) == 0) {
		char *end = strchr(qsize, ' ');

		if (end)
			*end = '\0';
		printf("/dev/mqueue says: %s\n", qsize);
	}
	for (i = 0; i < n; i++) {
		ssize_t r = mq_receive(q, buf, sizeof(buf), &prio);

		if (r < 0)
			die("mq_receive");
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " %u:%.*s", prio, (int)r, buf);
	}
	printf("received:%s\n", line);
	expect_err("mq_receive on empty, O_NONBLOCK",
		   mq_receive(q, buf, sizeof(buf), NULL), EAGAIN);
	unlink_queue(q);
}

/*
 * mq-notify NAME VALUE WORD: a signal when the queue becomes non-empty,
 * once per registration, for one process only.
 */
static void cmd_mq_notify(char **argv)
{
	int value = arg_num(argv[1], 0, INT_MAX, "VALUE");
	const char *word = argv[2];
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR1,
		.sigev_value.sival_int = value,
	};
	struct timespec ts = { .tv_sec = TIMEOUT_S - 5 };
	char buf[MAX_WORD + 1];
	sigset_t set;
	siginfo_t si;
	pid_t pid;
	ssize_t r;
	mqd_t q;
	int sig;

	arg_name(argv[0], "/dev/mqueue", "");
	if (strlen(word) > MAX_WORD) {
		fail("usage: WORD of at most %d letters", MAX_WORD);
		exit(KSFT_FAIL);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	q = open_queue(MAX_MSGS, MAX_WORD, 0);
	if (mq_notify(q, &sev) < 0)
		die("mq_notify");
	printf("registered for SIGUSR1\n");

	pid = xfork();
	if (pid == 0) {
		mqd_t cq = mq_open(name, O_WRONLY);

		if (cq == (mqd_t)-1)
			die("child mq_open");
		expect_err("mq_notify from a second process",
			   mq_notify(cq, &sev), EBUSY);
		if (mq_send(cq, word, strlen(word), 1) < 0)
			die("child mq_send");
		child_exit();
	}
	phase = "waiting for the notification";
	sig = sigtimedwait(&set, &si, &ts);
	if (sig != SIGUSR1) {
		fail("sigtimedwait: got %d (%s), expected SIGUSR1", sig,
		     errname(errno));
	} else {
		printf("notified: SIGUSR1, si_code %s, value %d, sender %s\n",
		       si.si_code == SI_MESGQ ? "SI_MESGQ" : "other",
		       si.si_value.sival_int,
		       si.si_pid == pid ? "the child" : "someone else");
		expect_eq("si_value", si.si_value.sival_int, value);
	}
	reap(pid, "sender");
	r = mq_receive(q, buf, sizeof(buf), NULL);
	if (r < 0)
		die("mq_receive");
	printf("received: %.*s\n", (int)r, buf);

	/* Used up: the next message brings no signal. */
	if (mq_send(q, word, strlen(word), 1) < 0)
		die("mq_send");
	ts = (struct timespec){ .tv_nsec = 300000000 };
	sig = sigtimedwait(&set, &si, &ts);
	printf("second message, not registered again, 300 ms: %s\n",
	       sig < 0 && errno == EAGAIN ? "no signal" : "a signal");
	if (sig >= 0)
		fail("a signal without a registration");
	unlink_queue(q);
}

/* mq-limits NAME MAXMSG MSGSIZE: EAGAIN when full, EMSGSIZE, EEXIST. */
static void cmd_mq_limits(char **argv)
{
	long maxmsg, msgsize;
	size_t bad = 0;
	struct mq_attr attr;
	char *buf;
	mqd_t q;
	long i, j;

	arg_name(argv[0], "/dev/mqueue", "");
	maxmsg = arg_num(argv[1], 1, MAX_MSGS, "MAXMSG");
	msgsize = arg_num(argv[2], 2, 8192, "MSGSIZE");
	buf = malloc(msgsize + 1);
	if (!buf)
		die("malloc");
	q = open_queue(maxmsg, msgsize, O_NONBLOCK);
	if (mq_getattr(q, &attr) < 0)
		die("mq_getattr");
	printf("queue: maxmsg %ld, msgsize %ld\n", (long)attr.mq_maxmsg,
	       (long)attr.mq_msgsize);
	expect_err("mq_open O_CREAT|O_EXCL again",
		   mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr),
		   EEXIST);
	for (i = 0; i < maxmsg; i++) {
		memset(buf, 'a' + i, msgsize);
		if (mq_send(q, buf, msgsize, 0) < 0)
			die("mq_send");
	}
	printf("sent: %ld of %ld bytes each\n", i, msgsize);
	expect_err("mq_send to a full queue, O_NONBLOCK",
		   mq_send(q, buf, 1, 0), EAGAIN);
	if (mq_receive(q, buf, msgsize + 1, NULL) < 0)
		die("mq_receive");
	expect_err("mq_send of msgsize + 1 bytes",
		   mq_send(q, buf, msgsize + 1, 0), EMSGSIZE);
	expect_err("mq_receive into msgsize - 1 bytes",
		   mq_receive(q, buf, msgsize - 1, NULL), EMSGSIZE);
	for (i = 1; i < maxmsg; i++) {
		ssize_t r = mq_receive(q, buf, msgsize, NULL);

		if (r != msgsize) {
			fail("mq_receive: got %zd, expected %ld", r, msgsize);
			break;
		}
		for (j = 0; j < msgsize; j++)
			bad += buf[j] != 'a' + i;
	}
	printf("received the other %ld: %zu bytes differ\n", maxmsg - 1, bad);
	expect_eq("bytes that differ", bad, 0);
	unlink_queue(q);
	expect_err("mq_unlink again", mq_unlink(name), ENOENT);
	free(buf);
}

/* shm NAME SIZE SEED: a child maps the object by name and writes. */
static void cmd_shm(char **argv)
{
	size_t size, i, bad = 0;
	unsigned long seed;
	unsigned char *p;
	struct stat sb;
	pid_t pid;
	int fd;

	arg_name(argv[0], "/dev/shm", "");
	size = arg_num(argv[1], 1, 64 << 20, "SIZE");
	seed = arg_num(argv[2], 1, UINT_MAX, "SEED");
	shm_unlink(name);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		die("shm_open");
	if (ftruncate(fd, size) < 0)
		die("ftruncate");
	if (stat(file, &sb) < 0)
		die(file);
	printf("in /dev/shm: %lld bytes\n", (long long)sb.st_size);
	expect_err("shm_open O_CREAT|O_EXCL again",
		   shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	close(fd);

	pid = xfork();
	if (pid == 0) {
		__u32 st = rnd_seed(seed, 2);
		unsigned char *c;
		int cfd;

		/* Its own mapping, found by name. */
		munmap(p, size);
		cfd = shm_open(name, O_RDWR, 0);
		if (cfd < 0)
			die("child shm_open");
		c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 cfd, 0);
		if (c == MAP_FAILED)
			die("child mmap");
		for (i = 0; i < size; i++)
			c[i] = rnd_next(&st) >> 24;
		child_exit();
	}
	reap(pid, "child");
	{
		__u32 st = rnd_seed(seed, 2);

		for (i = 0; i < size; i++)
			bad += p[i] != (unsigned char)(rnd_next(&st) >> 24);
	}
	printf("parent sees the child's %zu bytes: %zu differ\n", size, bad);
	expect_eq("bytes that differ", bad, 0);
	if (shm_unlink(name) < 0)
		die("shm_unlink");
	printf("after shm_unlink, in /dev/shm: %s\n", exists());
	expect_err("shm_open without O_CREAT after unlink",
		   shm_open(name, O_RDWR, 0), ENOENT);
	p[size - 1] ^= 1;	/* the mapping outlives the name */
	munmap(p, size);
}

/* Entries in @dir, "." and ".." aside. */
static int count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		die(dir);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Adds @rounds to @counter, a load and a store apart (not an atomic add),
 * under @s when there is one.
 */
static void add_under(sem_t *s, unsigned long *counter, unsigned int rounds)
{
	unsigned int i;

	for (i = 0; i < rounds; i++) {
		struct timespec ts = deadline_in((TIMEOUT_S - 5) * 1000L);
		unsigned long v;

		if (s && sem_timedwait(s, &ts) < 0)
			die("sem_timedwait");
		v = __atomic_load_n(counter, __ATOMIC_RELAXED);
		if (!(i & 7))
			sched_yield();	/* invite a race */
		__atomic_store_n(counter, v + 1, __ATOMIC_RELAXED);
		if (s && sem_post(s) < 0)
			die("sem_post");
	}
}

/*
 * sem NAME PROCS ROUNDS: a named semaphore as a lock between processes
 * that open it by name; EAGAIN, ETIMEDOUT; unlink.
 */
static void cmd_sem(char **argv)
{
	unsigned int procs, rounds, i, pass;
	unsigned long *counter;
	struct timespec ts;
	pid_t pids[16];
	sem_t *s;

	/* musl keeps a named semaphore in /dev/shm/NAME (glibc: sem.NAME). */
	arg_name(argv[0], "/dev/shm", "");
	procs = arg_num(argv[1], 2, ARRAY_SIZE(pids), "PROCS");
	rounds = arg_num(argv[2], 1, 1000000, "ROUNDS");
	counter = mmap(NULL, sizeof(*counter), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		die("mmap");
	sem_unlink(name);
	s = sem_open(name, O_CREAT | O_EXCL, 0600, 1);
	if (s == SEM_FAILED)
		die("sem_open");
	printf("in /dev/shm: %s\n", exists());

	for (pass = 0; pass < 2; pass++) {
		*counter = 0;
		for (i = 0; i < procs; i++) {
			pids[i] = xfork();
			if (pids[i] == 0) {
				sem_t *cs = NULL;

				if (pass) {
					cs = sem_open(name, 0);
					if (cs == SEM_FAILED)
						die("child sem_open");
				}
				phase = "adding";
				add_under(cs, counter, rounds);
				child_exit();
			}
		}
		for (i = 0; i < procs; i++)
			reap(pids[i], "adder");
		if (pass) {
			printf("with the semaphore: %lu of %lu\n", *counter,
			       (unsigned long)procs * rounds);
			expect_eq("counter", *counter,
				  (unsigned long)procs * rounds);
		} else {
			/* Lost updates are likely, not certain: reported. */
			printf("without the semaphore: %s\n",
			       *counter == (unsigned long)procs * rounds ?
			       "no update lost" : "updates lost");
		}
	}

	if (sem_trywait(s) < 0)
		die("sem_trywait");
	expect_err("sem_trywait when taken", sem_trywait(s), EAGAIN);
	ts = deadline_in(100);
	expect_err("sem_timedwait 100 ms when taken", sem_timedwait(s, &ts),
		   ETIMEDOUT);
	sem_post(s);
	sem_close(s);
	if (sem_unlink(name) < 0)
		die("sem_unlink");
	printf("after sem_unlink, in /dev/shm: %s\n", exists());
	expect_err("sem_open without O_CREAT after unlink",
		   sem_open(name, 0) == SEM_FAILED ? -1 : 0, ENOENT);
	/* Every posix test unlinks what it made. */
	printf("entries left in /dev/mqueue: %d, in /dev/shm: %d\n",
	       count_dir("/dev/mqueue"), count_dir("/dev/shm"));
}

static const struct command commands[] = {
	{ "mq-priority", "NAME PRIO:WORD...", -2, cmd_mq_priority },
	{ "mq-notify", "NAME VALUE WORD", 3, cmd_mq_notify },
	{ "mq-limits", "NAME MAXMSG MSGSIZE", 3, cmd_mq_limits },
	{ "shm", "NAME SIZE SEED", 3, cmd_shm },
	{ "sem", "NAME PROCS ROUNDS", 3, cmd_sem },
};

int main(int argc, char **argv)
{
	labtest_start();

	return run_command("posix", commands, ARRAY_SIZE(commands), argc, argv);
}
