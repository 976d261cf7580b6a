#include "../../../../../module/netlink.c"
