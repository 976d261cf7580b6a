# The lab's self-checks report as TAP-like lines and close with the line CI
# counts: sourced by scripts/check-*.sh.
# shellcheck shell=sh

PASSED=0
FAILED=0

ok() {
	echo "ok - $*"
	PASSED=$((PASSED + 1))
}

not_ok() {
	echo "not ok - $*"
	FAILED=$((FAILED + 1))
}

# none_or_fail FOUND OK-MESSAGE FAIL-MESSAGE: ok when FOUND is empty.
none_or_fail() {
	if [ -z "$1" ]; then
		ok "$2"
	else
		not_ok "$3: $1"
	fi
}
