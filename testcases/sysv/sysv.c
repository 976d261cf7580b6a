// SPDX-License-Identifier: GPL-2.0
/*
 * System V IPC: message queues received by type, semaphores with SEM_UNDO,
 * shared memory across fork; objects live in the kernel until IPC_RMID
 * (visible in /proc/sysvipc), blocked callers get EIDRM. One case per
 * property; each removes what it made.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30, .lost = "wakeup");

#define MAX_WORD	64
#define MAX_MSGS	16

static struct msg {
	long mtype;
	char mtext[MAX_WORD + 1];
} msgs[MAX_MSGS];
static int nmsgs;
static long maxtype;

union semun {
	int val;
	void *ptr;
};

/* TYPE:WORD... into msgs[]; a private queue with all of them sent. */
static int queue_with(char **argv)
{
	int id = must(msgget(IPC_PRIVATE, 0600), "msgget");

	for (nmsgs = 0; argv[nmsgs]; nmsgs++) {
		struct msg *m = &msgs[nmsgs];
		char *colon = strchr(argv[nmsgs], ':');

		if (nmsgs == MAX_MSGS || !colon) {
			fail("usage: at most %d TYPE:WORD", MAX_MSGS);
			msgctl(id, IPC_RMID, NULL);
			exit(KSFT_FAIL);
		}
		*colon = '\0';
		m->mtype = arg_num(argv[nmsgs], 1, 1000, "TYPE");
		memcpy(m->mtext, colon + 1, arg_word(colon + 1, MAX_WORD) + 1);
		if (m->mtype > maxtype)
			maxtype = m->mtype;
		must(msgsnd(id, m, strlen(m->mtext), IPC_NOWAIT), "msgsnd");
	}
	return id;
}

/*
 * msg MSGTYP TYPE:WORD...: what msgrcv with MSGTYP takes from a queue
 * holding the messages, in its order, until ENOMSG: "received: T:WORD ...".
 * The host knows the order: FIFO (0), lowest type first (-MAX), one type.
 */
LAB_CASE(msg, "MSGTYP TYPE:WORD...", -2)
{
	long msgtyp = *argv[0] == '-' ?
		      -(long)arg_num(argv[0] + 1, 1, 1000, "-MSGTYP") :
		      (long)arg_num(argv[0], 0, 1000, "MSGTYP");
	int id = queue_with(argv + 1), n, err;
	struct msqid_ds ds;
	struct msg m;

	printf("received:");
	while ((n = msgrcv(id, &m, MAX_WORD, msgtyp, IPC_NOWAIT)) >= 0)
		printf(" %ld:%.*s", m.mtype, n, m.mtext);
	err = errno;
	printf("\n");
	if (err != ENOMSG)
		fail("msgrcv ended with %s, expected ENOMSG", errname(err));
	must(msgctl(id, IPC_STAT, &ds), "IPC_STAT");
	printf("left in the queue: %lu\n", (unsigned long)ds.msg_qnum);
	must(msgctl(id, IPC_RMID, NULL), "IPC_RMID");
}

/* msg-enomsg TYPE:WORD...: a type nobody sent, IPC_NOWAIT: ENOMSG. */
LAB_CASE(msg_enomsg, "TYPE:WORD...", -1)
{
	int id = queue_with(argv);

	expect_err("msgrcv of an absent type, IPC_NOWAIT",
		   msgrcv(id, &msgs[0], MAX_WORD, maxtype + 1, IPC_NOWAIT),
		   ENOMSG);
	must(msgctl(id, IPC_RMID, NULL), "IPC_RMID");
}

/* msg-eidrm: a receiver asleep in msgrcv when the queue is removed. */
LAB_CASE(msg_eidrm, "", 0)
{
	int id = must(msgget(IPC_PRIVATE, 0600), "msgget");
	pid_t pid = xfork();

	(void)argv;
	if (pid == 0) {
		phase = "receiver in msgrcv";
		expect_err("blocked msgrcv, queue removed",
			   msgrcv(id, &msgs[0], MAX_WORD, 0, 0), EIDRM);
		child_exit();
	}
	wait_blocked(pid, SYS_msgrcv, "receiver");
	must(msgctl(id, IPC_RMID, NULL), "IPC_RMID");
	reap(pid, "receiver");
}

/* removed: the id of a removed queue or set names nothing: EINVAL. */
LAB_CASE(removed, "", 0)
{
	int msq = must(msgget(IPC_PRIVATE, 0600), "msgget");
	int sem = must(semget(IPC_PRIVATE, 1, 0600), "semget");
	struct sembuf op = { .sem_op = 1 };

	(void)argv;
	must(msgctl(msq, IPC_RMID, NULL), "IPC_RMID");
	must(semctl(sem, 0, IPC_RMID), "IPC_RMID");
	expect_err("msgsnd to the removed queue",
		   msgsnd(msq, &msgs[0], 1, IPC_NOWAIT), EINVAL);
	expect_err("semop on the removed set", semop(sem, &op, 1), EINVAL);
}

static int semval(int id, int cmd)
{
	return must(semctl(id, 0, cmd), "semctl");
}

/* A private set of one semaphore of value @n. */
static int new_sem(int n)
{
	int id = must(semget(IPC_PRIVATE, 1, 0600), "semget");

	must(semctl(id, 0, SETVAL, (union semun){ .val = n }), "SETVAL");
	return id;
}

/* A child that has taken @k (with @flg) and waits to be killed. */
static pid_t start_holder(int id, int k, short flg)
{
	struct sembuf op = { .sem_op = -k, .sem_flg = IPC_NOWAIT | flg };
	int ready[2];
	pid_t pid;
	char c;

	must(pipe(ready), "pipe");
	pid = xfork();
	if (pid == 0) {
		must(semop(id, &op, 1), "holder semop");
		write(ready[1], "h", 1);
		phase = "holder waiting to be killed";
		for (;;)
			pause();
	}
	phase = "waiting for the holder";
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("read ready");
	close(ready[0]);
	return pid;
}

/*
 * A child that needs @k and must get them (@want 0) or fail with @want;
 * it starts once the parent sees it asleep (GETNCNT).
 */
static pid_t start_waiter(int id, int k, const char *what, int want)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	pid_t pid = xfork();

	if (pid == 0) {
		struct sembuf op = { .sem_op = -k };
		struct timespec ts = { .tv_sec = lab_program.timeout_s - 5 };

		phase = "waiter in semtimedop";
		expect_ret(what, semtimedop(id, &op, 1, &ts), want);
		child_exit();
	}
	phase = "waiting for a process to sleep in semop";
	while (semval(id, GETNCNT) != 1)
		nanosleep(&ms, NULL);
	return pid;
}

/*
 * sem-undo N K: a holder of K of N dies; SEM_UNDO gives them back and
 * wakes a waiter for all N.
 */
LAB_CASE(sem_undo, "N K", 2)
{
	int n = arg_num(argv[0], 2, 1000, "N");
	int k = arg_num(argv[1], 1, n, "K");
	int id = new_sem(n);
	pid_t pid, w;

	pid = start_holder(id, k, SEM_UNDO);
	printf("holder took %d with SEM_UNDO: %d left\n", k,
	       semval(id, GETVAL));
	w = start_waiter(id, n, "waiter for all, after the holder died", 0);
	kill(pid, SIGKILL);
	reap(w, "waiter");
	waitpid(pid, NULL, 0);
	expect_eq("left after the waiter woke", semval(id, GETVAL), 0);
	must(semctl(id, 0, IPC_RMID), "IPC_RMID");
}

/* sem-lost N K: without SEM_UNDO what a killed holder of K took is lost. */
LAB_CASE(sem_lost, "N K", 2)
{
	int n = arg_num(argv[0], 2, 1000, "N");
	int k = arg_num(argv[1], 1, n, "K");
	int id = new_sem(n);
	pid_t pid = start_holder(id, k, 0);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("without SEM_UNDO, holder killed: %d left\n",
	       semval(id, GETVAL));
	must(semctl(id, 0, IPC_RMID), "IPC_RMID");
}

/* sem-eagain N K: K of N taken, one more than left, IPC_NOWAIT: EAGAIN. */
LAB_CASE(sem_eagain, "N K", 2)
{
	int n = arg_num(argv[0], 2, 1000, "N");
	int k = arg_num(argv[1], 1, n, "K");
	struct sembuf take = { .sem_op = -k, .sem_flg = IPC_NOWAIT };
	struct sembuf more = { .sem_op = -(n - k + 1), .sem_flg = IPC_NOWAIT };
	int id = new_sem(n);

	must(semop(id, &take, 1), "semop");
	expect_err("take one more than left, IPC_NOWAIT",
		   semop(id, &more, 1), EAGAIN);
	expect_eq("left after EAGAIN", semval(id, GETVAL), n - k);
	must(semctl(id, 0, IPC_RMID), "IPC_RMID");
}

/* sem-eidrm: a process asleep in semop when the set is removed. */
LAB_CASE(sem_eidrm, "", 0)
{
	int id = new_sem(0);
	pid_t w = start_waiter(id, 1, "sleeper when the set is removed",
			       EIDRM);

	(void)argv;
	must(semctl(id, 0, IPC_RMID), "IPC_RMID");
	reap(w, "sleeper");
}

/* shm-fork SIZE SEED: a segment attached before fork is shared. */
LAB_CASE(shm_fork, "SIZE SEED", 2)
{
	size_t size = arg_num(argv[0], 1, 64 << 20, "SIZE");
	__u32 st = rnd_seed(arg_num(argv[1], 1, UINT_MAX, "SEED"), 1);
	int id = must(shmget(IPC_PRIVATE, size, 0600), "shmget");
	unsigned char *p = shmat(id, NULL, 0);
	struct shmid_ds ds;
	pid_t pid;

	if (p == (void *)-1)
		die("shmat");
	must(shmctl(id, IPC_STAT, &ds), "IPC_STAT");
	printf("segment: %zu bytes\n", (size_t)ds.shm_segsz);
	expect_eq("attached", ds.shm_nattch, 1);
	pid = xfork();
	if (pid == 0) {
		must(shmctl(id, IPC_STAT, &ds), "IPC_STAT");
		expect_eq("attached after fork", ds.shm_nattch, 2);
		rnd_fill(p, size, &st);
		child_exit();	/* detaches */
	}
	reap(pid, "child");
	expect_eq("bytes of the child's that differ", rnd_differ(p, size, &st),
		  0);
	must(shmctl(id, IPC_RMID, NULL), "IPC_RMID");
	must(shmdt(p), "shmdt");
}

/*
 * shm-rmid KEY: IPC_RMID while attached hides the key and marks the
 * segment SHM_DEST; it is destroyed at the last detach.
 */
LAB_CASE(shm_rmid, "KEY", 1)
{
	key_t key = arg_num(argv[0], 1, INT_MAX, "KEY");
	int id = must(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600),
		      "shmget");
	unsigned char *p = shmat(id, NULL, 0);
	struct shmid_ds ds;

	if (p == (void *)-1)
		die("shmat");
	must(shmctl(id, IPC_RMID, NULL), "IPC_RMID");
	must(shmctl(id, IPC_STAT, &ds), "IPC_STAT after IPC_RMID");
	expect_eq("attached after IPC_RMID", ds.shm_nattch, 1);
	expect_eq("key after IPC_RMID", ds.shm_perm.__key, IPC_PRIVATE);
	expect_eq("SHM_DEST after IPC_RMID", ds.shm_perm.mode & SHM_DEST,
		  SHM_DEST);
	p[0] ^= 1;	/* still mapped */
	must(shmdt(p), "shmdt");
	expect_err("IPC_STAT after the last detach",
		   shmctl(id, IPC_STAT, &ds), EINVAL);
}

/* FAILs unless /proc/sysvipc lists @want of each kind with @key (0: any). */
static void expect_listed(const char *when, int key, int want)
{
	static const char *const kinds[] = { "msg", "sem", "shm" };
	char path[64], line[512], *end;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		int n = 0, k;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/sysvipc/%s", kinds[i]);
		f = fopen(path, "r");
		if (!f || !fgets(line, sizeof(line), f))	/* the header */
			die(path);
		while (fgets(line, sizeof(line), f)) {
			k = strtol(line, &end, 10);
			n += end != line && (!key || k == key);
		}
		fclose(f);
		if (n != want)
			fail("%s: %s lists %d, expected %d", when, path, n, want);
	}
}

/*
 * by-key KEY: objects made with a key are kernel-persistent, found again
 * by key, listed in /proc/sysvipc, and gone after IPC_RMID.
 */
LAB_CASE(by_key, "KEY", 1)
{
	key_t key = arg_num(argv[0], 1, INT_MAX, "KEY");
	int msq, sem, shm;

	msq = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	sem = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	shm = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	if (msq < 0 || sem < 0 || shm < 0)
		die("create with IPC_EXCL");
	expect_listed("with the key", key, 1);
	expect_err("msgget IPC_CREAT|IPC_EXCL again",
		   msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	if (msgget(key, 0) != msq || semget(key, 0, 0) != sem ||
	    shmget(key, 0, 0) != shm)
		fail("not found again by key");
	if (msgctl(msq, IPC_RMID, NULL) < 0 || semctl(sem, 0, IPC_RMID) < 0 ||
	    shmctl(shm, IPC_RMID, NULL) < 0)
		die("IPC_RMID");
	expect_listed("after IPC_RMID", key, 0);
	expect_err("msgget by key after IPC_RMID", msgget(key, 0), ENOENT);
}

/* cleanup: every sysv test removes what it made. */
LAB_CASE(cleanup, "", 0)
{
	(void)argv;
	expect_listed("left by the sysv tests", 0, 0);
}
