// SPDX-License-Identifier: GPL-2.0
/*
 * System V IPC: message queues received by type, semaphores with SEM_UNDO,
 * shared memory across fork; objects live in the kernel until IPC_RMID
 * (visible in /proc/sysvipc), blocked callers get EIDRM; exits 0/1/4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define TIMEOUT_S	30	/* every blocking call ends by then */
#define MAX_WORD	64
#define MAX_MSGS	16
#define LABTEST_LOST	"wakeup"

#include "labtest.h"

struct msg {
	long mtype;
	char mtext[MAX_WORD + 1];
};

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static struct msg msgs[MAX_MSGS];
static int nmsgs;

/* TYPE:WORD arguments. */
static void arg_msgs(char **argv)
{
	for (nmsgs = 0; argv[nmsgs]; nmsgs++) {
		char *colon = strchr(argv[nmsgs], ':');

		if (nmsgs == MAX_MSGS || !colon || strlen(colon + 1) < 1 ||
		    strlen(colon + 1) > MAX_WORD) {
			fail("usage: at most %d TYPE:WORD, WORD of 1..%d letters",
			     MAX_MSGS, MAX_WORD);
			exit(KSFT_FAIL);
		}
		*colon = '\0';
		msgs[nmsgs].mtype = arg_num(argv[nmsgs], 1, 1000, "TYPE");
		memcpy(msgs[nmsgs].mtext, colon + 1, strlen(colon + 1) + 1);
	}
}

static void send_all(int id)
{
	int i;

	for (i = 0; i < nmsgs; i++)
		if (msgsnd(id, &msgs[i], strlen(msgs[i].mtext), IPC_NOWAIT) < 0)
			die("msgsnd");
}

/* Receive with @msgtyp until ENOMSG; prints "WHAT: T:WORD ...". */
static void recv_all(int id, long msgtyp, const char *what)
{
	char line[MAX_MSGS * (MAX_WORD + 8)] = "";
	struct msg m;
	ssize_t n;

	while ((n = msgrcv(id, &m, MAX_WORD, msgtyp, IPC_NOWAIT)) >= 0)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " %ld:%.*s", m.mtype, (int)n, m.mtext);
	if (errno != ENOMSG)
		fail("%s: msgrcv ended with %s, expected ENOMSG", what,
		     errname(errno));
	printf("%s:%s\n", what, line);
}

/*
 * Wait until @pid sleeps in a system call (state S): the kernel's own
 * counters (GETNCNT) are used where they exist, this where they do not.
 */
static int wait_sleeping(pid_t pid)
{
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	char file[64], buf[512];
	int i;

	snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 10000; i++) {
		char *p;

		if (read_file(file, buf, sizeof(buf)) < 0)
			die(file);
		p = strrchr(buf, ')');
		if (p && p[1] && p[2] == 'S') {
			snprintf(file, sizeof(file), "/proc/%d/syscall",
				 (int)pid);
			if (read_file(file, buf, sizeof(buf)) < 0 ||
			    strtol(buf, NULL, 10) == SYS_msgrcv)
				return 0;
			snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
		}
		nanosleep(&ms, NULL);
	}
	fail("the receiver never slept in msgrcv");
	return -1;
}

/*
 * msg TYPE:WORD...: FIFO order with msgtyp 0, lowest type first with a
 * negative msgtyp, one type with a positive one; ENOMSG; EIDRM.
 */
static void cmd_msg(char **argv)
{
	struct msqid_ds ds;
	long maxtype = 0, last;
	pid_t pid;
	int id, i;

	arg_msgs(argv);
	for (i = 0; i < nmsgs; i++)
		if (msgs[i].mtype > maxtype)
			maxtype = msgs[i].mtype;
	last = msgs[nmsgs - 1].mtype;
	id = msgget(IPC_PRIVATE, 0600);
	if (id < 0)
		die("msgget");

	send_all(id);
	recv_all(id, 0, "msgtyp 0 (in order)");
	send_all(id);
	recv_all(id, -maxtype, "msgtyp -max (lowest type first)");
	send_all(id);
	{
		char what[64];

		snprintf(what, sizeof(what), "msgtyp %ld (that type only)",
			 last);
		recv_all(id, last, what);
	}
	if (msgctl(id, IPC_STAT, &ds) < 0)
		die("IPC_STAT");
	printf("left in the queue: %lu\n", (unsigned long)ds.msg_qnum);
	expect_err("msgrcv of an absent type, IPC_NOWAIT",
		   msgrcv(id, &msgs[0], MAX_WORD, maxtype + 1, IPC_NOWAIT),
		   ENOMSG);

	/* A receiver asleep in msgrcv when the queue is removed. */
	pid = xfork();
	if (pid == 0) {
		struct msg m;

		phase = "receiver in msgrcv";
		expect_err("blocked msgrcv, queue removed",
			   msgrcv(id, &m, MAX_WORD, maxtype + 1, 0), EIDRM);
		child_exit();
	}
	if (!wait_sleeping(pid) && msgctl(id, IPC_RMID, NULL) < 0)
		die("IPC_RMID");
	reap(pid, "receiver");
	expect_err("msgsnd to the removed queue",
		   msgsnd(id, &msgs[0], 1, IPC_NOWAIT), EINVAL);
}

static int semval(int id, int cmd)
{
	int v = semctl(id, 0, cmd);

	if (v < 0)
		die("semctl");
	return v;
}

/* Wait until @n processes sleep on the semaphore (GETNCNT). */
static void wait_ncnt(int id, int n)
{
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };

	phase = "waiting for a process to sleep in semop";
	while (semval(id, GETNCNT) != n)
		nanosleep(&ms, NULL);
}

/* A child that takes @k (with @flg) and waits to be killed. */
static pid_t start_holder(int id, int k, short flg, int ready)
{
	pid_t pid = xfork();

	if (pid == 0) {
		struct sembuf op = { .sem_num = 0, .sem_op = -k,
				     .sem_flg = IPC_NOWAIT | flg };

		if (semop(id, &op, 1) < 0)
			die("holder semop");
		write(ready, "h", 1);
		phase = "holder waiting to be killed";
		for (;;)
			pause();
	}
	return pid;
}

static void kill_holder(pid_t pid, int ready)
{
	int status;
	char c;

	phase = "waiting for the holder";
	if (read(ready, &c, 1) != 1)
		die("read ready");
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
}

/* A child that needs @k; it reports what semtimedop said. */
static pid_t start_waiter(int id, int k, const char *what, int want)
{
	pid_t pid = xfork();

	if (pid == 0) {
		struct sembuf op = { .sem_num = 0, .sem_op = -k };
		struct timespec ts = { .tv_sec = TIMEOUT_S - 5 };
		int ret;

		phase = "waiter in semtimedop";
		ret = semtimedop(id, &op, 1, &ts);
		if (want)
			expect_err(what, ret, want);
		else if (ret < 0)
			fail("%s: got %s, expected success", what,
			     errname(errno));
		else
			printf("%s: took %d\n", what, k);
		child_exit();
	}
	return pid;
}

/*
 * sem N K: a holder of K of N dies; SEM_UNDO gives them back and wakes a
 * waiter, without it they are lost; EAGAIN; EIDRM for a sleeper.
 */
static void cmd_sem(char **argv)
{
	int n = arg_num(argv[0], 2, 1000, "N");
	int k = arg_num(argv[1], 1, 1000, "K");
	union semun arg = { .val = n };
	struct sembuf op;
	int id, ready[2];
	pid_t pid, w;

	if (k > n) {
		fail("usage: K (%d) must not exceed N (%d)", k, n);
		exit(KSFT_FAIL);
	}
	if (pipe(ready) < 0)
		die("pipe");
	id = semget(IPC_PRIVATE, 1, 0600);
	if (id < 0 || semctl(id, 0, SETVAL, arg) < 0)
		die("semget/SETVAL");

	pid = start_holder(id, k, SEM_UNDO, ready[1]);
	phase = "waiting for the holder";
	{
		char c;

		if (read(ready[0], &c, 1) != 1)
			die("read ready");
	}
	printf("holder took %d with SEM_UNDO: %d left\n", k,
	       semval(id, GETVAL));
	op = (struct sembuf){ .sem_num = 0, .sem_op = -(n - k + 1),
			      .sem_flg = IPC_NOWAIT };
	expect_err("take one more than left, IPC_NOWAIT", semop(id, &op, 1),
		   EAGAIN);
	w = start_waiter(id, n, "waiter for all, after the holder died", 0);
	wait_ncnt(id, 1);
	kill(pid, SIGKILL);
	reap(w, "waiter");
	waitpid(pid, NULL, 0);
	printf("holder killed: the waiter woke, %d left\n", semval(id, GETVAL));

	/* The same without SEM_UNDO: what the dead holder took is lost. */
	if (semctl(id, 0, SETVAL, arg) < 0)
		die("SETVAL");
	pid = start_holder(id, k, 0, ready[1]);
	kill_holder(pid, ready[0]);
	printf("without SEM_UNDO, holder killed: %d left\n",
	       semval(id, GETVAL));

	w = start_waiter(id, n, "sleeper when the set is removed", EIDRM);
	wait_ncnt(id, 1);
	if (semctl(id, 0, IPC_RMID) < 0)
		die("IPC_RMID");
	reap(w, "sleeper");
	op = (struct sembuf){ .sem_num = 0, .sem_op = 1 };
	expect_err("semop on the removed set", semop(id, &op, 1), EINVAL);
}

/*
 * shm SIZE SEED: a segment attached before fork is shared with the child;
 * IPC_RMID while attached destroys it at the last detach.
 */
static void cmd_shm(char **argv)
{
	size_t size = arg_num(argv[0], 1, 64 << 20, "SIZE");
	unsigned long seed = arg_num(argv[1], 1, UINT_MAX, "SEED");
	struct shmid_ds ds;
	size_t i, bad = 0;
	unsigned char *p;
	__u32 st;
	pid_t pid;
	int id;

	id = shmget(IPC_PRIVATE, size, 0600);
	if (id < 0)
		die("shmget");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	if (shmctl(id, IPC_STAT, &ds) < 0)
		die("IPC_STAT");
	printf("segment: %zu bytes, attached %lu\n", (size_t)ds.shm_segsz,
	       (unsigned long)ds.shm_nattch);
	pid = xfork();
	if (pid == 0) {
		if (shmctl(id, IPC_STAT, &ds) < 0)
			die("IPC_STAT");
		printf("child: attached %lu after fork\n",
		       (unsigned long)ds.shm_nattch);
		st = rnd_seed(seed, 1);
		for (i = 0; i < size; i++)
			p[i] = rnd_next(&st) >> 24;
		child_exit();	/* detaches */
	}
	reap(pid, "child");
	st = rnd_seed(seed, 1);
	for (i = 0; i < size; i++)
		bad += p[i] != (unsigned char)(rnd_next(&st) >> 24);
	printf("parent sees the child's %zu bytes: %zu differ\n", size, bad);
	expect_eq("bytes that differ", bad, 0);

	if (shmctl(id, IPC_RMID, NULL) < 0)
		die("IPC_RMID");
	if (shmctl(id, IPC_STAT, &ds) < 0)
		die("IPC_STAT after IPC_RMID");
	printf("after IPC_RMID, still attached: %lu, key %d, destroy on detach: %s\n",
	       (unsigned long)ds.shm_nattch, (int)ds.shm_perm.__key,
	       ds.shm_perm.mode & SHM_DEST ? "yes" : "no");
	p[0] ^= 1;	/* still mapped */
	if (shmdt(p) < 0)
		die("shmdt");
	expect_err("IPC_STAT after the last detach",
		   shmctl(id, IPC_STAT, &ds), EINVAL);
}

/* Lines in /proc/sysvipc/@what with key @key (any key when @key is 0). */
static int proc_count(const char *what, int key)
{
	char path[64], line[512], *end;
	int n = 0, k;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", what);
	f = fopen(path, "r");
	if (!f)
		die(path);
	if (!fgets(line, sizeof(line), f))	/* the header */
		die(path);
	while (fgets(line, sizeof(line), f)) {
		k = strtol(line, &end, 10);
		if (end != line && (!key || k == key))
			n++;
	}
	fclose(f);
	return n;
}

/*
 * cleanup KEY: objects made with a key are kernel-persistent, found again
 * by key, listed in /proc/sysvipc, and gone after IPC_RMID.
 */
static void cmd_cleanup(char **argv)
{
	key_t key = arg_num(argv[0], 1, INT_MAX, "KEY");
	int msq, sem, shm;

	msq = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	sem = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	shm = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	if (msq < 0 || sem < 0 || shm < 0)
		die("create with IPC_EXCL");
	printf("with key %d in /proc/sysvipc: msg %d, sem %d, shm %d\n", key,
	       proc_count("msg", key), proc_count("sem", key),
	       proc_count("shm", key));
	expect_err("msgget IPC_CREAT|IPC_EXCL again",
		   msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	printf("found again by key: %s\n",
	       msgget(key, 0) == msq && semget(key, 0, 0) == sem &&
	       shmget(key, 0, 0) == shm ? "yes" : "no");
	if (msgctl(msq, IPC_RMID, NULL) < 0 || semctl(sem, 0, IPC_RMID) < 0 ||
	    shmctl(shm, IPC_RMID, NULL) < 0)
		die("IPC_RMID");
	printf("after IPC_RMID: msg %d, sem %d, shm %d\n",
	       proc_count("msg", key), proc_count("sem", key),
	       proc_count("shm", key));
	expect_err("msgget by key after IPC_RMID", msgget(key, 0), ENOENT);
	/* Every sysv test removes what it made. */
	printf("objects left in /proc/sysvipc: %d\n", proc_count("msg", 0) +
	       proc_count("sem", 0) + proc_count("shm", 0));
}

static const struct command commands[] = {
	{ "msg", "TYPE:WORD...", -1, cmd_msg },
	{ "sem", "N K", 2, cmd_sem },
	{ "shm", "SIZE SEED", 2, cmd_shm },
	{ "cleanup", "KEY", 1, cmd_cleanup },
};

int main(int argc, char **argv)
{
	labtest_start();

	return run_command("sysv", commands, ARRAY_SIZE(commands), argc, argv);
}
