#!/bin/sh
# signal demo: the driver signals a process (kernel -> user space), with the
# pros (interrupt-like, fast, carries data) and the cons (one direction,
# needs the pid, few signals) each shown live, then the classic SIGINT
# receiver and kill(2) sender.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

SIG=/opt/ipclab/signal
TMP=/tmp/demo-signal

classic() {
	say "The classic pair: a SIGINT receiver and a kill(2) sender"
	rm -f "$TMP.log"
	echo "The receiver installs a SIGINT handler, prints 'received SIGINT'"
	echo "each time, and sleeps otherwise (started in the background):"
	printf '$ %s receiver 30 >%s &\n' "$SIG" "$TMP.log"
	"$SIG" receiver 30 >"$TMP.log" 2>&1 &
	PID=$!
	"$SIG" await "$TMP.log" 1 >/dev/null
	n=0
	for way in "kill -SIGINT $PID" "kill -s INT $PID" "kill -2 $PID" \
		"$SIG sender $PID"; do
		n=$((n + 1))
		show_sh "$way"
		# Wait for each one: two SIGINTs pending at once would merge.
		"$SIG" await "$TMP.log" "$n" 'received SIGINT' >/dev/null
	done
	show kill -TERM "$PID"
	wait "$PID" || true
	show cat "$TMP.log"
	echo "The receiver is gone; its pid names nobody now, and perror says so:"
	show "$SIG" sender "$PID"
}

main() {
	say "signal: the driver talks first"
	echo "With a device file user space always asks. A signal is the kernel"
	echo "starting the conversation. At insmod the driver registered:"
	show_sh 'dmesg | grep "ipclab: signal"'
	show ls -l /dev/ipclab-signal

	say "Con: the driver needs a pid -- with nobody registered, nobody to signal"
	echo "Every write to the device asks the driver to signal. Right now:"
	show_sh 'echo x >/dev/ipclab-signal'
	echo "Remedy 1: the process registers (ioctl). The driver keeps a counted"
	echo "reference to it (struct pid), then the same trigger reaches it:"
	show "$SIG" no-registration 40 12345
	echo "Remedy 2: fasync. F_SETOWN + F_SETSIG + O_ASYNC; the kernel keeps"
	echo "the owner, the driver only calls kill_fasync(); si_fd says which file:"
	show "$SIG" fasync 41

	say "Pro: a signal carries data (si_code SI_QUEUE, a 64-bit si_value)"
	echo "Three triggers: another process's ioctl, a write; a kernel timer:"
	show "$SIG" payload 42 1311768467294899695
	show "$SIG" timer 42 1311768467294899695 200

	say "Pro: interrupt-like -- the process stops what it is doing"
	echo "A read() that would wait forever, then a busy loop: the driver's"
	echo "timer fires and the handler runs in the middle of either:"
	show "$SIG" interrupt 43 77 100

	say "Pro: fast -- trigger, delivery, sigwaitinfo, 1000 times"
	show "$SIG" latency 1000

	say "Con: few signals -- and the standard ones coalesce"
	echo "Only SIGUSR1 and SIGUSR2 are free; real-time signals are more, each"
	echo "with its own value, so one process can tell events apart:"
	show "$SIG" many 4 50 1000
	echo "The driver sends 100 while the signal is blocked: a standard signal"
	echo "is pending once (the rest are lost); a real-time one queues:"
	show "$SIG" burst 10 100 5
	show "$SIG" burst 44 100 5
	echo "...up to RLIMIT_SIGPENDING; then the driver gets EAGAIN:"
	show "$SIG" burst 45 12 9 8

	say "Con: a pid goes stale -- the process exits, its number is reused"
	echo "A child registers and exits; a new process gets its pid number."
	echo "The driver holds the old struct pid, sees it is dead, drops it; a"
	echo "raw number (kill(2)) hits the newcomer:"
	show "$SIG" stale 46 4242 1

	say "Con: one direction only"
	echo "A signal goes kernel -> process; no signal goes to a driver. The"
	echo "process must answer through the device file (write, ioctl), as"
	echo "here, where it asks for the driver's counters:"
	show "$SIG" stats

	classic

	say "signal: the point"
	echo "A signal lets the driver interrupt a process at once and hand it a"
	echo "value. But only toward the process, only to a process it holds a"
	echo "reference to (registration or fasync), with standard signals merging"
	echo "and real-time ones limited by RLIMIT_SIGPENDING."
}

main "$@"
