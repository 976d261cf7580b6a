// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX IPC: message queues with priorities and notification, shared memory
 * and semaphores found by name (/dev/mqueue, /dev/shm), limits as errors,
 * unlink as cleanup.
 */
#include <dirent.h>
#include <limits.h>
#include <mqueue.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30, .lost = "notification");

#define MAX_WORD	64
#define MAX_MSGS	10	/* fs.mqueue.msg_max */
#define SIGNAL_WAIT_MS	25000	/* under the program's timeout */

static char name[80];		/* "/NAME" */
static char file[128];		/* where the kernel shows it */

static void arg_name(const char *s, const char *dir)
{
	arg_word(s, 64);
	snprintf(name, sizeof(name), "/%s", s);
	snprintf(file, sizeof(file), "%s/%s", dir, s);
}

/* FAILs unless the kernel shows the object @when (@want 1) or not (0). */
static void expect_shown(const char *when, int want)
{
	int shown = access(file, F_OK) == 0;

	if (shown != want)
		fail("%s: %s %s", when, file, want ? "missing" : "still there");
}

/* Queue NAME (@arg) made anew. */
static mqd_t open_queue(const char *arg, long maxmsg, long msgsize, int flags)
{
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	arg_name(arg, "/dev/mqueue");
	mq_unlink(name);	/* a leftover of an earlier run */
	return must(mq_open(name, O_RDWR | O_CREAT | O_EXCL | flags, 0600,
			    &attr), "mq_open");
}

static void unlink_queue(mqd_t q)
{
	mq_close(q);
	must(mq_unlink(name), "mq_unlink");
}

/* mq-priority NAME PRIO:WORD...: highest priority first, FIFO within one. */
LAB_CASE(mq_priority, "NAME PRIO:WORD...", -2)
{
	char buf[MAX_WORD + 1];
	struct mq_attr attr;
	unsigned int prio;
	mqd_t q;
	int n;

	q = open_queue(argv[0], MAX_MSGS, MAX_WORD, O_NONBLOCK);
	for (n = 0; argv[n + 1]; n++) {
		char *colon = strchr(argv[n + 1], ':');

		if (!colon) {
			fail("usage: PRIO:WORD, got \"%s\"", argv[n + 1]);
			exit(KSFT_FAIL);
		}
		*colon = '\0';
		prio = arg_num(argv[n + 1], 0, 31, "PRIO");
		must(mq_send(q, colon + 1, strlen(colon + 1), prio), "mq_send");
	}
	must(mq_getattr(q, &attr), "mq_getattr");
	expect_eq("mq_curmsgs", attr.mq_curmsgs, n);
	/* The file in /dev/mqueue tells the size of what is queued. */
	must(read_file(file, buf, sizeof(buf)), file);
	printf("/dev/mqueue says: %.*s\n", (int)strcspn(buf, " "), buf);
	printf("received:");
	while (n--) {
		int r = must(mq_receive(q, buf, MAX_WORD, &prio), "mq_receive");

		printf(" %u:%.*s", prio, r, buf);
	}
	printf("\n");
	unlink_queue(q);
}

/* mq-empty NAME: mq_receive on an empty O_NONBLOCK queue: EAGAIN. */
LAB_CASE(mq_empty, "NAME", 1)
{
	mqd_t q = open_queue(argv[0], MAX_MSGS, MAX_WORD, O_NONBLOCK);
	char buf[MAX_WORD];

	expect_err("mq_receive on empty, O_NONBLOCK",
		   mq_receive(q, buf, MAX_WORD, NULL), EAGAIN);
	unlink_queue(q);
}

/*
 * mq-unlink NAME: a queue is shown in /dev/mqueue from mq_open to
 * mq_unlink, EEXIST for O_EXCL meanwhile, ENOENT after.
 */
LAB_CASE(mq_unlink, "NAME", 1)
{
	mqd_t q = open_queue(argv[0], MAX_MSGS, MAX_WORD, 0);

	expect_shown("after mq_open", 1);
	expect_err("mq_open O_CREAT|O_EXCL again",
		   mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL),
		   EEXIST);
	unlink_queue(q);
	expect_shown("after mq_unlink", 0);
	expect_err("mq_open after unlink", mq_open(name, O_RDWR), ENOENT);
	expect_err("mq_unlink again", mq_unlink(name), ENOENT);
}

/* Queue NAME (@arg), and SIGUSR1 (blocked) with @value when it fills. */
static mqd_t notify_queue(const char *arg, int value)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR1,
		.sigev_value.sival_int = value,
	};
	mqd_t q;

	block(SIGUSR1);
	q = open_queue(arg, MAX_MSGS, MAX_WORD, 0);
	must(mq_notify(q, &sev), "mq_notify");
	return q;
}

/*
 * mq-notify NAME VALUE WORD (mq_notify is libc's): a signal when another
 * process makes the queue non-empty, telling VALUE and its pid.
 */
LAB_CASE(notify, "NAME VALUE WORD", 3)
{
	int value = arg_num(argv[1], 0, INT_MAX, "VALUE");
	const char *word = argv[2];
	mqd_t q = notify_queue(argv[0], value);
	char buf[MAX_WORD + 1];
	siginfo_t si;
	pid_t pid;

	arg_word(word, MAX_WORD);
	pid = xfork();
	if (pid == 0) {
		must(mq_send(q, word, strlen(word), 1), "child mq_send");
		child_exit();
	}
	phase = "waiting for the notification";
	if (wait_sig(SIGUSR1, SIGNAL_WAIT_MS, &si)) {
		fail("no SIGUSR1 within %d ms", SIGNAL_WAIT_MS);
	} else {
		if (si.si_code != SI_MESGQ)
			fail("si_code: got %d, expected SI_MESGQ", si.si_code);
		expect_eq("si_value", si.si_value.sival_int, value);
		expect_eq("si_pid (the child's)", si.si_pid, pid);
	}
	reap(pid, "sender");
	print_word("received", buf, mq_receive(q, buf, MAX_WORD, NULL), word);
	unlink_queue(q);
}

/* mq-notify-ebusy NAME: one process only may be registered. */
LAB_CASE(notify_ebusy, "NAME", 1)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
				.sigev_signo = SIGUSR1 };
	mqd_t q = notify_queue(argv[0], 0);
	pid_t pid = xfork();

	if (pid == 0) {
		expect_err("mq_notify from a second process",
			   mq_notify(q, &sev), EBUSY);
		child_exit();
	}
	reap(pid, "second process");
	unlink_queue(q);
}

/* mq-notify-once NAME: a registration is used up by one signal. */
LAB_CASE(notify_once, "NAME", 1)
{
	mqd_t q = notify_queue(argv[0], 0);
	char buf[MAX_WORD];
	siginfo_t si;

	must(mq_send(q, "a", 1, 1), "mq_send");
	phase = "waiting for the notification";
	if (wait_sig(SIGUSR1, SIGNAL_WAIT_MS, &si))
		fail("the first message: no SIGUSR1 within %d ms",
		     SIGNAL_WAIT_MS);
	/* Empty again (only a message to an empty queue notifies)... */
	must(mq_receive(q, buf, MAX_WORD, NULL), "mq_receive");
	/* ...but used up: the next message brings no signal. */
	must(mq_send(q, "b", 1, 1), "mq_send");
	if (!wait_sig(SIGUSR1, 300, &si))
		fail("the next message: got SIGUSR1, expected none (the registration is used up)");
	unlink_queue(q);
}

/*
 * mq-limits NAME MAXMSG MSGSIZE: MAXMSG messages of MSGSIZE fit; one more
 * is EAGAIN, and those in the queue stay as sent.
 */
LAB_CASE(mq_limits, "NAME MAXMSG MSGSIZE", 3)
{
	long maxmsg = arg_num(argv[1], 1, MAX_MSGS, "MAXMSG");
	long msgsize = arg_num(argv[2], 2, 8192, "MSGSIZE"), i, j, bad = 0;
	mqd_t q = open_queue(argv[0], maxmsg, msgsize, O_NONBLOCK);
	char buf[8192 + 1];
	struct mq_attr attr;

	must(mq_getattr(q, &attr), "mq_getattr");
	printf("queue: maxmsg %ld, msgsize %ld\n", (long)attr.mq_maxmsg,
	       (long)attr.mq_msgsize);
	for (i = 0; i < maxmsg; i++) {
		memset(buf, 'a' + i, msgsize);
		must(mq_send(q, buf, msgsize, 0), "mq_send");
	}
	expect_err("mq_send to a full queue", mq_send(q, buf, 1, 0), EAGAIN);
	for (i = 0; i < maxmsg; i++) {
		expect_eq("mq_receive", mq_receive(q, buf, msgsize, NULL),
			  msgsize);
		for (j = 0; j < msgsize; j++)
			bad += buf[j] != 'a' + i;
	}
	expect_eq("bytes that differ in the messages", bad, 0);
	unlink_queue(q);
}

/* mq-emsgsize NAME MSGSIZE: no message above MSGSIZE, no buffer below. */
LAB_CASE(mq_emsgsize, "NAME MSGSIZE", 2)
{
	long msgsize = arg_num(argv[1], 2, 8192, "MSGSIZE");
	mqd_t q = open_queue(argv[0], 1, msgsize, O_NONBLOCK);
	char buf[8192 + 1] = "";

	expect_err("mq_send of msgsize + 1 bytes",
		   mq_send(q, buf, msgsize + 1, 0), EMSGSIZE);
	must(mq_send(q, buf, 1, 0), "mq_send");
	expect_err("mq_receive into msgsize - 1 bytes",
		   mq_receive(q, buf, msgsize - 1, NULL), EMSGSIZE);
	unlink_queue(q);
}

/* Maps @fd's @size bytes, then closes it. */
static unsigned char *map_fd(int fd, size_t size)
{
	void *p = map_shared(fd, size, 0);

	close(fd);
	return p;
}

/* Object NAME (@arg) in /dev/shm made anew, of @size bytes, mapped. */
static unsigned char *new_shm(const char *arg, size_t size)
{
	int fd;

	arg_name(arg, "/dev/shm");
	shm_unlink(name);
	fd = must(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), "shm_open");
	must(ftruncate(fd, size), "ftruncate");
	return map_fd(fd, size);
}

/* shm NAME SIZE SEED: a child maps the object by name and writes. */
LAB_CASE(shm, "NAME SIZE SEED", 3)
{
	size_t size = arg_num(argv[1], 1, 64 << 20, "SIZE");
	__u32 st = rnd_seed(arg_num(argv[2], 1, UINT_MAX, "SEED"), 2);
	unsigned char *p = new_shm(argv[0], size);
	struct stat sb;
	pid_t pid;

	must(stat(file, &sb), file);
	printf("in /dev/shm: %lld bytes\n", (long long)sb.st_size);
	pid = xfork();
	if (pid == 0) {
		/* Its own mapping, found by name. */
		munmap(p, size);
		p = map_fd(must(shm_open(name, O_RDWR, 0), "child shm_open"),
			   size);
		rnd_fill(p, size, &st);
		child_exit();
	}
	reap(pid, "child");
	expect_eq("bytes of the child's that differ", rnd_differ(p, size, &st),
		  0);
	munmap(p, size);
	must(shm_unlink(name), "shm_unlink");
}

/*
 * shm-unlink NAME: EEXIST for O_EXCL while the name exists; after
 * shm_unlink it is gone (ENOENT), and the mapping outlives it.
 */
LAB_CASE(shm_unlink, "NAME", 1)
{
	unsigned char *p = new_shm(argv[0], 4096);

	expect_err("shm_open O_CREAT|O_EXCL again",
		   shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	must(shm_unlink(name), "shm_unlink");
	expect_shown("after shm_unlink", 0);
	expect_err("shm_open after unlink", shm_open(name, O_RDWR, 0), ENOENT);
	p[4095] ^= 1;	/* the mapping outlives the name */
	munmap(p, 4096);
}

/* Semaphore NAME (@arg) made anew, of value @value. */
static sem_t *new_sem(const char *arg, unsigned int value)
{
	sem_t *s;

	/* musl keeps a named semaphore in /dev/shm/NAME (glibc: sem.NAME). */
	arg_name(arg, "/dev/shm");
	sem_unlink(name);
	s = sem_open(name, O_CREAT | O_EXCL, 0600, value);
	if (s == SEM_FAILED)
		die("sem_open");
	return s;
}

static void unlink_sem(sem_t *s)
{
	sem_close(s);
	must(sem_unlink(name), "sem_unlink");
}

/*
 * Adds @rounds to @counter, a load and a store apart (not an atomic add),
 * under the semaphore when @locked (a lost wakeup: the child's alarm).
 */
static void add(int locked, unsigned long *counter, unsigned int rounds)
{
	sem_t *s = locked ? sem_open(name, 0) : NULL;
	unsigned long v;

	if (locked && s == SEM_FAILED)
		die("child sem_open");
	phase = "adding";
	while (rounds--) {
		if (locked)
			must(sem_wait(s), "sem_wait");
		v = __atomic_load_n(counter, __ATOMIC_RELAXED);
		if (!(rounds & 7))
			sched_yield();	/* invite a race */
		__atomic_store_n(counter, v + 1, __ATOMIC_RELAXED);
		if (locked)
			must(sem_post(s), "sem_post");
	}
	child_exit();
}

/*
 * sem NAME PROCS ROUNDS: a named semaphore as a lock between processes
 * that open it by name.
 */
LAB_CASE(sem, "NAME PROCS ROUNDS", 3)
{
	unsigned int procs = arg_num(argv[1], 2, 16, "PROCS"), i, pass;
	unsigned int rounds = arg_num(argv[2], 1, 1000000, "ROUNDS");
	sem_t *s = new_sem(argv[0], 1);
	unsigned long *counter;
	pid_t pids[16];

	counter = map_anon(sizeof(*counter));
	/* Without the semaphore (pass 0) updates are likely, not sure, lost. */
	for (pass = 0; pass < 2; pass++) {
		*counter = 0;
		for (i = 0; i < procs; i++) {
			pids[i] = xfork();
			if (pids[i] == 0)
				add(pass, counter, rounds);
		}
		for (i = 0; i < procs; i++)
			reap(pids[i], "adder");
		printf("%s the semaphore: %lu of %u\n",
		       pass ? "with" : "without", *counter, procs * rounds);
	}
	expect_eq("counter with the semaphore", *counter, procs * rounds);
	unlink_sem(s);
}

/* sem-taken NAME: a taken semaphore: EAGAIN, ETIMEDOUT, not a sleep. */
LAB_CASE(sem_taken, "NAME", 1)
{
	sem_t *s = new_sem(argv[0], 1);
	struct timespec ts;

	must(sem_trywait(s), "sem_trywait");
	expect_err("sem_trywait when taken", sem_trywait(s), EAGAIN);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 100000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	expect_err("sem_timedwait 100 ms when taken", sem_timedwait(s, &ts),
		   ETIMEDOUT);
	unlink_sem(s);
}

/* sem-unlink NAME: shown in /dev/shm until sem_unlink, then ENOENT. */
LAB_CASE(sem_unlink, "NAME", 1)
{
	sem_t *s = new_sem(argv[0], 1);

	expect_shown("after sem_open", 1);
	unlink_sem(s);
	expect_shown("after sem_unlink", 0);
	expect_err("sem_open after unlink",
		   sem_open(name, 0) == SEM_FAILED ? -1 : 0, ENOENT);
}

/* cleanup: every posix test unlinks what it made. */
LAB_CASE(cleanup, "", 0)
{
	struct dirent **d;

	(void)argv;
	/* Only "." and ".." are left. */
	expect_eq("entries in /dev/mqueue", scandir("/dev/mqueue", &d, 0, 0), 2);
	expect_eq("entries in /dev/shm", scandir("/dev/shm", &d, 0, 0), 2);
}
