#include "../../../../../module/signal.c"
